using AegisKV.Core.Replies;
using AegisKV.Core.Sharding;

namespace AegisKV.Server.Resp;

/// <summary>
/// Gathers a pipeline's single-key commands and sends them as one request per shard, in the order of each shard's
/// first command: per shard one array of commands and one of their places in the pipeline, each sized once. A
/// connection keeps one between batches (<see cref="ClientSession"/>); not thread-safe.
/// </summary>
internal sealed class PipelineGroups(int shardCount)
{
    private readonly int[] _counts = new int[shardCount];
    private int[] _shards = new int[16];
    private int[] _places = new int[16];
    private ShardCommand[] _commands = new ShardCommand[16];
    private int _gathered;

    public void Add(int place, int shard, ShardCommand command)
    {
        if (_gathered == _shards.Length)
        {
            Array.Resize(ref _shards, _gathered * 2);
            Array.Resize(ref _places, _gathered * 2);
            Array.Resize(ref _commands, _gathered * 2);
        }

        _shards[_gathered] = shard;
        _places[_gathered] = place;
        _commands[_gathered++] = command;
        _counts[shard]++;
    }

    /// <summary>
    /// Sends what was gathered since the last send; each request's places and task go to <paramref name="sent"/>.
    /// The inbox counts the commands in the metrics when they are answered.
    /// </summary>
    public void Send(ReplyInbox inbox, List<(int[] Places, Task<Reply[]> Replies)> sent, long started, long waitMs)
    {
        for (var i = 0; i < _gathered; i++)
        {
            var shard = _shards[i];
            var count = _counts[shard];
            if (count == 0) continue; // went with an earlier command of its shard
            _counts[shard] = 0;
            var commands = new ShardCommand[count];
            var places = new int[count];
            for (int j = i, k = 0; k < count; j++)
            {
                if (_shards[j] != shard) continue;
                commands[k] = _commands[j];
                places[k++] = _places[j];
            }

            sent.Add((places, inbox.SendAsync(shard, commands, started, waitMs: waitMs)));
        }

        Array.Clear(_commands, 0, _gathered);
        _gathered = 0;
    }
}
