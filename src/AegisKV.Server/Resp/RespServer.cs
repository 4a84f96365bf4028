using System.Net.Security;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using AegisKV.Server.Network;
using AegisKV.Server.Network.Tls;
using Microsoft.Extensions.Logging;

namespace AegisKV.Server.Resp;

/// <summary>
/// The client listener: an accept loop of its own, one Akka.Streams protocol flow per connection.
/// Requests that arrive in one read are run as one batch; replies leave in request order, and up to
/// <see cref="PipelineDepth"/> batches of one connection are in flight at once. Stopping closes the
/// listener first, then lets every connection finish the requests it has read and flush their
/// replies, within the drain timeout; connections left then are cut.
/// </summary>
public sealed class RespServer
{
    /// <summary>Reads (batches of requests) of one connection that may wait for shards at the same time.</summary>
    public const int PipelineDepth = 64;

    private static readonly byte[] MaxClientsReached = "-ERR max number of clients reached\r\n"u8.ToArray();

    private readonly NodeContext _node;
    private readonly ActorSystem _system;
    private readonly ILogger _log;
    private readonly ClientRegistry _clients;
    private readonly RequestBudget _requestBudget;
    private readonly ServerCertificate? _certificate;
    private IMaterializer? _materializer;
    private ClientListener? _listener;
    private ClientListener? _tlsListener;
    private Socket? _bound;
    private Socket? _tlsBound;
    private long _lastHandshakeLog = long.MinValue;
    private long _lastRejectLog = long.MinValue;

    /// <summary>
    /// Creates the server; nothing is bound until <see cref="StartAsync"/>, except <paramref name="bound"/> and
    /// <paramref name="tlsBound"/>, client ports reserved already (a port 0 chosen before the node started), which it
    /// listens on then. With <paramref name="certificate"/>, TLS clients are served on <c>--tls-bind</c>.
    /// </summary>
    public RespServer(NodeContext node, ActorSystem system, ILogger<RespServer> log, Socket? bound = null,
        ServerCertificate? certificate = null, Socket? tlsBound = null)
    {
        _bound = bound;
        _tlsBound = tlsBound;
        _certificate = certificate;
        _node = node;
        _system = system;
        _log = log;
        _clients = new ClientRegistry(node.Settings.Clients);
        _requestBudget = new RequestBudget(node.Settings.Clients.MaxBufferedRequests);
    }

    /// <summary>Open client connections.</summary>
    public int Connections => _clients.Count;

