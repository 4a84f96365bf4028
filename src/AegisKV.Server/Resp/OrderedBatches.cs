using Akka.Streams;
using Akka.Streams.Stage;
using AegisKV.Core.Replies;

namespace AegisKV.Server.Resp;

/// <summary>
/// Runs a connection's batches of requests, up to <c>parallelism</c> at once, and passes their replies on in the
/// order the batches came, as <c>SelectAsync</c> does, without objects of its own per batch: every task gets the
/// one continuation the stage keeps, and one call back into the stage passes on every answer ready by then. A
/// batch whose task fails fails the stage.
/// </summary>
internal sealed class OrderedBatches(int parallelism, Func<IReadOnlyList<Incoming>, Task<Reply[]>> execute)
    : GraphStage<FlowShape<IReadOnlyList<Incoming>, Reply[]>>
{
    private readonly int _parallelism = parallelism;
    private readonly Func<IReadOnlyList<Incoming>, Task<Reply[]>> _execute = execute;
    private readonly Inlet<IReadOnlyList<Incoming>> _in = new("batches.in");
    private readonly Outlet<Reply[]> _out = new("batches.out");

    public override FlowShape<IReadOnlyList<Incoming>, Reply[]> Shape => new(_in, _out);

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly OrderedBatches _stage;
        private readonly Queue<Task<Reply[]>> _running = new();
        private readonly Action _onCompleted;
        private int _callQueued; // 1 while a call back into the stage is on its way: completions meanwhile ride on it

        public Logic(OrderedBatches stage) : base(stage.Shape)
        {
            _stage = stage;
            var passOn = GetAsyncCallback(PassOn);
            // Runs on the thread that completes a task (a shard's): only marks that there is something to pass on.
            _onCompleted = () =>
            {
                if (Interlocked.Exchange(ref _callQueued, 1) == 0) passOn();
            };
            SetHandler(stage._in, this);
            SetHandler(stage._out, this);
        }

        public override void PreStart() => Pull(_stage._in);

        public override void OnPush()
        {
            var task = _stage._execute(Grab(_stage._in));
            _running.Enqueue(task);
            if (task.IsCompleted) PassOn();
            else
            {
                task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onCompleted);
                PullIfRoom();
            }
        }

        public override void OnPull() => PassOn();

        public override void OnUpstreamFinish()
        {
            if (_running.Count == 0) CompleteStage();
        }

        // Passes on the oldest batch's replies if they are ready and wanted; the next pull comes back here.
        private void PassOn()
        {
            Volatile.Write(ref _callQueued, 0);
            if (_running.TryPeek(out var oldest) && oldest.IsCompleted && IsAvailable(_stage._out))
            {
                _running.Dequeue();
                if (!oldest.IsCompletedSuccessfully)
                {
                    var cause = oldest.Exception?.InnerException ?? new TaskCanceledException(oldest);
                    FailStage(cause);
                    return;
                }

                Push(_stage._out, oldest.Result);
            }

            if (_running.Count == 0 && IsClosed(_stage._in)) CompleteStage();
            else PullIfRoom();
        }

        private void PullIfRoom()
        {
            if (_running.Count < _stage._parallelism && !IsClosed(_stage._in) && !HasBeenPulled(_stage._in)) Pull(_stage._in);
        }
    }
}
