using static AegisKV.Checkers.Operation;

namespace AegisKV.Checkers.Tests;

/// <summary>Known-good and known-bad register histories, and randomly generated ones whose answer is known.</summary>
public sealed class LinearizabilityCheckerTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static Verdict VerdictOf(params Operation[] history) => Assert.Single(LinearizabilityChecker.Check(history)).Verdict;

    [Fact]
    public void A_sequential_history_with_every_operation_should_be_linearizable()
    {
        Assert.Equal(Verdict.Linearizable, VerdictOf(
            Get(0, "k", 0, 1, null),
            Set(0, "k", "1", 2, 3),
            Get(0, "k", 4, 5, "1"),
            Increment(0, "k", 6, 7, "2"),
            CompareAndSet(0, "k", "2", "x", 8, 9, swapped: true),
            CompareAndSet(0, "k", "2", "y", 10, 11, swapped: false),
            Increment(0, "k", 12, 13, Error),
            Delete(0, "k", 14, 15, existed: true),
            Delete(0, "k", 16, 17, existed: false),
            Increment(0, "k", 18, 19, "1")));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("1")]
    public void A_read_concurrent_with_a_write_may_see_either_value(string? seen)
    {
        Assert.Equal(Verdict.Linearizable, VerdictOf(
            Set(0, "k", "1", 0, 10),
            Get(1, "k", 5, 6, seen)));
    }

    [Fact]
    public void A_read_after_a_write_completed_should_not_see_the_value_before_it()
    {
        Assert.Equal(Verdict.NotLinearizable, VerdictOf(
            Set(0, "k", "1", 0, 1),
            Set(0, "k", "2", 2, 3),
            Get(1, "k", 4, 5, "1")));
    }

    [Fact]
    public void An_acknowledged_write_that_disappears_should_be_caught()
    {
        Assert.Equal(Verdict.NotLinearizable, VerdictOf(
            Set(0, "k", "1", 0, 1),
            Get(1, "k", 2, 3, null)));
    }

    [Fact]
    public void A_value_nobody_wrote_should_be_caught()
    {
        Assert.Equal(Verdict.NotLinearizable, VerdictOf(
            Set(0, "k", "1", 0, 10),
            Get(1, "k", 2, 3, "2")));
    }

    [Fact]
    public void A_write_with_an_unknown_outcome_may_take_effect_or_not()
    {
        Assert.Equal(Verdict.Linearizable, VerdictOf(
            Set(0, "k", "1", 0, 1),
            Set(1, "k", "2", 2, null),
            Get(2, "k", 50, 51, "2"),
            Get(2, "k", 52, 53, "2")));
        Assert.Equal(Verdict.Linearizable, VerdictOf(
            Set(0, "k", "1", 0, 1),
            Set(1, "k", "2", 2, null),
            Get(2, "k", 50, 51, "1")));
    }

    [Fact]
    public void A_write_with_an_unknown_outcome_cannot_be_seen_and_then_unseen()
    {
        Assert.Equal(Verdict.NotLinearizable, VerdictOf(
            Set(0, "k", "1", 0, 1),
            Set(1, "k", "2", 2, null),
            Get(2, "k", 50, 51, "2"),
            Get(2, "k", 52, 53, "1")));
    }

    [Fact]
    public void Two_increments_should_not_both_return_the_same_number()
    {
        Assert.Equal(Verdict.NotLinearizable, VerdictOf(
            Increment(0, "n", 0, 10, "1"),
            Increment(1, "n", 1, 11, "1")));
        Assert.Equal(Verdict.Linearizable, VerdictOf(
            Increment(0, "n", 0, 10, "2"),
            Increment(1, "n", 1, 11, "1")));
    }

    [Fact]
    public void Two_compare_and_sets_from_one_value_should_not_both_swap()
    {
        Assert.Equal(Verdict.NotLinearizable, VerdictOf(
            Set(0, "k", "a", 0, 1),
            CompareAndSet(1, "k", "a", "b", 2, 10, swapped: true),
            CompareAndSet(2, "k", "a", "c", 3, 11, swapped: true)));
        Assert.Equal(Verdict.Linearizable, VerdictOf(
            Set(0, "k", "a", 0, 1),
            CompareAndSet(1, "k", "a", "b", 2, 10, swapped: true),
            CompareAndSet(2, "k", "a", "c", 3, 11, swapped: false)));
    }

    [Fact]
    public void Keys_should_be_judged_apart()
    {
        var verdicts = LinearizabilityChecker.Check([
            Set(0, "a", "1", 0, 1), Get(0, "a", 2, 3, "1"),
            Set(0, "b", "1", 0, 1), Get(0, "b", 2, 3, null)]);
        Assert.Equal([("a", Verdict.Linearizable), ("b", Verdict.NotLinearizable)], verdicts.Select(v => (v.Key, v.Verdict)));
    }

    [Fact]
    public void A_violation_should_be_explained_by_the_operations_that_could_not_come_next()
    {
        var verdict = Assert.Single(LinearizabilityChecker.Check([
            Set(0, "k", "1", 0, 1),
            Set(0, "k", "2", 2, 3),
            Get(1, "k", 4, 5, "1")]));
        output.WriteLine(verdict.Explanation);
        Assert.Contains("client 1 GET k -> 1", verdict.Explanation, StringComparison.Ordinal);
        Assert.Contains("leaving the value \"2\"", verdict.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void A_search_cut_short_should_say_unknown_not_pass()
    {
        var history = RegisterHistories.Generate(new Random(7), clients: 6, operations: 60, unknownShare: 0.1);
        var verdict = LinearizabilityChecker.CheckKey("k", history, maxSteps: 5);
        Assert.Equal(Verdict.Unknown, verdict.Verdict);
    }

    // Histories of a real register (every operation takes effect at one instant within its interval) are
    // linearizable; the same history with one read's answer changed to a value never written is not.
    [Fact]
    public void Generated_histories_should_be_judged_right()
    {
        long steps = 0;
        var operations = 0;
        for (var seed = 1; seed <= 300; seed++)
        {
            var random = new Random(seed);
            var history = RegisterHistories.Generate(random, clients: 5, operations: 40, unknownShare: 0.05);
            var good = LinearizabilityChecker.CheckKey("k", history);
            Assert.True(good.Verdict == Verdict.Linearizable, $"seed {seed}: {good.Verdict}\n{good.Explanation}");
            steps += good.Steps;
            operations += history.Count;

            var reads = Enumerable.Range(0, history.Count).Where(i => history[i].Kind == OperationKind.Get && !history[i].IsIndeterminate).ToList();
            if (reads.Count == 0) continue;
            var broken = history.ToArray();
            var read = reads[random.Next(reads.Count)];
            broken[read] = broken[read] with { Result = "never-written" };
            Assert.Equal(Verdict.NotLinearizable, LinearizabilityChecker.CheckKey("k", broken).Verdict);
        }

        output.WriteLine($"{operations} operations in 300 histories checked in {steps} steps");
    }
}
