using System.Buffers;
using System.Net;
using Akka;
using Akka.Actor;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using AegisKV.Core.Replies;
using Microsoft.Extensions.Logging;

namespace AegisKV.Server.Resp;

/// <summary>
/// The client listener: Akka.Streams TCP, one protocol flow per connection. Requests that arrive
/// in one read are run as one batch; replies leave in request order, and up to
/// <see cref="PipelineDepth"/> batches of one connection are in flight at once. Stopping unbinds first, then lets every connection finish the requests
/// it has read and flush their replies, within the drain timeout.
/// </summary>
public sealed class RespServer
{
    /// <summary>Reads (batches of requests) of one connection that may wait for shards at the same time.</summary>
    public const int PipelineDepth = 64;

    private readonly NodeContext _node;
    private readonly ActorSystem _system;
    private readonly ILogger _log;
    private readonly SharedKillSwitch _connections = KillSwitches.Shared("client-connections");
    private readonly TaskCompletionSource _allClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _drain = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Akka.Streams.Dsl.Tcp.ServerBinding? _binding;
    private int _open;
    private volatile bool _draining;

    /// <summary>Creates the listener; nothing is bound until <see cref="StartAsync"/>.</summary>
    public RespServer(NodeContext node, ActorSystem system, ILogger<RespServer> log)
    {
        _node = node;
        _system = system;
        _log = log;
    }

    /// <summary>Binds the client port and starts accepting connections.</summary>
    public async Task StartAsync()
    {
        var bind = _node.Settings.Bind;
        var materializer = _system.Materializer(namePrefix: "resp");
        var any = bind.IsAnyAddress ? (bind.Host == "0.0.0.0" ? IPAddress.Any : IPAddress.IPv6Any) : null;
        var connections = TcpListenSource.Create(_system, any, bind.Host, bind.Port, backlog: 1024, halfClose: true);
        var binding = await connections
            .To(Sink.ForEach<Akka.Streams.Dsl.Tcp.IncomingConnection>(connection => Accept(connection, materializer)))
            .Run(materializer)
            .ConfigureAwait(false);
        _binding = binding;
        _node.ClientPort = ((IPEndPoint)binding.LocalAddress).Port;
        _log.LogInformation("Listening for RESP clients on {Endpoint}", binding.LocalAddress);
    }

    /// <summary>
    /// Stops taking requests: every open connection finishes the requests it has read, flushes
    /// their replies and closes; a connection accepted from now on is closed at once.
    /// </summary>
    public Task UnbindAsync()
    {
        if (_binding is null || _draining) return Task.CompletedTask;
        _draining = true;
        _log.LogInformation("Stopped taking RESP requests; draining {Connections} connections", Volatile.Read(ref _open));
        _drain.TrySetResult();
        if (Volatile.Read(ref _open) == 0) _allClosed.TrySetResult();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Waits until every connection has flushed its replies and closed, aborting those left after
    /// <paramref name="drainTimeout"/>, then releases the port. The port is released last because
    /// Akka's TCP listener owns its connections: unbinding earlier would reset them mid-reply.
    /// </summary>
    public async Task DrainAsync(TimeSpan drainTimeout)
    {
        await UnbindAsync().ConfigureAwait(false);
        if (_binding is not { } binding) return;
        var finished = await Task.WhenAny(_allClosed.Task, Task.Delay(drainTimeout)).ConfigureAwait(false);
        if (finished != _allClosed.Task)
        {
            _log.LogWarning("Drain timeout: closing {Connections} connections with requests in flight", Volatile.Read(ref _open));
            _connections.Abort(new TimeoutException("drain timeout"));
        }

        // A flow completes once its last reply is handed to the TCP stage; give the socket writes a
        // moment to leave before the listener (and with it every connection actor) goes away.
        await Task.Delay(TimeSpan.FromMilliseconds(200)).ConfigureAwait(false);
        _binding = null;
        await binding.Unbind().ConfigureAwait(false);
    }

    private void Accept(Akka.Streams.Dsl.Tcp.IncomingConnection connection, IMaterializer materializer)
    {
        // While draining a new connection gets the same flow: it is already drained, so it closes at once.
        Interlocked.Increment(ref _open);
        var id = _node.Statistics.ConnectionOpened();
        var inbox = new ReplyInbox(_system, _node.Region, _node.LocalShards, _node.Settings.Shards, _node.Settings.RequestTimeout, _node.Metrics);
        try
        {
            var session = new ClientSession(_node, inbox, id, connection.RemoteAddress.ToString() ?? "?");
            var completion = connection.HandleWith(ProtocolFlow(session), materializer);
            completion.ContinueWith(_ =>
            {
                inbox.Dispose();
                Closed();
            }, TaskScheduler.Default);
        }
        catch (Exception e)
        {
            // One connection that cannot start must not stop the listener or hold up a drain.
            _log.LogWarning(e, "Could not start a RESP connection from {Remote}", connection.RemoteAddress);
            inbox.Dispose();
            Closed();
        }
    }

    private void Closed()
    {
        _node.Statistics.ConnectionClosed();
        if (Interlocked.Decrement(ref _open) == 0 && _draining) _allClosed.TrySetResult();
    }

    private Flow<ByteString, ByteString, Task<Done>> ProtocolFlow(ClientSession session)
    {
        var framer = new RequestFramer(_node.Settings.Limits);
        return Flow.Create<ByteString>()
            .Via(_connections.Flow<ByteString>())
            .Via(new DrainStage(_drain.Task))
            .Select(framer.Feed)
            .Where(static requests => requests.Count > 0)
            .SelectAsync(PipelineDepth, session.ExecuteBatchAsync)
            .SelectMany(static replies => replies)
            .TakeWhile(reply => reply is not ClosingReply, inclusive: true)
            .Batch(PipelineDepth, FirstReply, NextReply)
            .Select(ToByteString)
            .WatchTermination((_, done) => done);
    }

    private static ArrayBufferWriter<byte> FirstReply(Reply reply)
    {
        var writer = new ArrayBufferWriter<byte>(256);
        reply.WriteTo(writer);
        return writer;
    }

    private static ArrayBufferWriter<byte> NextReply(ArrayBufferWriter<byte> writer, Reply reply)
    {
        reply.WriteTo(writer);
        return writer;
    }

    // One copy out of the writer; ByteString then wraps that array as it is.
    private static ByteString ToByteString(ArrayBufferWriter<byte> writer) =>
        ByteString.FromBytes(writer.WrittenMemory.ToArray());
}
