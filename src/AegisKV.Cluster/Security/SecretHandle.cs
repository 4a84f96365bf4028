using Akka.Event;
using Akka.Remote.Transport;
using Google.Protobuf;

namespace AegisKV.Cluster.Security;

/// <summary>
/// A node-to-node connection that passed <see cref="SecretHandshake"/>, as Akka's protocol layer sees it: writes go
/// straight through; what arrives before that layer listens is kept and handed over, in order, once it does.
/// </summary>
internal sealed class SecretHandle : AssociationHandle
{
    private readonly AssociationHandle _wrapped;
    private readonly ILoggingAdapter _log;
    private readonly object _gate = new();
    private readonly Queue<IHandleEvent> _early = new();
    private IHandleEventListener? _listener;

    public SecretHandle(AssociationHandle wrapped, ILoggingAdapter log) : base(wrapped.LocalAddress, wrapped.RemoteAddress)
    {
        _wrapped = wrapped;
        _log = log;
        ReadHandlerSource.Task.ContinueWith(t => Listen(t.Result), TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously);
    }

    public override bool Write(ByteString payload) => _wrapped.Write(payload);

    [Obsolete("Akka.NET marks the reasonless form obsolete; it is still the one to override.")]
    public override void Disassociate() => _wrapped.Disassociate("the protocol layer closed it", _log);

    /// <summary>Passes an event of the connection up, or keeps it until the protocol layer listens.</summary>
    public void Deliver(IHandleEvent ev)
    {
        lock (_gate)
        {
            if (_listener is null) _early.Enqueue(ev);
            else _listener.Notify(ev);
        }
    }

    private void Listen(IHandleEventListener listener)
    {
        lock (_gate)
        {
            while (_early.TryDequeue(out var ev)) listener.Notify(ev);
            _listener = listener;
        }
    }
}
