namespace AegisKV.Scripting;

// Redis's API inside scripts, written in Lua over two functions the runner provides: the bootstrap runs once per
// interpreter with them as its arguments. redis.call raises the error a command answers (in Lua, never by a longjmp
// through .NET frames); the globals table is read-only and unknown globals are errors, as in Redis 7.
internal static class ScriptApi
{
    public const string Bootstrap = """
        local call, sha1hex = ...
        local error, type, tostring, setmetatable, load = error, type, tostring, setmetatable, load
        redis = {}
        function redis.call(...)
          local ok, reply = call(...)
          if ok then return reply end
          error(reply, 0)
        end
        function redis.pcall(...)
          local _, reply = call(...)
          return reply
        end
        function redis.error_reply(message)
          if type(message) ~= 'string' then error('wrong number or type of arguments', 2) end
          return { err = message }
        end
        function redis.status_reply(message)
          if type(message) ~= 'string' then error('wrong number or type of arguments', 2) end
          return { ok = message }
        end
        function redis.sha1hex(text)
          if type(text) ~= 'string' and type(text) ~= 'number' then error('wrong number or type of arguments', 2) end
          return sha1hex(tostring(text))
        end
        function redis.log() end
        function redis.setresp(version)
          if version ~= 2 then error('AegisKV scripts speak RESP2 only', 2) end
        end
        function redis.set_repl() end
        function redis.replicate_commands() return true end
        function redis.breakpoint() return false end
        function redis.debug() end
        redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING = 0, 1, 2, 3
        redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL = 0, 1, 2, 2, 3
        redis.REDIS_VERSION, redis.REDIS_VERSION_NUM = '7.0.0', 0x070000
        -- Lua 5.1 names Redis scripts use; text chunks only: a binary chunk could break the interpreter.
        unpack = table.unpack
        loadstring = function(chunk, name) return load(chunk, name, 't') end
        _G.load = loadstring
        dofile, loadfile, print, require, collectgarbage = nil, nil, nil, nil, nil
        string.dump = nil
        setmetatable(_G, {
          __index = function(_, name) error("Script attempted to access nonexistent global variable '" .. tostring(name) .. "'", 2) end,
          __newindex = function() error('Attempt to modify a readonly table', 2) end,
        })
        """;
}
