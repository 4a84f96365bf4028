using System.Text;
using AegisKV.Core.Replies;

namespace AegisKV.Server.Resp;

/// <summary>
/// What a node knows of one client connection, for CLIENT LIST/INFO/KILL, MONITOR and the slow log.
/// The connection's own session writes it; any connection may read it.
/// </summary>
public sealed class ClientInfo
{
    private byte[]? _name;
    private long _lastCommandAt;
    private string _lastCommand = "NULL";

    /// <summary>Creates the record of a connection accepted now.</summary>
    public ClientInfo(long id, string remote, string local, Action<string> close)
    {
        Id = id;
        Remote = remote;
        Local = local;
        _close = close;
        CreatedAt = _lastCommandAt = Environment.TickCount64;
    }

    /// <summary>The client id (CLIENT ID).</summary>
    public long Id { get; }

    /// <summary>The client's address, host:port.</summary>
    public string Remote { get; }

    /// <summary>The node's address of the connection, host:port.</summary>
    public string Local { get; }

    /// <summary>True for a client of the TLS listener: cluster views show it the nodes' TLS addresses.</summary>
    public bool IsTls { get; init; }

    private readonly Action<string> _close;
    private int _closing;

    /// <summary>True once <see cref="Close"/> was called: the connection is going, CLIENT LIST and KILL skip it.</summary>
    public bool Closing => Volatile.Read(ref _closing) != 0;

    /// <summary>Closes the connection, saying why in the log.</summary>
    public void Close(string reason)
    {
        if (Interlocked.Exchange(ref _closing, 1) == 0) _close(reason);
    }

    /// <summary>When the connection was accepted (<see cref="Environment.TickCount64"/>).</summary>
    public long CreatedAt { get; }

    /// <summary>The name from CLIENT SETNAME or HELLO SETNAME; null for none.</summary>
    public byte[]? Name
    {
        get => Volatile.Read(ref _name);
        set => Volatile.Write(ref _name, value);
    }

    /// <summary>The name as text, empty for none.</summary>
    public string NameText => Name is { } name ? Encoding.UTF8.GetString(name) : "";

    /// <summary>CLIENT SETINFO LIB-NAME.</summary>
    public string LibraryName { get; set; } = "";

    /// <summary>CLIENT SETINFO LIB-VER.</summary>
    public string LibraryVersion { get; set; } = "";

    /// <summary>The RESP version the connection speaks (HELLO).</summary>
    public int Protocol { get; set; } = 2;

    /// <summary>Set by CLIENT NO-EVICT; kept for CLIENT LIST (AegisKV never evicts clients).</summary>
    public bool NoEvict { get; set; }

    /// <summary>Commands queued in MULTI, as CLIENT LIST's <c>multi</c> field (-1 outside MULTI).</summary>
    public int Queued { get; set; } = -1;

    /// <summary>Set while the connection is a MONITOR: every command the node runs is pushed to it.</summary>
    public Action<Reply>? Monitor { get; set; }

    /// <summary>The last command's name, lower case, as CLIENT LIST's <c>cmd</c>.</summary>
    public string LastCommand => Volatile.Read(ref _lastCommand);

    /// <summary>When the last command arrived (<see cref="Environment.TickCount64"/>).</summary>
    public long LastCommandAt => Volatile.Read(ref _lastCommandAt);

    /// <summary>Records a command's arrival.</summary>
    public void Commanded(string name)
    {
        Volatile.Write(ref _lastCommand, name);
        Volatile.Write(ref _lastCommandAt, Environment.TickCount64);
    }

    /// <summary>The CLIENT LIST line of this client (without the line break), with Redis 7.2's fields.</summary>
    public string Describe()
    {
        var now = Environment.TickCount64;
        var flags = Monitor is not null ? "O" : Queued >= 0 ? "x" : "N";
        if (NoEvict) flags += "e";
        return $"id={Id} addr={Remote} laddr={Local} fd=-1 name={NameText} age={(now - CreatedAt) / 1000} idle={(now - LastCommandAt) / 1000} " +
               $"flags={flags} db=0 sub=0 psub=0 ssub=0 multi={Queued} qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 " +
               $"events=r cmd={LastCommand} user=default redir=-1 resp={Protocol} lib-name={LibraryName} lib-ver={LibraryVersion}";
    }
}
