"""What a redis-py user does by default, against an AegisKV node: python3 redis_py_check.py PORT."""
import sys

import redis

r = redis.Redis(port=int(sys.argv[1]))
assert r.ping()

# pipeline() is a MULTI/EXEC transaction by default.
pipe = r.pipeline()
pipe.set("{py}a", 1).incr("{py}a").get("{py}a")
assert pipe.execute() == [True, 2, b"2"], "transaction"

# A transaction across shards is refused whole: nothing of it is applied.
try:
    r.pipeline().set("{py}a", 10).set("{other}b", 2).execute()
    raise AssertionError("a cross-shard transaction was accepted")
except redis.ResponseError as error:
    assert "CROSSSLOT" in str(error), error
assert r.get("{py}a") == b"2" and r.exists("{other}b") == 0, "nothing of a refused transaction"

# Optimistic locking, as redis-py documents it.
with r.pipeline() as pipe:
    pipe.watch("{py}a")
    current = int(pipe.get("{py}a"))
    pipe.multi()
    pipe.set("{py}a", current + 10)
    assert pipe.execute() == [True]
assert r.get("{py}a") == b"12"
with r.pipeline() as pipe:
    pipe.watch("{py}a")
    r.set("{py}a", 0)
    pipe.multi()
    pipe.incr("{py}a")
    try:
        pipe.execute()
        raise AssertionError("EXEC ran although a watched key changed")
    except redis.WatchError:
        pass
assert r.get("{py}a") == b"0"

# A plain pipeline and a scan over many keys.
plain = r.pipeline(transaction=False)
for i in range(500):
    plain.set(f"py:scan:{i}", i)
assert all(plain.execute())
assert len(set(r.scan_iter(match="py:scan:*", count=100))) == 500, "scan"

# Hashes: the object type caches use most; a transaction over one hash; HSCAN.
assert r.hset("py:h", mapping={"name": "ada", "visits": 1}) == 2
assert r.hincrby("py:h", "visits", 41) == 42
assert r.hgetall("py:h") == {b"name": b"ada", b"visits": b"42"}
pipe = r.pipeline()
pipe.hset("py:h", "role", "admin").hdel("py:h", "name").hlen("py:h")
assert pipe.execute() == [1, 1, 2], "hash transaction"
for i in range(300):
    plain.hset("py:big", f"f{i}", i)
plain.execute()
assert len(dict(r.hscan_iter("py:big", count=50))) == 300, "hscan"
try:
    r.get("py:h")
    raise AssertionError("GET of a hash answered")
except redis.ResponseError as error:
    assert "WRONGTYPE" in str(error), error
print("redis-py", redis.__version__, "ok")
