/**
 * Signed webhook deliveries through the real route (app/routes/webhooks.tsx), the real database and
 * the real Redis (BullMQ, a prefix of this run's own), applied by a BullMQ worker in this process.
 */
import { listTables, tableColumns } from "../../app/models/schemaInfo.server";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Worker } from "bullmq";
import { Queue } from "bullmq";
import type IORedis from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { useTempDatabase } from "../helpers/db";
import { describeIf, redisReachable } from "../helpers/requires";
import { dataDir, resetEnvForTests } from "../../app/env.server";
import { prisma, rawDb } from "../../app/db.server";
import { closeQueue } from "../../app/queues/index.server";
import { queueName, redisConnection, startWorker } from "../../app/queues/bullmq.server";
import { jobFunction } from "../../app/jobs/registry.server";
import { applyDelivery } from "../../app/jobs/sync.server";
import { webhookRequest } from "../../app/shopify/hmac";
import { scheduleRetrain } from "../../app/shopify/freshness.server";
import { linkClient, storeInteractions } from "../../app/models/ingest.server";
import { emailHmac } from "../../app/models/customer.server";
import { findCustomerTraces } from "../../app/models/privacy.server";
import { loadModelFolder } from "../../app/artifacts/modelVersion.server";
import { deletePrefix, fixture, uniquePrefix, waitFor } from "./helpers";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const available = await redisReachable(REDIS_URL);
const SECRET = "test-secret-for-hmac";
const SHOP = "facet-test.myshopify.com";
const PREFIX = uniquePrefix("webhooks");
const db = useTempDatabase();

let redis: IORedis;
let workers: Worker[] = [];
let deliveries = 0;

type Route = typeof import("../../app/routes/webhooks");
let route: Route;

/** POSTs a delivery to the route; returns the status (a thrown Response counts as the answer). */
async function deliver(topic: string, body: unknown, o: { webhookId?: string; tamper?: (s: string) => string; secret?: string } = {}) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const webhookId = o.webhookId ?? `wh-${++deliveries}-${Date.now()}`;
  const request = webhookRequest({ topic, shop: SHOP, body: o.tamper ? o.tamper(text) : text, signAs: text, secret: o.secret ?? SECRET, webhookId });
  const res = await route.action({ request, params: {}, context: {} }).catch((e: unknown) => e);
  return { status: (res as Response).status, webhookId, jobId: `wh-${SHOP}-${webhookId}` };
}

async function jobFinished(jobId: string) {
  await waitFor(async () => {
    const run = await prisma().jobRun.findUnique({ where: { id: jobId } });
    return run?.status === "completed" || run?.status === "failed";
  }, `job ${jobId}`);
  const run = await prisma().jobRun.findUniqueOrThrow({ where: { id: jobId } });
  expect(run.error).toBeNull();
  return JSON.parse(run.result ?? "null");
}

async function deliverAndWait(topic: string, body: unknown, o: { webhookId?: string } = {}) {
  const d = await deliver(topic, body, o);
  expect(d.status).toBe(200);
  return { ...d, result: await jobFinished(d.jobId) };
}

const product = () => JSON.parse(fixture("webhook-product.json"));

