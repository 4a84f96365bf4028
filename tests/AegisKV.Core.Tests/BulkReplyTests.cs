using System.Buffers;
using AegisKV.Core.Replies;
using static AegisKV.Core.Tests.Text;

namespace AegisKV.Core.Tests;

public sealed class BulkReplyTests
{
    [Fact]
    public void A_bulk_string_over_part_of_an_array_should_be_written_and_read_as_that_part_only()
    {
        var reply = new BulkReply(B("keyvalue"), 3, 5);
        var written = new ArrayBufferWriter<byte>();
        reply.WriteTo(written, 2);
        Assert.Equal("$5\r\nvalue\r\n", System.Text.Encoding.ASCII.GetString(written.WrittenSpan));
        Assert.Equal("value", System.Text.Encoding.ASCII.GetString(reply.Value!));
        Assert.Equal("value", System.Text.Encoding.ASCII.GetString(reply.Span));
        Assert.False(reply.IsNull);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BulkReply(B("key"), 2, 5));
    }

    [Fact]
    public void A_whole_array_should_be_the_reply_s_value_without_a_copy()
    {
        var value = B("value");
        Assert.Same(value, new BulkReply(value).Value);
        Assert.True(((BulkReply)Reply.Nil).IsNull);
        Assert.Null(((BulkReply)Reply.Nil).Value);
    }
}
