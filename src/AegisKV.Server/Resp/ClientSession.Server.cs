using System.Globalization;
using System.Text;
using AegisKV.Core.Commands;
using AegisKV.Core.Replies;
using AegisKV.Core.State;

namespace AegisKV.Server.Resp;

// Server-side commands of the connection: SLOWLOG, FUNCTION, CONFIG SET, and OBJECT/MEMORY, whose key
// is their second argument.
internal sealed partial class ClientSession
{
    private Reply SlowLog(byte[][] arguments)
    {
        var log = _node.Metrics.SlowLog;
        var sub = arguments[1];
        if (Ascii.EqualsIgnoreCase(sub, "LEN"u8) && arguments.Length == 2) return Reply.Integer(log.Count);
        if (Ascii.EqualsIgnoreCase(sub, "RESET"u8) && arguments.Length == 2)
        {
            log.Reset();
            return Reply.Ok;
        }

        if (Ascii.EqualsIgnoreCase(sub, "GET"u8) && arguments.Length <= 3)
        {
            var count = 10L;
            if (arguments.Length == 3 && (!IntegerText.TryParse(arguments[2], out count) || count < -1))
                return Errors.Text("ERR count should be greater than or equal to -1");
            return new ArrayReply([.. log.Newest((int)Math.Min(count, int.MaxValue)).Select(e => (Reply)new ArrayReply(
            [
                Reply.Integer(e.Id), Reply.Integer(e.UnixSeconds), Reply.Integer(e.Microseconds),
                new ArrayReply([.. e.Arguments.Select(a => (Reply)new BulkReply(a))]),
                Bulk(e.Client), Bulk(e.ClientName),
            ]))]);
        }

        if (Ascii.EqualsIgnoreCase(sub, "HELP"u8))
            return new ArrayReply([Bulk("SLOWLOG GET [<count>]"), Bulk("SLOWLOG LEN"), Bulk("SLOWLOG RESET")]);
        return Errors.UnknownSubcommand(sub, "slowlog");
    }

    // There is no scripting engine yet: no function is ever loaded, so FLUSH and LIST are exact.
    private static Reply Function(byte[][] arguments)
    {
        var sub = arguments[1];
        if (Ascii.EqualsIgnoreCase(sub, "FLUSH"u8) && arguments.Length <= 3) return Reply.Ok;
        if (Ascii.EqualsIgnoreCase(sub, "LIST"u8)) return Reply.EmptyArray;
        if (Ascii.EqualsIgnoreCase(sub, "HELP"u8)) return new ArrayReply([Bulk("FUNCTION FLUSH"), Bulk("FUNCTION LIST")]);
        return Errors.Text($"ERR FUNCTION {Encoding.UTF8.GetString(sub).ToUpperInvariant()} is not supported: AegisKV has no scripting engine yet");
    }

    private Task<Reply> KeyedIntrospection(CommandSpec spec, byte[][] arguments)
    {
        var sub = arguments[1];
        if (spec.Id == CommandId.Object && Ascii.EqualsIgnoreCase(sub, "HELP"u8))
            return Task.FromResult<Reply>(new ArrayReply([Bulk("OBJECT ENCODING <key>"), Bulk("OBJECT FREQ <key>"), Bulk("OBJECT IDLETIME <key>"), Bulk("OBJECT REFCOUNT <key>")]));
        if (spec.Id == CommandId.Memory)
        {
            if (Ascii.EqualsIgnoreCase(sub, "HELP"u8))
                return Task.FromResult<Reply>(new ArrayReply([Bulk("MEMORY USAGE <key> [SAMPLES <count>]")]));
            if (!Ascii.EqualsIgnoreCase(sub, "USAGE"u8)) return Task.FromResult<Reply>(Errors.UnknownSubcommand(sub, "memory"));
            if (arguments.Length < 3) return Task.FromResult<Reply>(Errors.WrongArity("memory|usage"));
            return CommandRouter.ShardAsync(_inbox, _node.Router.ShardOf(arguments[2]), CommandId.Memory, arguments[2..]);
        }

        if (arguments.Length != 3) return Task.FromResult<Reply>(Errors.UnknownSubcommand(sub, "object"));
        return CommandRouter.ShardAsync(_inbox, _node.Router.ShardOf(arguments[2]), CommandId.Object, arguments[1..]);
    }

