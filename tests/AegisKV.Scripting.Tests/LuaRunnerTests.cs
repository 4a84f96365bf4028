using System.Text;
using AegisKV.Core.Replies;
using AegisKV.Core.Scripting;

namespace AegisKV.Scripting.Tests;

/// <summary>The interpreter on its own: Redis's conversions, the sandbox, the time limit, SCRIPT KILL and the memory cap.</summary>
public sealed class LuaRunnerTests : IDisposable
{
    private readonly LuaScriptEngine _engine = new(TimeSpan.FromMilliseconds(100), 8L << 20);
    private readonly IScriptRunner _runner;
    private readonly List<string> _calls = [];

    public LuaRunnerTests() => _runner = _engine.CreateRunner(0);

    public void Dispose() => _runner.Dispose();

    private Reply Run(string body, Func<byte[][], Reply>? call = null, bool readOnly = false) =>
        _runner.Run(new ScriptInvocation(Encoding.UTF8.GetBytes(body), ScriptCache.ShaOf(Encoding.UTF8.GetBytes(body)), [], [], readOnly),
            call ?? (line =>
            {
                _calls.Add(string.Join(' ', line.Select(Encoding.UTF8.GetString)));
                return Reply.Ok;
            }));

    private static string Text(Reply reply) => reply switch
    {
        ErrorReply e => "-" + Encoding.UTF8.GetString(e.Message),
        SimpleReply s => "+" + Encoding.UTF8.GetString(s.Value),
        IntegerReply i => ":" + i.Value,
        BulkReply { Value: null } => "nil",
        BulkReply b => Encoding.UTF8.GetString(b.Value),
        ArrayReply { Items: { } items } => "[" + string.Join(",", items.Select(Text)) + "]",
        _ => reply.ToString(),
    };

    [Theory]
    [InlineData("return 3.99", ":3")]
    [InlineData("return -2.5", ":-2")]
    [InlineData("return 'text'", "text")]
    [InlineData("return true", ":1")]
    [InlineData("return false", "nil")]
    [InlineData("return nil", "nil")]
    [InlineData("return {1, 'a', {2}, nil, 3}", "[:1,a,[:2]]")]
    [InlineData("return {ok = 'FINE'}", "+FINE")]
    [InlineData("return {err = 'BAD thing'}", "-BAD thing")]
    [InlineData("return redis.call('SET', 'k', 12)", "+OK")]
    [InlineData("return type(redis.call('SET', 'k', 1.5))", "table")]
    [InlineData("return unpack({7, 8})", ":7")]
    public void Values_should_convert_as_Redis_converts_them(string body, string expected) => Assert.Equal(expected, Text(Run(body)));

    [Theory]
    [InlineData("os")]
    [InlineData("io")]
    [InlineData("debug")]
    [InlineData("package")]
    [InlineData("require")]
    [InlineData("dofile")]
    [InlineData("loadfile")]
    [InlineData("print")]
    public void The_sandbox_should_have_no_way_out(string global) =>
        Assert.StartsWith($"-ERR user_script:1: Script attempted to access nonexistent global variable '{global}'", Text(Run($"return {global}")));

    [Fact]
    public void Binary_chunks_should_not_load() =>
        Assert.Equal("nil", Text(Run("return load('\\27Lua', 'x', 'b')")));

    [Fact]
    public void Numbers_should_reach_commands_as_Redis_writes_them()
    {
        Run("redis.call('SET', 'k', 12, 1.5, 3.0)");
        Assert.Equal("SET k 12 1.5 3", Assert.Single(_calls));
    }

    [Fact]
    public void A_read_only_script_should_not_write() =>
        Assert.StartsWith("-ERR Write commands are not allowed from read-only scripts.", Text(Run("return redis.call('SET', 'k', 'v')", readOnly: true)));

    [Fact]
    public async Task A_script_past_the_time_limit_should_make_its_shard_busy_and_stop_at_SCRIPT_KILL()
    {
        var running = Task.Run(() => Run("local i = 0 while true do i = i + 1 end"));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!_engine.Monitor.IsBusy(0) && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.True(_engine.Monitor.IsBusy(0));
        Assert.Equal("+OK", Text(_engine.Monitor.Kill()));
        Assert.StartsWith("-ERR Script killed by user with SCRIPT KILL...", Text(await running.WaitAsync(TimeSpan.FromSeconds(10))));
        Assert.False(_engine.Monitor.IsBusy(0));
        Assert.Equal(":1", Text(Run("return 1")));
    }

    [Fact]
    public async Task A_script_that_wrote_should_not_be_killed()
    {
        var running = Task.Run(() => Run("redis.call('SET', 'k', 'v') local i = 0 while i < 30000000 do i = i + 1 end return i"));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!_engine.Monitor.IsBusy(0) && !running.IsCompleted && DateTime.UtcNow < deadline) await Task.Delay(10);
        if (!running.IsCompleted) Assert.StartsWith("-UNKILLABLE", Text(_engine.Monitor.Kill()));
        Assert.Equal(":30000000", Text(await running.WaitAsync(TimeSpan.FromSeconds(60))));
    }

    [Fact]
    public void A_script_over_the_memory_cap_should_stop_and_the_next_should_run()
    {
        Assert.StartsWith("-ERR Script used more than the 8 MB", Text(Run("local t = {} for i = 1, 10000000 do t[i] = string.rep('x', 64) .. i end")));
        Assert.Equal(":2", Text(Run("return 1 + 1")));
    }

    [Fact]
    public void SCRIPT_KILL_with_nothing_running_should_say_so() =>
        Assert.Equal("-NOTBUSY No scripts in execution right now.", Text(_engine.Monitor.Kill()));
}
