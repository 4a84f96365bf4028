// What an ioredis user does by default, against an AegisKV node: node ioredis_check.js PORT.
const Redis = require("ioredis");
const assert = require("assert");

(async () => {
  const redis = new Redis({ port: Number(process.argv[2]), host: "127.0.0.1", lazyConnect: true });
  await redis.connect();
  assert.strictEqual(await redis.ping(), "PONG");

  // multi() is MULTI/EXEC.
  const results = await redis.multi().set("{js}a", 1).incr("{js}a").get("{js}a").exec();
  assert.deepStrictEqual(results, [[null, "OK"], [null, 2], [null, "2"]]);

  // A transaction across shards is refused whole.
  await assert.rejects(redis.multi().set("{js}a", 10).set("{other}js", 1).exec(), /EXECABORT|CROSSSLOT/);
  assert.strictEqual(await redis.get("{js}a"), "2");
  assert.strictEqual(await redis.exists("{other}js"), 0);

  // WATCH: EXEC answers null when the key changed.
  await redis.watch("{js}a");
  const other = new Redis({ port: Number(process.argv[2]), host: "127.0.0.1" });
  await other.set("{js}a", 100);
  assert.strictEqual(await redis.multi().incr("{js}a").exec(), null);
  other.disconnect();

  // A plain pipeline, and SCAN through everything.
  const pipeline = redis.pipeline();
  for (let i = 0; i < 500; i++) pipeline.set(`js:scan:${i}`, i);
  await pipeline.exec();
  const keys = new Set();
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", "js:scan:*", "COUNT", 100);
    batch.forEach((k) => keys.add(k));
    cursor = next;
  } while (cursor !== "0");
  assert.strictEqual(keys.size, 500);
  // Hashes, in a transaction and read back as an object.
  assert.strictEqual(await redis.hset("js:h", { name: "ada", visits: 1 }), 2);
  const hashed = await redis.multi().hincrby("js:h", "visits", 41).hgetall("js:h").exec();
  assert.deepStrictEqual(hashed, [[null, 42], [null, { name: "ada", visits: "42" }]]);
  await assert.rejects(redis.get("js:h"), /WRONGTYPE/);
  console.log("ioredis", require("ioredis/package.json").version, "ok");
  redis.disconnect();
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
