using System.Globalization;
using System.Text;
using AegisKV.Core.Commands;
using AegisKV.Core.Replies;
using AegisKV.Core.State;

namespace AegisKV.Server.Resp;

internal sealed partial class ClientSession
{
    // SCAN cursors: shard number in the top 16 bits, position within the shard below.
    private const int ShardBits = 48;
    private const long PositionMask = (1L << ShardBits) - 1;
    private const int MaxShardsPerScanCall = 256;

    private async Task<Reply> ScanAsync(byte[][] arguments)
    {
        if (!ulong.TryParse(Encoding.ASCII.GetString(arguments[1]), NumberStyles.None, CultureInfo.InvariantCulture, out var cursor))
            return Errors.InvalidCursor;
        byte[] pattern = [];
        long count = 10;
        byte[] type = [];
        for (var i = 2; i < arguments.Length; i++)
        {
            var hasValue = i + 1 < arguments.Length;
            if (Ascii.EqualsIgnoreCase(arguments[i], "MATCH"u8) && hasValue) pattern = arguments[++i];
            else if (Ascii.EqualsIgnoreCase(arguments[i], "COUNT"u8) && hasValue)
            {
                if (!IntegerText.TryParse(arguments[++i], out count)) return Errors.NotInteger;
                if (count < 1) return Errors.Syntax;
            }
            else if (Ascii.EqualsIgnoreCase(arguments[i], "TYPE"u8) && hasValue) type = arguments[++i];
            else return Errors.Syntax;
        }

        var shard = (int)(cursor >> ShardBits);
        var position = (long)cursor & PositionMask;
        var keys = new List<Reply>();
        var shardCount = _node.Router.ShardCount;
        for (var visited = 0; shard < shardCount && keys.Count < count && visited < MaxShardsPerScanCall; visited++)
        {
            var reply = await CommandRouter.ShardAsync(_inbox, shard, CommandId.Scan,
                [IntegerText.Format(position), IntegerText.Format(count - keys.Count), pattern, type]).ConfigureAwait(false);
            if (reply is not ArrayReply { Items: [IntegerReply next, ArrayReply { Items: { } found }] }) return reply;
            keys.AddRange(found);
            if (next.Value == 0)
            {
                shard++;
                position = 0;
            }
            else
            {
                position = next.Value;
            }
        }

        var nextCursor = shard >= shardCount ? 0UL : ((ulong)shard << ShardBits) | (ulong)position;
        return new ArrayReply([Bulk(nextCursor.ToString(CultureInfo.InvariantCulture)), new ArrayReply([.. keys])]);
    }

    private Reply CommandInfo(byte[][] arguments)
    {
        if (arguments.Length == 1) return new ArrayReply([.. CommandTable.All.Select(Describe)]);
        var sub = arguments[1];
        if (Ascii.EqualsIgnoreCase(sub, "COUNT"u8)) return Reply.Integer(CommandTable.All.Count);
        if (Ascii.EqualsIgnoreCase(sub, "INFO"u8))
        {
            if (arguments.Length == 2) return new ArrayReply([.. CommandTable.All.Select(Describe)]);
            var items = new Reply[arguments.Length - 2];
            for (var i = 2; i < arguments.Length; i++)
                items[i - 2] = CommandTable.Find(arguments[i]) is { } spec ? Describe(spec) : Reply.NilArray;
            return new ArrayReply(items);
        }

        if (Ascii.EqualsIgnoreCase(sub, "LIST"u8)) return CommandList(arguments);
        if ((Ascii.EqualsIgnoreCase(sub, "GETKEYS"u8) || Ascii.EqualsIgnoreCase(sub, "GETKEYSANDFLAGS"u8)) && arguments.Length >= 3)
            return CommandKeys(arguments[2..], withFlags: Ascii.EqualsIgnoreCase(sub, "GETKEYSANDFLAGS"u8));
        // Clients such as redis-cli ask for docs only for hints; an empty map is valid.
        if (Ascii.EqualsIgnoreCase(sub, "DOCS"u8)) return new MapReply([]);
        if (Ascii.EqualsIgnoreCase(sub, "HELP"u8))
            return new ArrayReply([Bulk("COMMAND"), Bulk("COMMAND COUNT"), Bulk("COMMAND INFO [<command-name> ...]"), Bulk("COMMAND DOCS [<command-name> ...]"),
                Bulk("COMMAND LIST [FILTERBY MODULE <name>|ACLCAT <category>|PATTERN <pattern>]"), Bulk("COMMAND GETKEYS <full-command>"), Bulk("COMMAND GETKEYSANDFLAGS <full-command>")]);
        return Errors.UnknownSubcommand(sub, "command");
    }

    // Every command and subcommand (container|sub), optionally filtered as Redis 7 filters them.
    private static Reply CommandList(byte[][] arguments)
    {
        var entries = new List<(string Name, CommandSpec Spec)>();
        foreach (var spec in CommandTable.All)
        {
            entries.Add((spec.LowerNameText, spec));
            if (CommandTable.Subcommands.TryGetValue(spec.Id, out var subcommands))
                foreach (var sub in subcommands) entries.Add((spec.LowerNameText + "|" + sub, spec));
        }

        IEnumerable<(string Name, CommandSpec Spec)> selected = entries;
        if (arguments.Length == 5 && Ascii.EqualsIgnoreCase(arguments[2], "FILTERBY"u8))
        {
            var value = arguments[4];
            if (Ascii.EqualsIgnoreCase(arguments[3], "PATTERN"u8)) selected = entries.Where(e => GlobPattern.IsMatch(value, Encoding.ASCII.GetBytes(e.Name)));
            else if (Ascii.EqualsIgnoreCase(arguments[3], "MODULE"u8)) selected = [];
            else if (Ascii.EqualsIgnoreCase(arguments[3], "ACLCAT"u8))
            {
                var category = Encoding.ASCII.GetString(value).ToLowerInvariant();
                selected = entries.Where(e => category switch
                {
                    "read" => (e.Spec.Flags & CommandFlags.ReadOnly) != 0,
                    "write" => (e.Spec.Flags & CommandFlags.Write) != 0,
                    "fast" => (e.Spec.Flags & CommandFlags.Fast) != 0,
                    "keyspace" => e.Spec.FirstKey > 0,
                    _ => false,
                });
            }
            else return Errors.Syntax;
        }
        else if (arguments.Length != 2) return Errors.Syntax;

        return new ArrayReply([.. selected.Select(e => (Reply)new BulkReply(Encoding.ASCII.GetBytes(e.Name)))]);
    }

