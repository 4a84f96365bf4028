using AegisKV.Protocol;

namespace AegisKV.Protocol.Tests;

public class RespReaderCompleteRequestTests
{
    public static TheoryData<string, string> CompleteRequests => new()
    {
        // The canonical RESP array of bulk strings.
        { "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", "GET|k" },
        // Three arguments, as SET sends them.
        { "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n", "SET|key|value" },
        // An empty bulk string is a valid, empty argument.
        { "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", "ECHO|" },
        // A single-element array.
        { "*1\r\n$4\r\nPING\r\n", "PING" },
        // Two-digit lengths.
        { "*2\r\n$4\r\nECHO\r\n$12\r\nhello world!\r\n", "ECHO|hello world!" },
        // Inline command ended by "\r\n".
        { "SET k v\r\n", "SET|k|v" },
        // Inline command ended by a bare "\n".
        { "SET k v\n", "SET|k|v" },
        // Inline separators: runs of spaces and tabs, leading and trailing blanks.
        { "  GET \t k  \r\n", "GET|k" },
        // Vertical tab and form feed separate arguments only when leading, like sdssplitargs.
        { "GET\vx \fk\n", "GET\vx|k" },
        // A lone "\r" inside an inline line separates arguments; only the last one belongs to the terminator.
        { "GET\rk\r\r\n", "GET|k" },
        // A NUL byte ends an inline line's arguments, as in C.
        { "GET k\0ignored\n", "GET|k" },
    };

    [Theory]
    [MemberData(nameof(CompleteRequests))]
    public void Reader_should_read_a_complete_request_into_its_arguments(string input, string expected)
    {
        byte[] buffer = Resp.Bytes(input);

        Assert.True(RespReader.TryReadRequest(buffer, RespLimits.Default, out byte[][] arguments, out int consumed));

        Assert.Equal(expected, Resp.Render(arguments));
        Assert.Equal(buffer.Length, consumed);
    }

    public static TheoryData<string> SkippedRequests => new()
    {
        // Blank inline line with "\r\n".
        "\r\n",
        // Blank inline line with "\n".
        "\n",
        // Whitespace-only inline line.
        " \t \r\n",
        // An empty array.
        "*0\r\n",
        // The null array.
        "*-1\r\n",
        // Any negative count, as in Redis's "Negative multibulk length" test.
        "*-10\r\n",
    };

    [Theory]
    [MemberData(nameof(SkippedRequests))]
    public void Reader_should_consume_input_Redis_skips_and_return_no_arguments(string input)
    {
        byte[] buffer = Resp.Bytes(input);

        Assert.True(RespReader.TryReadRequest(buffer, RespLimits.Default, out byte[][] arguments, out int consumed));

        Assert.Empty(arguments);
        Assert.Equal(buffer.Length, consumed);
    }

    public static TheoryData<string, string> BinaryValues => new()
    {
        // CRLF inside bulk data is data, not a terminator.
        { "a\r\nb", "*2\r\n$4\r\nECHO\r\n$4\r\na\r\nb\r\n" },
        // NUL bytes inside bulk data.
        { "\0x\0", "*2\r\n$4\r\nECHO\r\n$3\r\n\0x\0\r\n" },
        // Data that looks like another RESP frame.
        { "*1\r\n$1\r\n", "*2\r\n$4\r\nECHO\r\n$8\r\n*1\r\n$1\r\n\r\n" },
        // High bytes.
        { "\u00ff\u0080\u0001", "*2\r\n$4\r\nECHO\r\n$3\r\n\u00ff\u0080\u0001\r\n" },
        // Data consisting only of a terminator.
        { "\r\n", "*2\r\n$4\r\nECHO\r\n$2\r\n\r\n\r\n" },
    };

    [Theory]
    [MemberData(nameof(BinaryValues))]
    public void Reader_should_keep_bulk_data_byte_for_byte(string value, string input)
    {
        byte[] buffer = Resp.Bytes(input);

        Assert.True(RespReader.TryReadRequest(buffer, RespLimits.Default, out byte[][] arguments, out int consumed));

        Assert.Equal(2, arguments.Length);
        Assert.Equal(Resp.Bytes(value), arguments[1]);
        Assert.Equal(buffer.Length, consumed);
    }

