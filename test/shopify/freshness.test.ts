/** Freshness: the retrain threshold, the debounced embed ids, and the scheduled retrain on Redis. */
import { Queue } from "bullmq";
import type IORedis from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { useTempDatabase } from "../helpers/db";
import { describeIf, redisReachable } from "../helpers/requires";
import { resetEnvForTests } from "../../app/env.server";
import { prisma } from "../../app/db.server";
import { closeQueue } from "../../app/queues/index.server";
import { queueName, redisConnection } from "../../app/queues/bullmq.server";
import retrainCheck from "../../app/jobs/retrainCheck.server";
import { embedSoon, scheduleRetrain, unscheduleRetrain } from "../../app/shopify/freshness.server";
import { linkClient, storeInteractions } from "../../app/models/ingest.server";
import { writeSetting } from "../../app/models/setting.server";
import bulkSync from "../../app/jobs/bulkSync.server";
import { setShopifyFetch, type FetchLike } from "../../app/shopify/bulk";
import { deletePrefix, fixture, uniquePrefix } from "./helpers";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const available = await redisReachable(REDIS_URL);
const SHOP = "facet-fresh.myshopify.com";
const PREFIX = uniquePrefix("fresh");
useTempDatabase();
let redis: IORedis;
const ctx = { jobId: "t", attempt: 1, progress: () => undefined, log: () => undefined };

describeIf(available, "Redis at " + REDIS_URL, "freshness jobs", () => {
  beforeAll(() => {
    process.env.REDIS_URL = REDIS_URL;
    process.env.FACET_QUEUE_PREFIX = PREFIX;
    resetEnvForTests();
    redis = redisConnection(REDIS_URL);
  });
  afterAll(async () => {
    await closeQueue({ abandonWaiting: true });
    await deletePrefix(redis, PREFIX);
    await redis.quit();
  });

  it("enqueues one train when distinct real customers reach the threshold; anonymous and forged events do not count", async () => {
    writeSetting(SHOP, "freshness.retrainThreshold", 3);
    const at = new Date().toISOString();
    const view = (id: string) => ({ id, productId: "p1", type: "view", timestamp: at, sessionId: null, deviceType: null, referrerSource: "pixel" });
    // One signed customer (linked through the app proxy) with two events: one customer.
    linkClient(SHOP, "c1", "cust-1");
    storeInteractions(SHOP, "c1", "cust-1", [view("px:a1:0"), view("px:a2:0")]);
    // 200 anonymous events and 50 events claiming customers no signed link proves: nobody.
    storeInteractions(SHOP, "anon", null, Array.from({ length: 200 }, (_, i) => view(`px:anon${i}:0`)));
    for (let i = 0; i < 50; i++) storeInteractions(SHOP, `forged-${i}`, `victim-${i}`, [view(`px:f${i}:0`)]);
    expect(await retrainCheck({ shop: SHOP }, ctx)).toEqual({ newCustomers: 1, threshold: 3, train: null });
    linkClient(SHOP, "c2", "cust-2");
    storeInteractions(SHOP, "c2", "cust-2", [view("px:b1:0")]);
    await prisma().order.create({ data: { shop: SHOP, id: "o-guest", customerId: null, orderDate: new Date(), status: "completed", totalAmount: 1 } });
    const a = await retrainCheck({ shop: SHOP }, ctx);
    const b = await retrainCheck({ shop: SHOP }, ctx);
    expect(a).toMatchObject({ newCustomers: 3, train: `train-${SHOP}-after-none` });
    expect(b.train).toBe(a.train);
    const train = new Queue(queueName("train"), { connection: redis.duplicate(), prefix: PREFIX });
    expect((await train.getJobs(["waiting"])).map((j) => j.data.shop)).toEqual([SHOP]);
    // After a training, only events newer than it count.
    await prisma().modelVersion.create({ data: { shop: SHOP, kind: "hybrid", version: "v9", path: "/x", status: "published", createdAt: new Date(Date.now() + 1000) } });
    expect((await retrainCheck({ shop: SHOP }, ctx)).newCustomers).toBe(0);
    await train.close();
  });

  it("debounces embeds of one product into one job per window", async () => {
    const t = Date.UTC(2025, 0, 1, 12, 0, 5);
    const [a] = await embedSoon(SHOP, ["p1"], t);
    const [b] = await embedSoon(SHOP, ["p1"], t + 10_000);
    const [c] = await embedSoon(SHOP, ["p1"], t + 25_000);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    const embed = new Queue(queueName("embed"), { connection: redis.duplicate(), prefix: PREFIX });
    expect((await embed.getJob(a))!.opts.delay).toBe(15_000);
    await embed.close();
  });

  it("registers the repeatable retrain on the train queue", async () => {
    expect(await scheduleRetrain(SHOP, 12)).toBe(true);
    const train = new Queue(queueName("train"), { connection: redis.duplicate(), prefix: PREFIX });
    const schedulers = await train.getJobSchedulers();
    expect(schedulers.map((s) => [s.key, Number(s.every)])).toEqual([[`train-schedule-${SHOP}`, 12 * 3600 * 1000]]);
    expect(await unscheduleRetrain(SHOP)).toBe(true);
    expect(await train.getJobSchedulers()).toEqual([]);
    await train.close();
  });

  it("chains the first sync: products -> customers -> orders -> embed and train", async () => {
    await prisma().session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "s", isOnline: false, accessToken: "shpat_chain" } });
    const files: Record<string, string> = { products: fixture("bulk-products.jsonl"), customers: fixture("bulk-customers.jsonl"), orders: fixture("bulk-orders.jsonl") };
    let op = 0;
    const resources = new Map<string, string>();
    const fetch: FetchLike = async (url, init) => {
      if (url.startsWith("https://storage.example.com/")) return new Response(files[url.split("/").pop()!]);
      const { query, variables } = JSON.parse(init!.body!);
      if (query.includes("bulkOperationRunQuery")) {
        const id = `gid://shopify/BulkOperation/${++op}`;
        resources.set(id, /^\{\s*(\w+)/.exec(variables.query)![1]);
        return Response.json({ data: { bulkOperationRunQuery: { bulkOperation: { id, status: "CREATED", objectCount: "0" }, userErrors: [] } } });
      }
      return Response.json({ data: { node: { id: variables.id, status: "COMPLETED", objectCount: "3", url: `https://storage.example.com/${resources.get(variables.id)}` } } });
    };
    setShopifyFetch(fetch);
    try {
      const bulk = new Queue(queueName("bulkSync"), { connection: redis.duplicate(), prefix: PREFIX });
      const first = await bulkSync({ shop: SHOP, resource: "products", chain: true }, ctx);
      expect(first).toMatchObject({ resource: "products", applied: 3 });
      expect((await bulk.getJob(first.followUps[0]))!.data).toEqual({ shop: SHOP, resource: "customers", chain: true });
      await bulkSync({ shop: SHOP, resource: "customers", chain: true }, ctx);
      const last = await bulkSync({ shop: SHOP, resource: "orders", chain: true }, ctx);
      const embed = new Queue(queueName("embed"), { connection: redis.duplicate(), prefix: PREFIX });
      const train = new Queue(queueName("train"), { connection: redis.duplicate(), prefix: PREFIX });
      expect((await embed.getJob(last.followUps[0]))!.data).toEqual({ shop: SHOP });
      expect((await train.getJob(last.followUps[1]))!.data).toEqual({ shop: SHOP, reason: "first sync" });
      await Promise.all([bulk.close(), embed.close(), train.close()]);
    } finally {
      setShopifyFetch(undefined);
    }
  });
});
