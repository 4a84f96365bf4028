using Akka.Actor;
using Akka.Event;
using Akka.Remote.Transport;
using AegisKV.Cluster.Security;
using Google.Protobuf;

namespace AegisKV.Cluster.Tests.Security;

/// <summary>The gossip-secret handshake between two ends of an in-memory connection.</summary>
public sealed class SecretHandshakeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Two_ends_holding_the_secret_should_both_be_admitted_and_then_pass_messages_in_order()
    {
        var (outbound, inbound) = Pipe.Create();
        var (client, server) = Run(outbound, inbound, "s3cret", "s3cret");
        var admittedClient = await client;
        var admittedServer = await server;

        var received = new List<string>();
        admittedServer.ReadHandlerSource.SetResult(new Listener(received));
        admittedClient.Write(ByteString.CopyFromUtf8("first"));
        admittedClient.Write(ByteString.CopyFromUtf8("second"));
        Assert.Equal(["first", "second"], received);
    }

    [Fact]
    public async Task Ends_with_different_secrets_should_both_refuse_and_close_the_connection()
    {
        var (outbound, inbound) = Pipe.Create();
        var (client, server) = Run(outbound, inbound, "s3cret", "other");
        Assert.Equal("it holds another gossip secret", (await Assert.ThrowsAsync<InvalidAssociationException>(() => client)).Message);
        await Assert.ThrowsAsync<InvalidAssociationException>(() => server);
        Assert.True(outbound.Closed || inbound.Closed);
    }

    [Fact]
    public async Task A_peer_that_sends_anything_but_the_handshake_should_be_refused_at_once()
    {
        var (outbound, inbound) = Pipe.Create();
        var server = new SecretHandshake(inbound, new GossipSecretSetup("s3cret", Timeout), outbound: false, NoLogger.Instance).RunAsync();
        outbound.ReadHandlerSource.SetResult(new Listener([]));
        outbound.Write(ByteString.CopyFromUtf8("an Akka.NET associate PDU"));
        Assert.StartsWith("it sent no gossip-secret handshake", (await Assert.ThrowsAsync<InvalidAssociationException>(() => server)).Message, StringComparison.Ordinal);
        Assert.True(inbound.Closed);
    }

    [Fact]
    public async Task A_proof_sent_back_to_its_maker_should_not_pass()
    {
        // A peer without the secret echoes the node's own hello and proof: the direction in the MAC tells them apart.
        var (outbound, inbound) = Pipe.Create();
        outbound.ReadHandlerSource.SetResult(new Echo(outbound));
        var server = new SecretHandshake(inbound, new GossipSecretSetup("s3cret", Timeout), outbound: false, NoLogger.Instance).RunAsync();
        Assert.Equal("it holds another gossip secret", (await Assert.ThrowsAsync<InvalidAssociationException>(() => server)).Message);
    }

    [Fact]
    public async Task A_peer_that_stays_silent_should_be_cut_after_the_handshake_timeout()
    {
        var (outbound, inbound) = Pipe.Create();
        outbound.ReadHandlerSource.SetResult(new Listener([]));
        var server = new SecretHandshake(inbound, new GossipSecretSetup("s3cret", TimeSpan.FromMilliseconds(200)), outbound: false, NoLogger.Instance).RunAsync();
        Assert.Equal("it did not prove it holds the gossip secret in time", (await Assert.ThrowsAsync<InvalidAssociationException>(() => server)).Message);
        Assert.True(inbound.Closed);
    }

    private static (Task<AssociationHandle> Client, Task<AssociationHandle> Server) Run(Pipe outbound, Pipe inbound, string clientSecret, string serverSecret) =>
        (new SecretHandshake(outbound, new GossipSecretSetup(clientSecret, Timeout), outbound: true, NoLogger.Instance).RunAsync(),
            new SecretHandshake(inbound, new GossipSecretSetup(serverSecret, Timeout), outbound: false, NoLogger.Instance).RunAsync());

    private sealed class Listener(List<string> received) : IHandleEventListener
    {
        public void Notify(IHandleEvent ev)
        {
            if (ev is InboundPayload payload) received.Add(payload.Payload.ToStringUtf8());
        }
    }

    // Answers each hello and proof with the same bytes.
    private sealed class Echo(Pipe pipe) : IHandleEventListener
    {
        public void Notify(IHandleEvent ev)
        {
            if (ev is InboundPayload payload) pipe.Write(payload.Payload);
        }
    }

    /// <summary>One end of an in-memory connection: what it writes arrives at the other end's listener.</summary>
    private sealed class Pipe(Address local, Address remote) : AssociationHandle(local, remote)
    {
        private Pipe? _peer;

        public bool Closed { get; private set; }

        public static (Pipe Outbound, Pipe Inbound) Create()
        {
            var a = new Address("akka.tcp", "aegis", "127.0.0.1", 1);
            var b = new Address("akka.tcp", "aegis", "127.0.0.1", 2);
            var outbound = new Pipe(a, b);
            var inbound = new Pipe(b, a);
            outbound._peer = inbound;
            inbound._peer = outbound;
            return (outbound, inbound);
        }

        public override bool Write(ByteString payload)
        {
            if (Closed) return false;
            _peer!.Deliver(new InboundPayload(payload));
            return true;
        }

        [Obsolete("Akka.NET marks the reasonless form obsolete; it is still the one to override.")]
        public override void Disassociate()
        {
            if (Closed) return;
            Closed = true;
            _peer!.Closed = true;
            _peer.Deliver(new Disassociated(DisassociateInfo.Unknown));
        }

        private void Deliver(IHandleEvent ev) =>
            ReadHandlerSource.Task.ContinueWith(t => t.Result.Notify(ev), TaskContinuationOptions.ExecuteSynchronously);
    }
}
