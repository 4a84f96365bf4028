namespace AegisKV.Checkers.Tests;

public sealed class DurabilityCheckerTests
{
    private static KeyWrite W(string key, long sequence, WriteOutcome outcome) => new(key, sequence, $"{key}-{sequence}", outcome);

    [Fact]
    public void The_last_acknowledged_write_or_a_later_unknown_one_should_count_as_found()
    {
        var result = DurabilityChecker.Check(
            [W("a", 1, WriteOutcome.Acknowledged), W("a", 2, WriteOutcome.Acknowledged), W("b", 1, WriteOutcome.Acknowledged), W("b", 2, WriteOutcome.Unknown)],
            new Dictionary<string, string?> { ["a"] = "a-2", ["b"] = "b-2" });
        Assert.True(result.Holds, result.ToString());
        Assert.Equal((3, 3), (result.Acknowledged, result.Found));
    }

    [Fact]
    public void An_unknown_write_that_never_took_effect_should_be_fine()
    {
        var result = DurabilityChecker.Check(
            [W("a", 1, WriteOutcome.Acknowledged), W("a", 2, WriteOutcome.Unknown)],
            new Dictionary<string, string?> { ["a"] = "a-1" });
        Assert.True(result.Holds, result.ToString());
    }

    [Fact]
    public void An_older_value_after_an_acknowledged_write_should_be_a_loss()
    {
        var result = DurabilityChecker.Check(
            [W("a", 1, WriteOutcome.Acknowledged), W("a", 2, WriteOutcome.Acknowledged), W("a", 3, WriteOutcome.Unknown)],
            new Dictionary<string, string?> { ["a"] = "a-1" });
        Assert.False(result.Holds);
        Assert.Equal((2, 1), (result.Acknowledged, result.Found));
        Assert.Equal("a-2", Assert.Single(result.Violations).Write.Value);
    }

    [Fact]
    public void A_missing_key_should_lose_every_acknowledged_write_of_it()
    {
        var result = DurabilityChecker.Check([W("a", 1, WriteOutcome.Acknowledged), W("a", 2, WriteOutcome.Acknowledged)], new Dictionary<string, string?>());
        Assert.Equal(2, result.Violations.Count);
        Assert.Equal(0, result.Found);
    }

    [Fact]
    public void A_refused_write_that_took_effect_should_be_a_violation()
    {
        var result = DurabilityChecker.Check(
            [W("a", 1, WriteOutcome.Acknowledged), W("a", 2, WriteOutcome.Refused)],
            new Dictionary<string, string?> { ["a"] = "a-2" });
        Assert.Contains(result.Violations, v => v.Reason.Contains("refused", StringComparison.Ordinal));
    }

    [Fact]
    public void A_value_no_write_wrote_should_be_a_violation()
    {
        var result = DurabilityChecker.Check([W("a", 1, WriteOutcome.Acknowledged)], new Dictionary<string, string?> { ["a"] = "garbage" });
        Assert.False(result.Holds);
        Assert.Equal(0, result.Found);
    }
}