/** Every value under the test's Redis prefix (hashes, strings, lists, sets, sorted sets, streams) that `hit` says yes to. */
async function redisHits(hit: (value: string) => boolean): Promise<string[]> {
  const hits: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${PREFIX}:*`, "COUNT", 500);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      const values =
        type === "hash" ? Object.entries(await redis.hgetall(key)).flat()
        : type === "string" ? [(await redis.get(key)) ?? ""]
        : type === "list" ? await redis.lrange(key, 0, -1)
        : type === "set" ? await redis.smembers(key)
        : type === "zset" ? await redis.zrange(key, 0, -1)
        : [];
      if (type === "stream") for (const [, fields] of await redis.xrange(key, "-", "+")) values.push(...fields);
      for (const v of values) if (hit(v)) hits.push(`${key}: ${v.slice(0, 80)}`);
    }
  } while (cursor !== "0");
  return hits;
}
const count = (table: string) => (rawDb().prepare(`SELECT COUNT(*) AS n FROM "${table}"`).get() as { n: number }).n;

describeIf(available, "Redis at " + REDIS_URL, "webhooks through the route, the database and Redis", () => {
  beforeAll(async () => {
    process.env.REDIS_URL = REDIS_URL;
    process.env.FACET_QUEUE_PREFIX = PREFIX;
    process.env.SHOPIFY_API_KEY = "test-api-key";
    process.env.SHOPIFY_API_SECRET = SECRET;
    process.env.SHOPIFY_APP_URL = "https://facet.example.com";
    resetEnvForTests();
    route = await import("../../app/routes/webhooks");
    redis = redisConnection(REDIS_URL);
    workers = (["sync", "redact"] as const).map((n) => startWorker(n, jobFunction, redis.duplicate(), 1, PREFIX));
    await prisma().shop.create({ data: { id: SHOP } });
    await prisma().session.create({ data: { id: `offline_${SHOP}`, shop: SHOP, state: "s", isOnline: false, accessToken: "shpat_x" } });
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await closeQueue({ abandonWaiting: true });
    await deletePrefix(redis, PREFIX);
    await redis.quit();
  });

  it("applies a signed products/create and enqueues a debounced embed of that product", async () => {
    const { result } = await deliverAndWait("products/create", product());
    expect(result).toMatchObject({ topic: "PRODUCTS_CREATE", outcome: "applied" });
    const row = await prisma().product.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: "8000000000001" } } });
    expect(row).toMatchObject({ title: "Rhomberg Partnerring Gold", material: "Gold", stockStatus: "in_stock", salePrice: 89 });
    const embedQueue = new Queue(queueName("embed"), { connection: redis.duplicate(), prefix: PREFIX });
    const job = await embedQueue.getJob(result.followUps[0]);
    expect(job?.data).toEqual({ shop: SHOP, productIds: ["8000000000001"] });
    // Delayed to the end of its 20-second window (already due if the window just ended).
    expect(["delayed", "waiting"]).toContain(await job!.getState());
    expect(job!.opts.delay).toBeGreaterThan(0);
    expect(job!.opts.delay).toBeLessThanOrEqual(20_000);
    await embedQueue.close();
  });

  it("keeps ids only in BullMQ's job data: the webhook body (name, email, phone, address) waits in the JobRun row", async () => {
    const pii = { email: "ida.nur-ids@example.org", first: "Idaline", last: "Redisfrei", phone: "+4366412121212", street: "Keinweg 77" };
    const body = {
      ...JSON.parse(fixture("webhook-customer.json")),
      id: 7000000000555,
      admin_graphql_api_id: "gid://shopify/Customer/7000000000555",
      email: pii.email,
      first_name: pii.first,
      last_name: pii.last,
      phone: pii.phone,
      default_address: { address1: pii.street, city: "Wels", first_name: pii.first, last_name: pii.last, phone: pii.phone },
    };
    const { jobId, result } = await deliverAndWait("customers/create", body);
    expect(result.outcome).toBe("applied");
    expect(rawDb().prepare(`SELECT COUNT(*) AS n FROM Customer WHERE shop = ? AND id = '7000000000555'`).get(SHOP)).toEqual({ n: 1 });
    const needles = [...Object.values(pii), pii.phone.slice(1)].map((n) => n.toLowerCase());
    expect(await redisHits((v) => needles.some((n) => v.toLowerCase().includes(n)))).toEqual([]);
    const data = JSON.parse((await redis.hget(`${PREFIX}:facet-sync:${jobId}`, "data")) ?? "null");
    expect(data).toMatchObject({ shop: SHOP, topic: "CUSTOMERS_CREATE", stored: true });
    expect(data.payload).toBeUndefined();
  });

  it("answers 401 to a tampered delivery and writes nothing", async () => {
    const before = { products: count("Product"), deliveries: count("WebhookDelivery"), jobs: count("JobRun") };
    const tampered = await deliver("products/update", { ...product(), title: "Original" }, { tamper: (s) => s.replace("Original", "Hacked!!") });
    expect(tampered.status).toBe(401);
    const wrongSecret = await deliver("products/update", product(), { secret: "not-the-secret" });
    expect(wrongSecret.status).toBe(401);
    expect({ products: count("Product"), deliveries: count("WebhookDelivery"), jobs: count("JobRun") }).toEqual(before);
    const syncQueue = new Queue(queueName("sync"), { connection: redis.duplicate(), prefix: PREFIX });
    expect(await syncQueue.getJob(tampered.jobId)).toBeUndefined();
    await syncQueue.close();
    const title = (await prisma().product.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: "8000000000001" } } })).title;
    expect(title).toBe("Rhomberg Partnerring Gold");
  });

  it("counts a delivery repeated 3 times once (route and job level)", async () => {
    const order = JSON.parse(fixture("webhook-order.json"));
    const webhookId = "repeat-me-0001";
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await deliver("orders/create", order, { webhookId })).status);
    expect(statuses).toEqual([200, 200, 200]);
    await jobFinished(`wh-${SHOP}-${webhookId}`);
    expect(await prisma().webhookDelivery.count({ where: { shop: SHOP, webhookId } })).toBe(1);
    expect(await prisma().order.count({ where: { shop: SHOP } })).toBe(1);
    expect(await prisma().orderItem.count({ where: { shop: SHOP, orderId: "6000000000777" } })).toBe(2);
    // The job itself, run again (a BullMQ job evicted, a retry after a crash), is a no-op.
    const again = await applyDelivery({ shop: SHOP, topic: "ORDERS_CREATE", webhookId, payload: JSON.stringify(order) });
    expect(again.outcome).toBe("duplicate");
    const retrain = new Queue(queueName("retrainCheck"), { connection: redis.duplicate(), prefix: PREFIX });
    expect((await retrain.getJobs(["delayed", "waiting"])).map((j) => j.data)).toEqual([{ shop: SHOP }]);
    await retrain.close();
  });

  it("never lets an older update overwrite a newer one (products, customers, orders, inventory)", async () => {
    const newer = { ...product(), title: "Newer title", updated_at: "2024-07-01T12:00:00+02:00" };
    const older = { ...product(), title: "Older title", updated_at: "2024-06-15T12:00:00+02:00" };
    expect((await deliverAndWait("products/update", newer)).result.outcome).toBe("applied");
    expect((await deliverAndWait("products/update", older)).result.outcome).toBe("stale");
    expect((await prisma().product.findUniqueOrThrow({ where: { shop_id: { shop: SHOP, id: "8000000000001" } } })).title).toBe("Newer title");

    const customer = JSON.parse(fixture("webhook-customer.json"));
    await deliverAndWait("customers/update", { ...customer, tags: "new", updated_at: "2024-05-02T00:00:00Z", orders_count: 3 });
    await deliverAndWait("customers/create", customer);
    expect((await prisma().customer.findFirstOrThrow({ where: { shop: SHOP, id: "7000000000777" } })).totalOrders).toBe(3);

    const order = JSON.parse(fixture("webhook-order.json"));
    await deliverAndWait("orders/cancelled", { ...order, cancelled_at: "2024-06-06T10:00:00+02:00", updated_at: "2024-06-06T10:00:00+02:00" });
    await deliverAndWait("orders/updated", { ...order, updated_at: "2024-06-05T15:00:00+02:00" });
    expect((await prisma().order.findFirstOrThrow({ where: { shop: SHOP, id: "6000000000777" } })).status).toBe("cancelled");
    await deliverAndWait("orders/updated", { ...order, cancelled_at: null, updated_at: "2024-06-07T10:00:00+02:00" });

    const level = JSON.parse(fixture("webhook-inventory-level.json"));
    await deliverAndWait("inventory_levels/update", { ...level, available: 0, updated_at: "2024-06-09T10:00:00+02:00" });
    await deliverAndWait("inventory_levels/update", { ...level, available: 5, updated_at: "2024-06-08T10:00:00+02:00" });
    // Both variants now have nothing in stock: the product is out of stock, and the older "5" did not count.
    expect((await prisma().product.findFirstOrThrow({ where: { shop: SHOP, id: "8000000000001" } })).stockStatus).toBe("out_of_stock");
    await deliverAndWait("inventory_levels/update", { ...level, available: 2, updated_at: "2024-06-10T10:00:00+02:00" });
    expect((await prisma().product.findFirstOrThrow({ where: { shop: SHOP, id: "8000000000001" } })).stockStatus).toBe("in_stock");
  });

  it("applies a refund once and only when newer than the stored order", async () => {
    const refund = JSON.parse(fixture("webhook-refund.json"));
    expect((await deliverAndWait("refunds/create", refund)).result.outcome).toBe("applied");
    expect((await deliverAndWait("refunds/create", refund)).result.outcome).toBe("duplicate"); // another webhook id, the same refund
    const items = await prisma().orderItem.findMany({ where: { shop: SHOP, orderId: "6000000000777" } });
    expect(items.map((i) => i.productId)).toEqual(["8000000000001"]);
  });

  it("soft-deletes a product; a late stale update does not bring it back", async () => {
    const d = await deliver("products/delete", { id: 8000000000001 });
    await jobFinished(d.jobId);
    await deliverAndWait("products/update", { ...product(), updated_at: "2024-07-02T00:00:00Z" });
    const row = await prisma().product.findFirstOrThrow({ where: { shop: SHOP, id: "8000000000001" } });
    expect(row.deletedAt).not.toBeNull();
  });

  it("answers customers/data_request with a JSON export of everything held", async () => {
    await deliverAndWait("customers/create", { ...JSON.parse(fixture("webhook-customer.json")), updated_at: "2024-08-01T00:00:00Z" });
    const { result } = await deliverAndWait("customers/data_request", JSON.parse(fixture("webhook-customers-data-request.json")));
    const doc = JSON.parse(fs.readFileSync(result.exportFile, "utf8"));
    expect(result.exportFile).toBe(path.join(dataDir(), "exports", SHOP, "data-request-88001.json"));
    // The address is not held (issue 15 point 7): its keyed hash is, and the export says so.
    expect(doc.data.Customer[0].email).toBeNull();
    expect(doc.data.Customer[0].emailHash).toBe(emailHmac(SHOP, "lena.beispiel@example.org"));
    expect(doc.data.Order.map((o: { id: string }) => o.id)).toEqual(["6000000000777"]);
    expect(doc.data.OrderItem.length).toBeGreaterThan(0);
  });

  it("customers/redact leaves no row mentioning the customer and no factor row in any model", async () => {
    const id = "7000000000777";
    const email = "lena.beispiel@example.org";
    // Behaviour, links and derived data all over the house.
    linkClient(SHOP, "client-lena", id);
    linkClient(SHOP, "client-other", "111");
    storeInteractions(SHOP, "client-lena", id, [{ id: "px:e1:0", productId: "8000000000002", type: "view", timestamp: new Date().toISOString(), sessionId: "s1", deviceType: null, referrerSource: "pixel" }]);
    storeInteractions(SHOP, "client-lena-old", null, [{ id: "px:e0:0", productId: "8000000000001", type: "view", timestamp: new Date().toISOString(), sessionId: "s0", deviceType: null, referrerSource: "pixel" }]);
    rawDb().prepare(`INSERT INTO ClientLink (shop, clientId, customerId, linkedAt) VALUES (?, 'client-lena-old', ?, ?)`).run(SHOP, id, new Date().toISOString());
    storeInteractions(SHOP, "client-other", "111", [{ id: "px:e2:0", productId: "8000000000002", type: "view", timestamp: new Date().toISOString(), sessionId: "s2", deviceType: null, referrerSource: "pixel" }]);
    const tables = listTables();
    if (tables.includes("RecommendationEvent")) {
      rawDb().prepare(`INSERT INTO RecommendationEvent (shop, recommendationId, type, productId, placement, customerId, clientId, at) VALUES (?, 'r1', 'click', '8000000000002', 'product', ?, 'client-lena', ?)`).run(SHOP, id, new Date().toISOString());
    }
    if (tables.includes("AbandonedCheckout")) {
      rawDb().prepare(`INSERT INTO AbandonedCheckout (shop, checkoutId, customerId, productIds, updatedAt) VALUES (?, 'chk-lena', ?, '8000000000002', ?)`).run(SHOP, id, new Date().toISOString());
    }
    if (tables.includes("ExperimentExposure")) {
      rawDb().prepare(`INSERT INTO ExperimentExposure (shop, experimentId, shopper, variant, firstSeenAt) VALUES (?, 'x1', ?, 'a', ?)`).run(SHOP, id, new Date().toISOString());
    }
    // A published model: factors of three users, the customer in the middle; and a batch export.
    const modelDir = path.join(dataDir(), "models", SHOP, "v1");
    fs.mkdirSync(modelDir, { recursive: true });
    fs.writeFileSync(path.join(modelDir, "user_ids.json"), JSON.stringify(["111", id, "222"]));
    const factors = Float32Array.from([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);
    fs.writeFileSync(path.join(modelDir, "user_factors.f32"), new Uint8Array(factors.buffer));
    fs.writeFileSync(path.join(modelDir, "item_factors.f32"), new Uint8Array(Float32Array.from([9, 9, 9, 9, 8, 8, 8, 8, 7, 7, 7, 7]).buffer));
    fs.writeFileSync(path.join(modelDir, "item_ids.json"), JSON.stringify(["8000000000001", "8000000000002", "8000000000003"]));
    const sha = (name: string) => {
      const data = fs.readFileSync(path.join(modelDir, name));
      return { bytes: data.byteLength, sha256: crypto.createHash("sha256").update(data).digest("hex") };
    };
    const files = Object.fromEntries(["user_ids.json", "user_factors.f32", "item_factors.f32", "item_ids.json"].map((f) => [f, sha(f)]));
    // The manifest as app/artifacts/modelVersion.server.ts writes it.
    const manifest = { format: 1, version: "v1", created: new Date().toISOString(), shop: SHOP, parameters: null, metrics: {}, items: 3, users: 3, factors: 4, regularization: 0.1, alpha: 1, files };
    fs.writeFileSync(path.join(modelDir, "manifest.json"), JSON.stringify(manifest));
    const batchOut = path.join(db.dir(), "batch-home.csv");
    fs.writeFileSync(batchOut, `customer_id,product_ids\n111,8000000000002\n${id},8000000000002|8000000000001\n222,8000000000001\n`);
    await prisma().jobRun.create({ data: { id: "batch-1", shop: SHOP, name: "batch", status: "completed", payload: JSON.stringify({ shop: SHOP, placement: "home", k: 8, out: batchOut }) } });
    expect(findCustomerTraces(SHOP, [id], [email]).length).toBeGreaterThan(5);

    const { result } = await deliverAndWait("customers/redact", JSON.parse(fixture("webhook-customers-redact.json")));
    expect(result).toMatchObject({ kind: "customer", customers: 1 });

    // An independent scan of every column of every table, every shop.
    const idPattern = new RegExp(`(?<![\\d])${id}(?![\\d])`);
    const hits: string[] = [];
    for (const t of tables) {
      for (const row of rawDb().prepare(`SELECT * FROM "${t}"`).all() as Record<string, unknown>[]) {
        for (const [col, v] of Object.entries(row)) {
          const s = v === null ? "" : Buffer.isBuffer(v) ? "" : String(v);
          if (idPattern.test(s) || s.toLowerCase().includes(email)) hits.push(`${t}.${col}: ${s.slice(0, 80)}`);
        }
      }
    }
    expect(hits).toEqual([]);
    // Orders stay as anonymous sales; other customers' rows are untouched.
    expect(await prisma().order.findFirstOrThrow({ where: { shop: SHOP, id: "6000000000777" } })).toMatchObject({ customerId: null, email: null });
    expect(await prisma().interaction.count({ where: { shop: SHOP, customerId: "111" } })).toBe(1);
    // The model: the id is gone from disk, the factor rows of the others are intact.
    expect(JSON.parse(fs.readFileSync(path.join(modelDir, "user_ids.json"), "utf8"))).toEqual(["111", "222"]);
    const after = new Float32Array(new Uint8Array(fs.readFileSync(path.join(modelDir, "user_factors.f32"))).buffer);
    expect([...after]).toEqual([1, 1, 1, 1, 3, 3, 3, 3]);
    expect(fs.readFileSync(path.join(modelDir, "item_factors.f32")).byteLength).toBe(48);
    const rewritten = JSON.parse(fs.readFileSync(path.join(modelDir, "manifest.json"), "utf8"));
    expect([rewritten.users, rewritten.items]).toEqual([2, 3]);
    expect(rewritten.files["user_factors.f32"]).toEqual(sha("user_factors.f32"));
    expect(rewritten.files["user_ids.json"]).toEqual(sha("user_ids.json"));
    // The serving side loads the rewritten folder as a whole model.
    const loaded = await loadModelFolder(modelDir);
    expect(loaded.cf!.userIds).toEqual(["111", "222"]);
    expect([...loaded.cf!.userFactors]).toEqual([1, 1, 1, 1, 3, 3, 3, 3]);
    expect(fs.existsSync(path.join(modelDir, "redact.pending.json"))).toBe(false);
    expect(fs.readFileSync(batchOut, "utf8")).toBe("customer_id,product_ids\n111,8000000000002\n222,8000000000001\n");
    expect(fs.existsSync(path.join(dataDir(), "exports", SHOP, "data-request-88001.json"))).toBe(false);
    for (const f of fs.readdirSync(dataDir(), { recursive: true }) as string[]) {
      const file = path.join(dataDir(), f);
      if (fs.statSync(file).isFile()) expect(fs.readFileSync(file, "utf8").includes(email), file).toBe(false);
    }
    // Redis: BullMQ's copies of the jobs (finished jobs are kept 24 h) name them no more. The
    // deliveries' data held ids only (no body to purge); the redact job's own data is blanked.
    expect(await redisHits((v) => idPattern.test(v) || v.toLowerCase().includes(email))).toEqual([]);
    // A late retry of customers/update (Shopify retries for 4 hours) does not bring them back.
    expect((await deliverAndWait("customers/update", { ...JSON.parse(fixture("webhook-customer.json")), updated_at: "2025-01-01T00:00:00Z" })).result.outcome).toBe("tombstoned");
    expect(await prisma().customer.count({ where: { shop: SHOP, id } })).toBe(0);
  });

  it("customers/delete erases the customer (the redaction runs inside the delivery's transaction; the compaction after it)", async () => {
    const body = { ...JSON.parse(fixture("webhook-customer.json")), id: 7000000000999, email: "del.kunde@example.org" };
    await deliverAndWait("customers/create", body);
    expect(count("Customer")).toBeGreaterThan(0);
    expect(rawDb().prepare(`SELECT COUNT(*) AS n FROM Customer WHERE shop = ? AND id = '7000000000999'`).get(SHOP)).toEqual({ n: 1 });
    const { result } = await deliverAndWait("customers/delete", { id: 7000000000999 });
    expect(result).toMatchObject({ topic: "CUSTOMERS_DELETE", outcome: "applied" });
    expect(rawDb().prepare(`SELECT COUNT(*) AS n FROM Customer WHERE shop = ? AND id = '7000000000999'`).get(SHOP)).toEqual({ n: 0 });
  });

  it("app/uninstalled drops the sessions; shop/redact erases the shop", async () => {
    expect(await scheduleRetrain(SHOP, 24)).toBe(true);
    await deliverAndWait("app/uninstalled", { id: 954889001, myshopify_domain: SHOP });
    expect(await prisma().session.count({ where: { shop: SHOP } })).toBe(0);
    const train = new Queue(queueName("train"), { connection: redis.duplicate(), prefix: PREFIX });
    expect(await train.getJobSchedulers()).toEqual([]);
    await train.close();
    expect((await prisma().shop.findUniqueOrThrow({ where: { id: SHOP } })).uninstalledAt).not.toBeNull();
    await prisma().shop.create({ data: { id: "other.myshopify.com" } });
    // The erase removes the shop's JobRun rows too (its own included): wait on BullMQ's state instead.
    const d = await deliver("shop/redact", JSON.parse(fixture("webhook-shop-redact.json")));
    expect(d.status).toBe(200);
    const redactQueue = new Queue(queueName("redact"), { connection: redis.duplicate(), prefix: PREFIX });
    await waitFor(async () => (await (await redactQueue.getJob(d.jobId))?.getState()) === "completed", "shop/redact job");
    await redactQueue.close();
    const left: string[] = [];
    for (const name of listTables().filter((n) => !n.startsWith("_"))) {
      const cols = tableColumns(name).map((c) => c.name);
      const where = cols.includes("shop") ? "shop = ?" : name === "Shop" ? "id = ?" : null;
      if (!where) continue;
      const n = (rawDb().prepare(`SELECT COUNT(*) AS n FROM "${name}" WHERE ${where}`).get(SHOP) as { n: number }).n;
      if (n) left.push(`${name}: ${n}`);
    }
    expect(left).toEqual([]);
    expect(fs.existsSync(path.join(dataDir(), "models", SHOP))).toBe(false);
    expect(await prisma().shop.count({ where: { id: "other.myshopify.com" } })).toBe(1);
  });
});