    /// <summary>Binds the client ports (plain, TLS or both) and starts accepting connections.</summary>
    /// <exception cref="SocketException">A client address cannot be bound.</exception>
    public Task StartAsync()
    {
        _materializer = _system.Materializer(namePrefix: "resp");
        if (_node.Settings.Bind is { } bind)
        {
            _listener = ClientListener.Start(bind.Host, bind.Port, ClientListener.Backlog, socket => Accept(socket, null), _log, Interlocked.Exchange(ref _bound, null));
            _node.ClientPort = _listener.LocalEndPoint.Port;
            _log.LogDebug("Listening for RESP clients on {Endpoint}", _listener.LocalEndPoint);
        }

        if (_node.Settings.Tls is { } tls && _certificate is not null)
        {
            _tlsListener = ClientListener.Start(tls.Bind.Host, tls.Bind.Port, ClientListener.Backlog, AcceptTls, _log, Interlocked.Exchange(ref _tlsBound, null));
            _node.TlsPort = _tlsListener.LocalEndPoint.Port;
            if (_node.Settings.Bind is null) _node.ClientPort = _node.TlsPort;
            _log.LogDebug("Listening for TLS clients on {Endpoint}", _tlsListener.LocalEndPoint);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops taking requests: the port is released, and every open connection finishes the requests
    /// it has read, flushes their replies and closes.
    /// </summary>
    public async Task UnbindAsync()
    {
        var listener = Interlocked.Exchange(ref _listener, null);
        var tlsListener = Interlocked.Exchange(ref _tlsListener, null);
        if (listener is null && tlsListener is null) return;
        if (listener is not null) await listener.DisposeAsync().ConfigureAwait(false);
        if (tlsListener is not null) await tlsListener.DisposeAsync().ConfigureAwait(false);
        _log.LogInformation("Stopped taking RESP requests; draining {Connections} connections", _clients.Count);
        _clients.DrainAll();
    }

    /// <summary>Drains as <see cref="UnbindAsync"/> does, then cuts the connections left after <paramref name="drainTimeout"/>.</summary>
    public async Task DrainAsync(TimeSpan drainTimeout)
    {
        await UnbindAsync().ConfigureAwait(false);
        var drained = _clients.WhenEmpty;
        if (await Task.WhenAny(drained, Task.Delay(drainTimeout)).ConfigureAwait(false) != drained)
        {
            _log.LogWarning("Drain timeout: cutting {Connections} connections", _clients.Count);
            _clients.CloseAll("drain timeout");
            await Task.WhenAny(drained, Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
        }

        _clients.Dispose();
    }

    private void Accept(Socket socket, SslStream? tls)
    {
        if (tls is null && !_clients.TryReserve())
        {
            Reject(socket);
            return;
        }

        var id = _node.Statistics.ConnectionOpened();
        _node.Metrics.ConnectionOpened();
        var connection = new ClientConnection(id, socket, Closed, tls);
        var client = new ClientInfo(id, connection.Remote, socket.LocalEndPoint?.ToString() ?? "?", connection.Close) { IsTls = tls is not null };
        var inbox = new ReplyInbox(_system, _node.Region, _node.LocalShards, _node.Settings.Shards, _node.Settings.RequestTimeout, _node.Metrics, client, _node.Gate,
            _node.Topology?.IsCluster == true ? _node.Settings.MaxClusterMessageBytes : 0, _node.ScriptMonitor);
        connection.Own(inbox);
        connection.OnInputEnded(inbox.CancelBlocking);
        var limits = _node.Settings.Clients;
        var framer = new RequestFramer(_node.Settings.Limits, limits.MaxQueryBuffer, _requestBudget);
        connection.Own(framer);
        _clients.Add(connection);
        try
        {
            var push = new ReplyPush();
            var session = new ClientSession(_node, inbox, client, push);
            connection.Own(session);
            _node.Clients.Add(client);
            Flow.FromGraph(new SocketStage(connection, _log))
                .Join(ProtocolFlow(session, framer, limits.MaxOutputBuffer, push))
                .Run(_materializer!);
        }
        catch (Exception)
        {
            connection.Closed();
            throw;
        }
    }

    // The place is claimed before the handshake, so that clients stuck in theirs count against the limit too.
    private void AcceptTls(Socket socket)
    {
        if (!_clients.TryReserve())
        {
            // Over TLS, a plain-text refusal would read as garbage: the client sees its handshake fail.
            _node.Statistics.ConnectionRejected();
            socket.Dispose();
            return;
        }

        _ = HandshakeAsync(socket);
    }

    private async Task HandshakeAsync(Socket socket)
    {
        var remote = socket.RemoteEndPoint?.ToString() ?? "?";
        SslStream tls;
        try
        {
            tls = await TlsHandshake.RunAsync(socket, _certificate!).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _clients.Release();
            _node.Metrics.TlsHandshakeFailed();
            LogHandshakeFailure(remote, e);
            socket.Dispose();
            return;
        }

        try
        {
            Accept(socket, tls);
        }
        catch (Exception e)
        {
            _log.LogWarning(e, "Could not start a TLS client connection");
        }
    }

    // Scanners and plain-text clients on the TLS port are common: one line per ten seconds at most.
    private void LogHandshakeFailure(string remote, Exception e)
    {
        if (!TakeLogTurn(ref _lastHandshakeLog)) return;
        var why = e is OperationCanceledException ? "it took longer than aegis.tls.handshake-timeout" : e.InnerException?.Message ?? e.Message;
        _log.LogInformation("TLS handshake with {Remote} failed: {Reason} (aegis_tls_handshake_failures_total counts them all)", remote, why);
    }

    // True at most once per ten seconds per counter: storms of refused clients or failed handshakes must not flood the log.
    private static bool TakeLogTurn(ref long lastLogged)
    {
        var now = Environment.TickCount64;
        var last = Volatile.Read(ref lastLogged);
        return now - last >= 10_000 && Interlocked.CompareExchange(ref lastLogged, now, last) == last;
    }

    private void Closed(ClientConnection connection)
    {
        _node.Clients.Remove(connection.Id);
        _clients.Remove(connection);
        _node.Statistics.ConnectionClosed();
        _node.Metrics.ConnectionClosed();
    }

    // As Redis: the client learns why before the connection closes.
    private void Reject(Socket socket)
    {
        _node.Statistics.ConnectionRejected();
        // One line per ten seconds at most: a storm of refused clients must not flood the log.
        if (TakeLogTurn(ref _lastRejectLog))
            _log.LogWarning("Refusing clients: max number of clients ({Max}) reached", _node.Settings.Clients.MaxClients);
        try
        {
            socket.Blocking = false;
            socket.Send(MaxClientsReached, SocketFlags.None, out _);
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // The client is gone already.
        }

        socket.Dispose();
    }

    private static Flow<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>, Akka.NotUsed> ProtocolFlow(ClientSession session, RequestFramer framer, long maxOutputBuffer, ReplyPush push) =>
        Flow.Create<ReadOnlyMemory<byte>>()
            .Select(framer.Feed)
            .Where(static requests => requests.Count > 0)
            .Via(new OrderedBatches(PipelineDepth, session.ExecuteBatchAsync))
            .Via(new ReplyWriter(maxOutputBuffer, push));
}
