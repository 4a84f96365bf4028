using System.Collections.Immutable;
using System.Net;
using System.Reflection;
using Akka.Actor;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using StreamTcp = Akka.Streams.Dsl.Tcp;

namespace AegisKV.Server.Resp;

/// <summary>
/// The Akka.Streams TCP listener for an endpoint. <c>Tcp().Bind(host, …)</c> resolves the host
/// through DNS, which refuses the unspecified addresses (0.0.0.0, ::) that mean "every
/// interface"; for those this builds the same listener stage Akka's Bind builds, on an
/// <see cref="IPEndPoint"/>, so the rest of the pipeline is unchanged.
/// </summary>
internal static class TcpListenSource
{
    private const string StageTypeName = "Akka.Streams.Implementation.IO.ConnectionSourceStage";

    public static Source<StreamTcp.IncomingConnection, Task<StreamTcp.ServerBinding>> Create(
        ActorSystem system, IPAddress? anyAddress, string host, int port, int backlog, bool halfClose)
    {
        if (anyAddress is null) return system.TcpStream().Bind(host, port, backlog, halfClose: halfClose);

        var stageType = typeof(StreamTcp).Assembly.GetType(StageTypeName, throwOnError: true)!;
        var bindShutdownTimeout = ActorMaterializerSettings.Create(system).SubscriptionTimeoutSettings.Timeout;
        object?[] arguments = [system.Tcp(), new IPEndPoint(anyAddress, port), backlog, (IImmutableList<Inet.SocketOption>?)null, halfClose, (TimeSpan?)null, bindShutdownTimeout];
        var stage = Activator.CreateInstance(stageType, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, null, arguments, null)
            ?? throw new InvalidOperationException("cannot create the TCP listener stage");
        return Source.FromGraph((IGraph<SourceShape<StreamTcp.IncomingConnection>, Task<StreamTcp.ServerBinding>>)stage);
    }
}
