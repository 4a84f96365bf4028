using System.Buffers;
using AegisKV.Core.Replies;
using AegisKV.Protocol;

namespace AegisKV.Server.Resp;

/// <summary>Out-of-band data (a channel message, a subscription's confirmation): a RESP3 push, a plain array in RESP2.</summary>
internal sealed record PushReply(Reply[] Items) : Reply
{
    public override void WriteTo(IBufferWriter<byte> writer, int protocol)
    {
        if (protocol >= 3) RespWriter.WriteAggregateHeader(writer, (byte)'>', Items.Length);
        else RespWriter.WriteArrayHeader(writer, Items.Length);
        foreach (var item in Items) item.WriteTo(writer, protocol);
    }
}

/// <summary>Several replies to one command, one after the other (SUBSCRIBE a b confirms each channel).</summary>
internal sealed record FramesReply(Reply[] Frames) : Reply
{
    public override void WriteTo(IBufferWriter<byte> writer, int protocol)
    {
        foreach (var frame in Frames) frame.WriteTo(writer, protocol);
    }
}
