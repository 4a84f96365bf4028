using Akka.IO;
using Akka.Streams;
using Akka.Streams.Stage;

namespace AegisKV.Server.Resp;

/// <summary>
/// Sits on a connection's incoming bytes. When <paramref name="drain"/> completes it stops
/// passing bytes on — the requests already read finish and their replies are flushed — but keeps
/// reading and discarding from the socket until the client closes: cancelling the read side of
/// an Akka TCP connection aborts it with a reset, which would lose replies still being written.
/// </summary>
internal sealed class DrainStage(Task drain) : GraphStage<FlowShape<ByteString, ByteString>>
{
    private readonly Inlet<ByteString> _in = new("drain.in");
    private readonly Outlet<ByteString> _out = new("drain.out");
    private readonly Task _drain = drain;

    public override FlowShape<ByteString, ByteString> Shape => new(_in, _out);

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly DrainStage _stage;
        private bool _draining;

        public Logic(DrainStage stage) : base(stage.Shape)
        {
            _stage = stage;
            SetHandler(stage._in, this);
            SetHandler(stage._out, this);
        }

        public override void PreStart()
        {
            var startDraining = GetAsyncCallback(StartDraining);
            _stage._drain.ContinueWith(_ => startDraining(), TaskScheduler.Default);
        }

        public override void OnPush()
        {
            var bytes = Grab(_stage._in);
            if (_draining) Pull(_stage._in);
            else Push(_stage._out, bytes);
        }

        public override void OnPull()
        {
            if (!HasBeenPulled(_stage._in)) Pull(_stage._in);
        }

        private void StartDraining()
        {
            if (_draining) return;
            _draining = true;
            Complete(_stage._out);
            if (!IsClosed(_stage._in) && !HasBeenPulled(_stage._in)) Pull(_stage._in);
        }

        // Once draining, the rest of the flow is finishing on its own: only the socket is read.
        public override void OnDownstreamFinish(Exception cause)
        {
            if (!_draining) base.OnDownstreamFinish(cause);
        }
    }
}
