using AegisKV.Core.Replies;

namespace AegisKV.Server.Resp;

/// <summary>A reply after which the connection speaks another RESP version (HELLO's answer, already in it).</summary>
internal sealed record ProtocolReply(Reply Inner, int Protocol) : Reply
{
    public override void WriteTo(System.Buffers.IBufferWriter<byte> writer, int protocol) => Inner.WriteTo(writer, Protocol);
}