    // The keys of a full command line, by the command table's key positions.
    private static Reply CommandKeys(byte[][] line, bool withFlags)
    {
        if (CommandTable.Find(line[0]) is not { } spec) return Errors.Text("ERR Invalid command specified");
        if (!spec.AcceptsArgumentCount(line.Length)) return Errors.Text("ERR Invalid number of arguments specified for command");
        if (spec.FirstKey == 0) return Errors.Text("ERR The command has no key arguments");
        if (Core.Commands.CommandKeys.Find(spec, line, out var first, out var last, out var step) is { } badKeys) return badKeys;
        var keys = new List<Reply>();
        // As Redis's key specs: OW for writes that replace the value without reading it, RW for other writes.
        Reply flags = spec.Id is CommandId.Set or CommandId.SetEx or CommandId.PSetEx or CommandId.MSet or CommandId.Restore
            ? new ArrayReply([Status("OW"), Status("update")])
            : (spec.Flags & CommandFlags.Write) != 0
                ? new ArrayReply([Status("RW"), Status("update")])
                : new ArrayReply([Status("RO"), Status("access")]);
        for (var i = first; i <= last && i > 0; i += step)
            keys.Add(withFlags ? new ArrayReply([new BulkReply(line[i]), flags]) : new BulkReply(line[i]));
        return new ArrayReply([.. keys]);
    }

    private static Reply Describe(CommandSpec spec)
    {
        var flags = new List<Reply>();
        if ((spec.Flags & CommandFlags.Write) != 0) flags.Add(Status("write"));
        if ((spec.Flags & CommandFlags.ReadOnly) != 0) flags.Add(Status("readonly"));
        if ((spec.Flags & CommandFlags.DenyOom) != 0) flags.Add(Status("denyoom"));
        if ((spec.Flags & CommandFlags.Fast) != 0) flags.Add(Status("fast"));
        if ((spec.Flags & CommandFlags.NoAuth) != 0) flags.Add(Status("no_auth"));
        if ((spec.Flags & CommandFlags.Blocking) != 0) flags.Add(Status("blocking"));
        if ((spec.Flags & CommandFlags.PubSub) != 0) flags.Add(Status("pubsub"));
        // Keys found through a numkeys argument: a client must ask COMMAND GETKEYS where they are.
        if (spec.NumKeysAt > 0) flags.Add(Status("movablekeys"));
        return new ArrayReply(
        [
            new BulkReply(spec.LowerName), Reply.Integer(spec.Arity), new ArrayReply([.. flags]),
            Reply.Integer(spec.FirstKey), Reply.Integer(spec.LastKey), Reply.Integer(spec.KeyStep),
        ]);
    }

    private static Reply Status(string text) => new SimpleReply(Encoding.ASCII.GetBytes(text));

    private Reply Config(byte[][] arguments)
    {
        var sub = arguments[1];
        if (Ascii.EqualsIgnoreCase(sub, "GET"u8) && arguments.Length >= 3)
        {
            var parameters = ServerInfo.ConfigParameters(_node);
            var items = new List<Reply>();
            foreach (var (name, value) in parameters)
            {
                for (var i = 2; i < arguments.Length; i++)
                {
                    if (!GlobPattern.IsMatch(Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(arguments[i]).ToLowerInvariant()), Encoding.ASCII.GetBytes(name))) continue;
                    items.Add(Bulk(name));
                    items.Add(Bulk(value));
                    break;
                }
            }

            return new MapReply([.. items]);
        }

        if (Ascii.EqualsIgnoreCase(sub, "SET"u8)) return ConfigSet(arguments);
        if (Ascii.EqualsIgnoreCase(sub, "RESETSTAT"u8))
        {
            _node.Statistics.ResetStats();
            _node.Memory.ResetStats();
            _node.Metrics.ResetStats();
            return Reply.Ok;
        }

        if (Ascii.EqualsIgnoreCase(sub, "REWRITE"u8))
            return Errors.Text("ERR CONFIG REWRITE is not supported by AegisKV: settings live in flags, AEGIS_* variables or the --config file");
        if (Ascii.EqualsIgnoreCase(sub, "HELP"u8)) return new ArrayReply([Bulk("CONFIG GET <pattern> [<pattern> ...]"), Bulk("CONFIG SET <name> <value> [<name> <value> ...]")]);
        return Errors.UnknownSubcommand(sub, "config");
    }

    private Reply Info(byte[][] arguments)
    {
        var sections = new List<string>();
        for (var i = 1; i < arguments.Length; i++) sections.Add(Encoding.ASCII.GetString(arguments[i]).ToLowerInvariant());
        return Bulk(ServerInfo.Render(_node, sections));
    }
}
