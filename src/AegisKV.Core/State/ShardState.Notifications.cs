using AegisKV.Core.Commands;

namespace AegisKV.Core.State;

// Keyspace notifications of the commands that changed something: the event Redis names for the command, for each
// key it changed. Replay sends none: only the shard that runs a command does.
public sealed partial class ShardState
{
    private static readonly (int Type, string Event)[] CommandEvents = BuildCommandEvents();

    private void NotifyCommand(CommandId command, byte[][] arguments, List<IShardEvent> events, bool watchNew)
    {
        // n: the command created its key (Redis sends it before the command's own event).
        if (watchNew && _map.ContainsKey(arguments[0])) _notifications!.Notify(KeyspaceEvents.New, "new", arguments[0]);
        var (type, name) = CommandEvents[(int)command];
        if (name is null) return;
        if (command is CommandId.Del or CommandId.Unlink or CommandId.MSet)
        {
            foreach (var e in events)
            {
                if (e is KeysDeleted deleted) foreach (var key in deleted.Keys) _notifications!.Notify(type, name, key);
                else if (e is ValueSet set) _notifications!.Notify(type, name, set.Key);
            }

            return;
        }

        _notifications!.Notify(type, name, arguments[0]);
        // A list a pop left empty is gone, and Redis says so.
        if (type == KeyspaceEvents.List && !_map.ContainsKey(arguments[0])) _notifications.Notify(KeyspaceEvents.Generic, "del", arguments[0]);
    }

    private static (int, string)[] BuildCommandEvents()
    {
        var table = new (int, string)[256];
        void Map(int type, string name, params CommandId[] commands)
        {
            foreach (var command in commands) table[(int)command] = (type, name);
        }

        Map(KeyspaceEvents.String, "set", CommandId.Set, CommandId.SetNx, CommandId.SetEx, CommandId.PSetEx, CommandId.GetSet, CommandId.MSet);
        Map(KeyspaceEvents.String, "incrby", CommandId.Incr, CommandId.Decr, CommandId.IncrBy, CommandId.DecrBy);
        Map(KeyspaceEvents.String, "incrbyfloat", CommandId.IncrByFloat);
        Map(KeyspaceEvents.String, "append", CommandId.Append);
        Map(KeyspaceEvents.String, "setrange", CommandId.SetRange);
        Map(KeyspaceEvents.Generic, "del", CommandId.Del, CommandId.Unlink, CommandId.GetDel);
        Map(KeyspaceEvents.Generic, "expire", CommandId.Expire, CommandId.PExpire, CommandId.ExpireAt, CommandId.PExpireAt);
        Map(KeyspaceEvents.Generic, "persist", CommandId.Persist);
        Map(KeyspaceEvents.Generic, "restore", CommandId.Restore);
        Map(KeyspaceEvents.List, "lpush", CommandId.LPush, CommandId.LPushX);
        Map(KeyspaceEvents.List, "rpush", CommandId.RPush, CommandId.RPushX);
        Map(KeyspaceEvents.List, "lpop", CommandId.LPop, CommandId.BLPop);
        Map(KeyspaceEvents.List, "rpop", CommandId.RPop, CommandId.BRPop);
        Map(KeyspaceEvents.List, "lset", CommandId.LSet);
        Map(KeyspaceEvents.List, "lrem", CommandId.LRem);
        Map(KeyspaceEvents.List, "ltrim", CommandId.LTrim);
        Map(KeyspaceEvents.List, "linsert", CommandId.LInsert);
        Map(KeyspaceEvents.Hash, "hset", CommandId.HSet, CommandId.HMSet, CommandId.HSetNx);
        Map(KeyspaceEvents.Hash, "hdel", CommandId.HDel);
        Map(KeyspaceEvents.Hash, "hincrby", CommandId.HIncrBy);
        Map(KeyspaceEvents.Hash, "hincrbyfloat", CommandId.HIncrByFloat);
        Map(KeyspaceEvents.Hash, "hexpire", CommandId.HExpire, CommandId.HPExpire, CommandId.HExpireAt, CommandId.HPExpireAt);
        return table;
    }
}
