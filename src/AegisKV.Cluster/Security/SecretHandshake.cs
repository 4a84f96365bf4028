using System.Security.Cryptography;
using Akka.Event;
using Akka.Remote.Transport;
using Google.Protobuf;

namespace AegisKV.Cluster.Security;

/// <summary>
/// The mutual challenge-response at the start of a node-to-node connection. Each side sends a fresh nonce; on
/// the other's nonce each answers with HMAC-SHA256(key, its direction, its nonce, the other's nonce); each checks
/// the other's answer before anything else passes. Fresh nonces on both sides defeat replay, and the direction in
/// the MAC defeats sending a side's own answer back to it. The secret itself never crosses the wire.
/// </summary>
internal sealed class SecretHandshake : IHandleEventListener
{
    private const byte Hello = 0xA1;
    private const byte Proof = 0xA2;
    private const byte Version = 1;
    private const int NonceLength = 32;

    private readonly AssociationHandle _wrapped;
    private readonly GossipSecretSetup _setup;
    private readonly bool _outbound;
    private readonly ILoggingAdapter _log;
    private readonly byte[] _nonce = RandomNumberGenerator.GetBytes(NonceLength);
    private readonly TaskCompletionSource<AssociationHandle> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _gate = new();
    private byte[]? _peerNonce;
    private SecretHandle? _admitted;
    private Timer? _timeout;

    public SecretHandshake(AssociationHandle wrapped, GossipSecretSetup setup, bool outbound, ILoggingAdapter log)
    {
        _wrapped = wrapped;
        _setup = setup;
        _outbound = outbound;
        _log = log;
    }

    /// <summary>Runs the handshake: the connection for Akka's protocol layer, or <see cref="InvalidAssociationException"/>.</summary>
    public Task<AssociationHandle> RunAsync()
    {
        // The hello goes out before anything is read: the answer to the other side's hello must follow it on the wire.
        _wrapped.Write(ByteString.CopyFrom([Hello, Version, .. _nonce]));
        _timeout = new Timer(_ => Fail("it did not prove it holds the gossip secret in time"), null, _setup.HandshakeTimeout, Timeout.InfiniteTimeSpan);
        _wrapped.ReadHandlerSource.TrySetResult(this);
        return _result.Task;
    }

    public void Notify(IHandleEvent ev)
    {
        // Once admitted, the connection's events belong to Akka's protocol layer, in the order they came.
        if (Volatile.Read(ref _admitted) is { } admitted)
        {
            admitted.Deliver(ev);
            return;
        }

        lock (_gate)
        {
            if (_admitted is not null)
            {
                _admitted.Deliver(ev);
                return;
            }

            switch (ev)
            {
                case InboundPayload payload:
                    Received(payload.Payload.Span);
                    break;
                case Disassociated:
                    Fail("the connection closed before the handshake ended: the other side may hold another gossip secret");
                    break;
                case UnderlyingTransportError:
                    Fail("the connection failed during the handshake");
                    break;
            }
        }
    }

    private void Received(ReadOnlySpan<byte> message)
    {
        if (_peerNonce is null)
        {
            if (message.Length != 2 + NonceLength || message[0] != Hello || message[1] != Version)
            {
                Fail("it sent no gossip-secret handshake (a node without --gossip-secret, or not a node)");
                return;
            }

            _peerNonce = message[2..].ToArray();
            _wrapped.Write(ByteString.CopyFrom([Proof, .. Mac(_outbound, _nonce, _peerNonce)]));
            return;
        }

        if (message.Length != 1 + 32 || message[0] != Proof)
        {
            Fail("it broke off the gossip-secret handshake");
            return;
        }

        if (!CryptographicOperations.FixedTimeEquals(message[1..], Mac(!_outbound, _peerNonce, _nonce)))
        {
            Fail("it holds another gossip secret");
            return;
        }

        _timeout?.Dispose();
        var admitted = new SecretHandle(_wrapped, _log);
        Volatile.Write(ref _admitted, admitted);
        _result.TrySetResult(admitted);
    }

    // HMAC(key, label, direction, the sender's nonce, the receiver's nonce).
    private byte[] Mac(bool outbound, byte[] senderNonce, byte[] receiverNonce)
    {
        Span<byte> input = stackalloc byte[16 + 1 + 2 * NonceLength];
        "aegis-gossip-v1\n"u8.CopyTo(input);
        input[16] = outbound ? (byte)'o' : (byte)'i';
        senderNonce.CopyTo(input[17..]);
        receiverNonce.CopyTo(input[(17 + NonceLength)..]);
        return HMACSHA256.HashData(_setup.Key, input);
    }

    private void Fail(string reason)
    {
        lock (_gate)
        {
            if (_admitted is not null || !_result.TrySetException(new InvalidAssociationException(reason))) return;
        }

        _timeout?.Dispose();
        _wrapped.Disassociate(reason, _log);
    }
}