    public static TheoryData<string, string> QuotedInlineArguments => new()
    {
        // Double quotes keep spaces inside one argument.
        { "SET k \"hello world\"\r\n", "SET|k|hello world" },
        // Single quotes likewise.
        { "SET k 'hello world'\r\n", "SET|k|hello world" },
        // Empty quoted strings are empty arguments.
        { "SET \"\" ''\n", "SET||" },
        // Double-quote escapes \n \r \t \b \a \\ \".
        { "ECHO \"\\n\\r\\t\\b\\a\\\\\\\"\"\n", "ECHO|\n\r\t\b\a\\\"" },
        // \xHH in double quotes, both hex cases.
        { "ECHO \"\\x41\\x7a\\xFF\\x00\"\n", "ECHO|Az\u00ff\0" },
        // An incomplete \x escape degrades to a literal 'x'.
        { "ECHO \"\\x4g\"\n", "ECHO|x4g" },
        // Unknown escapes keep the escaped character.
        { "ECHO \"\\q\"\n", "ECHO|q" },
        // In single quotes only \' is an escape; other backslashes stay.
        { "ECHO 'it\\'s \\n'\n", "ECHO|it's \\n" },
        // A quote may start in the middle of a word.
        { "ECHO ab\"c d\"\n", "ECHO|abc d" },
        // A closing quote may be followed by a tab or the end of the line.
        { "ECHO \"a\"\t'b'\n", "ECHO|a|b" },
        // Quotes of the other kind are literal inside quotes.
        { "ECHO \"it's\" 'say \"hi\"'\n", "ECHO|it's|say \"hi\"" },
    };

    [Theory]
    [MemberData(nameof(QuotedInlineArguments))]
    public void Reader_should_split_quoted_inline_arguments_like_sdssplitargs(string input, string expected)
    {
        byte[] buffer = Resp.Bytes(input);

        Assert.True(RespReader.TryReadRequest(buffer, RespLimits.Default, out byte[][] arguments, out int consumed));

        Assert.Equal(expected, Resp.Render(arguments));
        Assert.Equal(buffer.Length, consumed);
    }

    public static TheoryData<string, string[]> PipelinedRequests => new()
    {
        // Two RESP requests in one buffer.
        { "*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", ["PING", "GET|k"] },
        // Inline and RESP requests mixed.
        { "PING\r\n*1\r\n$4\r\nPING\r\nECHO hi\n", ["PING", "PING", "ECHO|hi"] },
        // Skipped input between requests still counts as a request with no arguments.
        { "\r\n*0\r\nPING\n*-1\r\nPING\n", ["", "", "PING", "", "PING"] },
        // Bulk data containing a full request does not split.
        { "*2\r\n$4\r\nECHO\r\n$6\r\nPING\r\n\r\nPING\r\n", ["ECHO|PING\r\n", "PING"] },
    };

    [Theory]
    [MemberData(nameof(PipelinedRequests))]
    public void Reader_should_read_pipelined_requests_back_to_back(string input, string[] expected)
    {
        Assert.Equal(expected, Resp.ReadAll(input));
    }

    [Fact]
    public void Reader_should_allocate_a_fresh_array_per_argument()
    {
        byte[] buffer = Resp.Bytes("*2\r\n$1\r\na\r\n$1\r\na\r\n");

        Assert.True(RespReader.TryReadRequest(buffer, RespLimits.Default, out byte[][] arguments, out _));
        buffer[8] = (byte)'z';

        Assert.NotSame(arguments[0], arguments[1]);
        Assert.Equal("a|a", Resp.Render(arguments));
    }

    [Fact]
    public void Reader_should_read_an_array_larger_than_its_stack_bounds()
    {
        var args = new string[1000];
        for (int i = 0; i < args.Length; i++)
        {
            args[i] = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        Assert.Equal(string.Join('|', args), Assert.Single(Resp.ReadAll(Resp.Command(args))));
    }

    [Fact]
    public void Reader_should_read_an_inline_line_longer_than_its_stack_scratch()
    {
        string word = new('w', 1000);

        Assert.Equal($"SET|{word}|\"{word}\"", Assert.Single(Resp.ReadAll($"SET {word} '\"{word}\"'\r\n")));
    }
}
