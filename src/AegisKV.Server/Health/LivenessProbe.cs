using System.Diagnostics;
using Akka.Actor;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AegisKV.Server.Health;

/// <summary>
/// Whether the node can still serve, for <c>/live</c>: once a second a thread of its own checks that
/// the thread pool runs a work item and the actor system runs a message; either stuck for
/// <see cref="StuckAfter"/>, or an <see cref="OutOfMemoryException"/> anywhere, and the node is not
/// live, so an orchestrator restarts it rather than leave it half-dead.
/// </summary>
public sealed class LivenessProbe : IDisposable
{
    /// <summary>How long the thread pool or the actor system may be stuck before the node is not live.</summary>
    public static readonly TimeSpan StuckAfter = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _stop = new();
    private readonly IActorRef _pinger;
    private long _poolRan = Stopwatch.GetTimestamp();
    private long _actorRan = Stopwatch.GetTimestamp();
    private string? _outOfMemory;

    /// <summary>Starts probing <paramref name="system"/> and the thread pool.</summary>
    public LivenessProbe(ActorSystem system)
    {
        _pinger = system.ActorOf(Props.Create(() => new Pinger(this)), "liveness");
        AppDomain.CurrentDomain.FirstChanceException += OnException;
        new Thread(Run) { IsBackground = true, Name = "aegis-liveness" }.Start();
    }

    /// <summary>The verdict, with the reason when the node is not live.</summary>
    public HealthCheckResult Check() => Judge(Stopwatch.GetElapsedTime(Volatile.Read(ref _poolRan)), Stopwatch.GetElapsedTime(Volatile.Read(ref _actorRan)), _outOfMemory);

    /// <summary>The rule, apart from the clock: for tests.</summary>
    public static HealthCheckResult Judge(TimeSpan poolIdle, TimeSpan actorsIdle, string? outOfMemory)
    {
        if (outOfMemory is not null) return HealthCheckResult.Unhealthy("out of memory: " + outOfMemory);
        if (poolIdle > StuckAfter) return HealthCheckResult.Unhealthy($"thread pool starved: no work item ran for {poolIdle.TotalSeconds:F0} s");
        if (actorsIdle > StuckAfter) return HealthCheckResult.Unhealthy($"actor system unresponsive: no message handled for {actorsIdle.TotalSeconds:F0} s");
        return HealthCheckResult.Healthy("serving");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        AppDomain.CurrentDomain.FirstChanceException -= OnException;
        _stop.Cancel();
    }

    private void Run()
    {
        while (!_stop.Token.WaitHandle.WaitOne(Period))
        {
            ThreadPool.UnsafeQueueUserWorkItem(static probe => Volatile.Write(ref probe._poolRan, Stopwatch.GetTimestamp()), this, preferLocal: false);
            _pinger.Tell(Pinger.Ping.Instance);
        }
    }

    // Only a heap that is really full counts: an allocation too large for any array (a client asking for
    // huge replies) also throws OutOfMemoryException, is handled where it happens, and says nothing of the node.
    private void OnException(object? sender, System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs e)
    {
        if (e.Exception is not OutOfMemoryException oom || _outOfMemory is not null) return;
        var memory = GC.GetGCMemoryInfo();
        if (memory.HeapSizeBytes >= memory.TotalAvailableMemoryBytes * 9 / 10 || memory.MemoryLoadBytes >= memory.HighMemoryLoadThresholdBytes)
            _outOfMemory = oom.Message;
    }

    private sealed class Pinger(LivenessProbe probe) : UntypedActor
    {
        protected override void OnReceive(object message) => Volatile.Write(ref probe._actorRan, Stopwatch.GetTimestamp());

        public sealed class Ping
        {
            public static readonly Ping Instance = new();
        }
    }
}