    // CONFIG SET name value [name value …]: only what can change while the node runs; all or nothing.
    private Reply ConfigSet(byte[][] arguments)
    {
        if (arguments.Length < 4 || arguments.Length % 2 != 0) return Errors.WrongArity("config|set");
        var changes = new List<Action>();
        for (var i = 2; i < arguments.Length; i += 2)
        {
            var name = Encoding.ASCII.GetString(arguments[i]).ToLowerInvariant();
            var value = Encoding.ASCII.GetString(arguments[i + 1]);
            var memory = _node.Memory;
            var slowLog = _node.Metrics.SlowLog;
            switch (name)
            {
                case "maxmemory":
                    if (!TryParseMemory(value, out var bytes)) return ConfigSetFailed(name, "argument must be a memory value");
                    changes.Add(() => memory.MaxBytes = bytes);
                    break;
                case "maxmemory-policy":
                    if (!EvictionPolicies.TryParse(value, out var policy)) return ConfigSetFailed(name, "argument(s) must be one of the following: " + string.Join(", ", EvictionPolicies.All));
                    changes.Add(() => memory.Policy = policy);
                    break;
                case "maxmemory-samples":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var samples) || samples is < 1 or > 64) return ConfigSetFailed(name, "argument must be between 1 and 64 inclusive");
                    changes.Add(() => memory.Samples = samples);
                    break;
                case "slowlog-log-slower-than":
                    if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var micros)) return ConfigSetFailed(name, "argument couldn't be parsed into an integer");
                    changes.Add(() => slowLog.ThresholdMicros = micros);
                    break;
                case "slowlog-max-len":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var length)) return ConfigSetFailed(name, "argument couldn't be parsed into an integer");
                    changes.Add(() => slowLog.MaxLength = length);
                    break;
                case "notify-keyspace-events":
                    if (!KeyspaceEvents.TryParse(value, out var flags)) return ConfigSetFailed(name, "argument(s) must be one of the following: K, E, g, $, l, s, h, z, x, e, t, m, n, d, A");
                    changes.Add(() => _node.Notifications.Flags = flags);
                    break;
                case "hash-max-listpack-entries" or "hash-max-ziplist-entries" or "hash-max-listpack-value" or "hash-max-ziplist-value":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var threshold)) return ConfigSetFailed(name, "argument couldn't be parsed into an integer");
                    if (name.EndsWith("entries", StringComparison.Ordinal)) changes.Add(() => memory.HashListpackEntries = threshold);
                    else changes.Add(() => memory.HashListpackValue = threshold);
                    break;
                case "list-max-listpack-size" or "list-max-ziplist-size" or "list-compress-depth":
                    // Redis's list storage knobs: AegisKV keeps every list one way, so they change nothing.
                    if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)) return ConfigSetFailed(name, "argument couldn't be parsed into an integer");
                    break;
                default:
                    // Setting a fixed parameter to what it is already changes nothing (test suites set "save" to "").
                    if (ServerInfo.ConfigParameters(_node).Any(p => p.Name == name && p.Value == value)) break;
                    if (ServerInfo.ConfigParameters(_node).Any(p => p.Name == name))
                        return Errors.Text($"ERR CONFIG SET '{name}' cannot change while AegisKV runs: set it with its flag, AEGIS_* variable or the --config file and restart");
                    return Errors.Text($"ERR Unknown option or number of arguments for CONFIG SET - '{name}'");
            }
        }

        foreach (var change in changes) change();
        return Reply.Ok;
    }

    private static ErrorReply ConfigSetFailed(string name, string why) =>
        Errors.Text($"ERR CONFIG SET failed (possibly related to argument '{name}') - {why}");

    // Redis's memory values: bytes, or a number with k, kb, m, mb, g, gb (k = 1000, kb = 1024).
    private static bool TryParseMemory(string text, out long bytes)
    {
        bytes = 0;
        var lower = text.ToLowerInvariant();
        (string Suffix, long Unit)[] units = [("kb", 1024), ("mb", 1024 * 1024), ("gb", 1024L * 1024 * 1024), ("k", 1000), ("m", 1_000_000), ("g", 1_000_000_000), ("b", 1)];
        long unit = 1;
        foreach (var (suffix, size) in units)
        {
            if (!lower.EndsWith(suffix, StringComparison.Ordinal)) continue;
            lower = lower[..^suffix.Length];
            unit = size;
            break;
        }

        if (!long.TryParse(lower, NumberStyles.None, CultureInfo.InvariantCulture, out var amount) || amount > long.MaxValue / unit) return false;
        bytes = amount * unit;
        return true;
    }
}
