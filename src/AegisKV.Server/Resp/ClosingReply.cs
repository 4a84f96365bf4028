using System.Buffers;
using AegisKV.Core.Replies;

namespace AegisKV.Server.Resp;

/// <summary>A reply after which the server closes the connection (QUIT, protocol errors).</summary>
internal sealed record ClosingReply(Reply Inner) : Reply
{
    public override void WriteTo(IBufferWriter<byte> writer, int protocol) => Inner.WriteTo(writer, protocol);
}
