using AegisKV.Core.State;
using static AegisKV.Core.Tests.Text;

namespace AegisKV.Core.Tests;

public sealed class IntegerTextTests
{
    [Theory]
    [InlineData("0", true, 0)]
    [InlineData("-1", true, -1)]
    [InlineData("9223372036854775807", true, long.MaxValue)]
    [InlineData("-9223372036854775808", true, long.MinValue)]
    [InlineData("9223372036854775808", false, 0)]
    [InlineData("+1", false, 0)]
    [InlineData(" 1", false, 0)]
    [InlineData("01", false, 0)]
    [InlineData("-0", false, 0)]
    [InlineData("", false, 0)]
    [InlineData("1.5", false, 0)]
    public void Parsing_should_accept_only_canonical_integers(string text, bool ok, long value)
    {
        Assert.Equal(ok, IntegerText.TryParse(B(text), out var parsed));
        if (ok) Assert.Equal(value, parsed);
    }
}
