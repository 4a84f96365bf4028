using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote.Transport;

namespace AegisKV.Cluster.Security;

/// <summary>
/// Akka.Remote's TCP transport with a gate in front: every connection, inbound or outbound, first runs
/// <see cref="SecretHandshake"/>, and only a connection whose other end proved it holds the gossip secret is handed
/// up to Akka's protocol layer. Before that, no byte of the other side reaches an actor, so a process without the
/// secret can neither join nor send a shard message. Its addresses are the TCP transport's (<c>akka.tcp</c>, or <c>akka.ssl.tcp</c> with TLS).
/// </summary>
/// <remarks>
/// Akka.Remote makes it as the TCP transport's driver (<c>transport-class</c>), keyed by the actor system's
/// <see cref="GossipSecretSetup"/>. It is not a transport adapter: Akka.NET 1.5 reads <c>akka.remote.adapters</c>
/// back with its quotes, so no adapter type named there can be loaded.
/// </remarks>
public sealed class GossipSecretTransport : Transport
{
    // The transport Akka.Remote would have made: internal to it, so made by name, as Akka.Remote makes it.
    private const string TcpTransportType = "Akka.Remote.Transport.DotNetty.TcpTransport, Akka.Remote";

    private readonly Transport _wrapped;
    private readonly GossipSecretSetup _setup;
    private readonly ILoggingAdapter _log;

    /// <summary>Made by Akka.Remote for <paramref name="system"/> with the transport's <paramref name="config"/>.</summary>
    public GossipSecretTransport(ActorSystem system, Config config)
    {
        // Without the setup there is no key: refusing to start beats running open.
        var setup = system.Settings.Setup.Get<GossipSecretSetup>();
        if (!setup.HasValue) throw new InvalidOperationException($"{nameof(GossipSecretTransport)} needs a {nameof(GossipSecretSetup)} in the actor system's setup");
        _setup = setup.Value;
        _wrapped = (Transport)Activator.CreateInstance(Type.GetType(TcpTransportType, throwOnError: true)!, system, config)!;
        _log = Logging.GetLogger(system, typeof(GossipSecretTransport));
        System = system;
        Config = config;
    }

    /// <inheritdoc />
    public override string SchemeIdentifier => _wrapped.SchemeIdentifier;

    /// <inheritdoc />
    public override long MaximumPayloadBytes => _wrapped.MaximumPayloadBytes;

    /// <inheritdoc />
    public override async Task<(Address, TaskCompletionSource<IAssociationEventListener>)> Listen()
    {
        var (address, wrappedListener) = await _wrapped.Listen().ConfigureAwait(false);
        var upstream = new TaskCompletionSource<IAssociationEventListener>(TaskCreationOptions.RunContinuationsAsynchronously);
        wrappedListener.TrySetResult(new InboundGate(this, upstream.Task));
        return (address, upstream);
    }

    /// <inheritdoc />
    public override bool IsResponsibleFor(Address remote) => _wrapped.IsResponsibleFor(remote);

    /// <inheritdoc />
    public override async Task<AssociationHandle> Associate(Address remoteAddress)
    {
        var handle = await _wrapped.Associate(remoteAddress).ConfigureAwait(false);
        try
        {
            return await new SecretHandshake(handle, _setup, outbound: true, _log).RunAsync().ConfigureAwait(false);
        }
        catch (InvalidAssociationException e)
        {
            Refused(remoteAddress, e.Message);
            throw;
        }
    }

    /// <inheritdoc />
    public override Task<bool> Shutdown() => _wrapped.Shutdown();

    /// <inheritdoc />
    public override Task<bool> ManagementCommand(object message) => _wrapped.ManagementCommand(message);

    private void Refused(Address remote, string reason)
    {
        _setup.Metrics?.GossipRefusals.Add(1);
        _log.Warning("Refused a node-to-node connection with {0}: {1}", remote, reason);
    }

    // Inbound connections wait here for their handshake; Akka's protocol layer hears only of those that pass it.
    private sealed class InboundGate(GossipSecretTransport transport, Task<IAssociationEventListener> upstream) : IAssociationEventListener
    {
        public void Notify(IAssociationEvent ev)
        {
            if (ev is InboundAssociation inbound) _ = AdmitAsync(inbound.Association);
        }

        private async Task AdmitAsync(AssociationHandle handle)
        {
            AssociationHandle admitted;
            try
            {
                admitted = await new SecretHandshake(handle, transport._setup, outbound: false, transport._log).RunAsync().ConfigureAwait(false);
            }
            catch (InvalidAssociationException e)
            {
                transport.Refused(handle.RemoteAddress, e.Message);
                return;
            }

            (await upstream.ConfigureAwait(false)).Notify(new InboundAssociation(admitted));
        }
    }
}
