/**
 * Issue 15 point 9: the embedded default survives a crash. For EACH job of the registry
 * (app/queues/jobs.ts JOB_NAMES) the built server (`npm start`, SQLite, jobs in-process) runs the
 * job, is killed with SIGKILL in the middle of it, and is started again on the same database and
 * data folder; the job must then complete and its effect be whole: nothing lost, nothing doubled,
 * no half-written file left behind.
 *
 * The job is enqueued as the in-process driver enqueues it: a "queued" JobRun row with its payload
 * (the JobRun table is the queue), which the server's start-up resumes. The kill lands at a known
 * point: FACET_TEST_HOLD_JOB_AT="<job>:<regex>" freezes the server at that job's first progress
 * message matching the regex (app/queues/inProcess.server.ts), and the test kill -9s it there.
 * The points are chosen between a job's writes (after a commit, before the rest), where a crash
 * can leave half of an effect.
 *
 * The scenarios run in turn on one data folder (import, then embed over the imported catalogue,
 * then train, ...), like a shop's life. bulkSync talks to a local HTTPS stand-in for Shopify's Admin
 * API (the shop domain is its host:port; the server trusts its certificate via NODE_EXTRA_CA_CERTS).
 */
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDemoShop } from "../../app/demo/generate";
import { JOB_NAMES, type JobName } from "../../app/queues/jobs";
import { ROOT, databaseUrlFor, ensureBuild, installShop, openDb, startServer, waitFor, type RunningServer } from "./server";

const SHOP = "facet-crash.myshopify.com";
const NOW = "2026-11-01T00:00:00.000Z";
let dir = "";
let demo = "";
let caFile = "";
let shopify: FakeShopify;
const servers: RunningServer[] = [];

type Db = Database.Database;
const count = (db: Db, sql: string, ...args: unknown[]) => (db.prepare(sql).get(...args) as { n: number }).n;
const csvRows = (file: string) => fs.readFileSync(file, "utf8").trimEnd().split("\n").length - 1;

interface Scenario {
  name: JobName;
  /** What the kill interrupts (the test's title). */
  during: string;
  /** Rows and files the job needs; returns its payload. */
  prepare(db: Db): Record<string, unknown>;
  /** The progress message (regex) the server is frozen and killed at. */
  holdAt: string;
  /** Extra env of the held start (bulkSync: trust the stand-in's certificate). */
  env?: () => Record<string, string>;
  /** The job's effect, whole, after the restarted server completed it. */
  check(db: Db, result: Record<string, unknown>): void;
}

function insertJob(db: Db, id: string, name: JobName, payload: Record<string, unknown>): void {
  db.prepare(`INSERT INTO JobRun (id, shop, name, status, payload, createdAt) VALUES (?, ?, ?, 'queued', ?, ?)`).run(id, payload.shop, name, JSON.stringify(payload), new Date().toISOString());
}
const setting = (db: Db, shop: string, key: string, value: unknown) =>
  db.prepare(`INSERT INTO Setting (shop, key, value) VALUES (?, ?, ?) ON CONFLICT (shop, key) DO UPDATE SET value = excluded.value`).run(shop, key, JSON.stringify(value));

const SCENARIOS: Scenario[] = [
  {
    name: "import",
    during: "the import's write transaction",
    holdAt: "^writing",
    prepare: () => ({ shop: SHOP, dir: demo }),
    check(db) {
      expect(count(db, `SELECT COUNT(*) AS n FROM Product WHERE shop = ?`, SHOP)).toBe(csvRows(path.join(demo, "products.csv")));
      expect(count(db, `SELECT COUNT(*) AS n FROM Customer WHERE shop = ?`, SHOP)).toBe(csvRows(path.join(demo, "customers.csv")));
      expect(count(db, `SELECT COUNT(*) AS n FROM "Order" WHERE shop = ?`, SHOP)).toBe(csvRows(path.join(demo, "orders.csv")));
      expect(count(db, `SELECT COUNT(*) AS n FROM Interaction WHERE shop = ?`, SHOP)).toBe(csvRows(path.join(demo, "interactions.csv")));
    },
  },
  {
    name: "embed",
    during: "the embed, between the stored vectors and the index",
    holdAt: "updating index",
    prepare: () => ({ shop: SHOP }),
    check(db, result) {
      const products = count(db, `SELECT COUNT(*) AS n FROM Product WHERE shop = ?`, SHOP);
      expect(count(db, `SELECT COUNT(DISTINCT productId) AS n FROM ProductEmbedding WHERE shop = ?`, SHOP)).toBe(products);
      expect(result.productsTotal ?? products).toBe(products);
      const indexFiles = (fs.readdirSync(path.join(dir, "data"), { recursive: true }) as string[]).filter((f) => /index/i.test(f) && f.includes(SHOP));
      expect(indexFiles.length).toBeGreaterThan(0);
    },
  },
  {
    name: "train",
    during: "the training, after its model version is written and before the serving bundle",
    holdAt: "^writing the serving bundle",
    prepare(db) {
      setting(db, SHOP, "cf", { tune: { enabled: false }, als: { factors: 8, iterations: 3 } });
      return { shop: SHOP, now: NOW };
    },
    check(db, result) {
      const published = db.prepare(`SELECT version, path FROM ModelVersion WHERE shop = ? AND status = 'published'`).all(SHOP) as { version: string; path: string }[];
      expect(published.map((p) => p.version)).toEqual([result.version]);
      expect(fs.existsSync(path.join(published[0].path, "manifest.json"))).toBe(true);
      const models = path.dirname(published[0].path);
      expect(fs.readdirSync(models).filter((f) => f.startsWith(".tmp"))).toEqual([]);
    },
  },
  {
    name: "evaluate",
    during: "the evaluation, after its row is saved",
    holdAt: "^evaluation saved",
    prepare: () => ({ shop: SHOP, tune: false }),
    check(db, result) {
      const rows = db.prepare(`SELECT id, result FROM Evaluation WHERE shop = ?`).all(SHOP) as { id: unknown; result: string }[];
      expect(rows.map((r) => String(r.id))).toContain(String(result.id));
      for (const r of rows) expect(JSON.parse(r.result)).toBeTruthy();
    },
  },
  {
    name: "batch",
    during: "the batch, with its CSV half written",
    holdAt: "^[1-9]\\d*/\\d+ customers",
    prepare: () => ({ shop: SHOP, placement: "email", k: 4, out: path.join(dir, "out", "email.csv"), threads: 1, now: NOW }),
    check(_db, result) {
      const out = path.join(dir, "out", "email.csv");
      const lines = fs.readFileSync(out, "utf8").trimEnd().split("\n");
      expect(lines.length - 1).toBe(result.rows);
      const customers = new Set(lines.slice(1).map((l) => l.split(",")[0]));
      expect(customers.size).toBe(result.customers);
      expect(fs.readdirSync(path.dirname(out)).filter((f) => f !== "email.csv")).toEqual([]);
      expect(fs.statSync(out).mode & 0o077).toBe(0);
    },
  },
  {
    name: "campaign",
    during: "the campaign, after its exports are written",
    holdAt: "recipients$",
    prepare(db) {
      db.prepare(`INSERT INTO Campaign (id, shop, name, spec, createdAt) VALUES ('crash-news', ?, 'News', ?, ?)`).run(SHOP, JSON.stringify({ kind: "new-arrivals", days: 60, k: 3 }), new Date().toISOString());
      return { shop: SHOP, campaignId: "crash-news", now: NOW };
    },
    check(db, result) {
      const exports = path.join(dir, "data", "exports", SHOP);
      const files = fs.readdirSync(exports).filter((f) => f.startsWith("crash-news"));
      expect(files.sort()).toEqual([path.basename(result.path as string), path.basename(result.csvPath as string)].sort());
      expect(JSON.parse(fs.readFileSync(result.path as string, "utf8"))).toBeTruthy();
      expect(db.prepare(`SELECT lastExport FROM Campaign WHERE id = 'crash-news'`).get()).toEqual({ lastExport: result.path });
    },
  },
  {
    name: "campaignPreview",
    during: "the admin's campaign preview, half-way through its customers",
    holdAt: "^[1-9]\\d* of \\d+ customers",
    prepare: () => ({ shop: SHOP, spec: { kind: "new-arrivals", days: 60, k: 3 }, sample: 5, now: NOW }),
    check(_db, result) {
      expect(result.total).toBeGreaterThan(0);
      expect((result.recipients as unknown[]).length).toBe(Math.min(5, result.total as number));
    },
  },
  {
    name: "retrainCheck",
    during: "the retrain check, after it enqueued the train",
    holdAt: "^train enqueued",
    prepare(db) {
      setting(db, SHOP, "freshness.retrainThreshold", 2);
      const later = new Date(Date.now() + 60_000).toISOString();
      for (const c of ["C000001", "C000002", "C000003"]) {
        db.prepare(`INSERT INTO "Order" (shop, id, customerId, orderDate, status, totalAmount) VALUES (?, ?, ?, ?, 'completed', 10)`).run(SHOP, `crash-${c}`, c, later);
      }
      return { shop: SHOP };
    },
    check(db, result) {
      expect(result.train).toMatch(/^train-/);
      const trains = db.prepare(`SELECT id, status FROM JobRun WHERE name = 'train' AND id = ?`).all(result.train) as { status: string }[];
      expect(trains).toHaveLength(1);
      expect(count(db, `SELECT COUNT(*) AS n FROM ModelVersion WHERE shop = ? AND status = 'published'`, SHOP)).toBe(1);
    },
  },
  {
    name: "sync",
    during: "a products/update delivery, after its write committed and before its follow-up embed",
    holdAt: "^written",
    prepare(db) {
      const id = (db.prepare(`SELECT id FROM Product WHERE shop = ? ORDER BY id LIMIT 1`).get(SHOP) as { id: string }).id;
      const body = JSON.parse(fs.readFileSync(path.join(ROOT, "test/fixtures/shopify/webhook-product.json"), "utf8")) as Record<string, unknown>;
      Object.assign(body, { id: Number(id), title: "Crash-proof ring", updated_at: new Date().toISOString(), admin_graphql_api_id: `gid://shopify/Product/${id}` });
      return { shop: SHOP, topic: "PRODUCTS_UPDATE", webhookId: "crash-webhook-1", payload: JSON.stringify(body), triggeredAt: new Date().toISOString() };
    },
    check(db, result) {
      expect(count(db, `SELECT COUNT(*) AS n FROM WebhookDelivery WHERE shop = ? AND webhookId = 'crash-webhook-1'`, SHOP)).toBe(1);
      expect(count(db, `SELECT COUNT(*) AS n FROM Product WHERE shop = ? AND title = 'Crash-proof ring'`, SHOP)).toBe(1);
      const followUps = result.followUps as string[];
      expect(followUps).toHaveLength(1);
      expect(count(db, `SELECT COUNT(*) AS n FROM JobRun WHERE id = ? AND name = 'embed'`, followUps[0])).toBe(1);
    },
  },
  {
    name: "redact",
    during: "customers/redact, after the database and before the files",
    holdAt: "^database redacted",
    prepare(db) {
      expect(fs.readFileSync(path.join(dir, "out", "email.csv"), "utf8")).toMatch(/^C000004,/m);
      expect(count(db, `SELECT COUNT(*) AS n FROM Interaction WHERE shop = ? AND customerId = 'C000004'`, SHOP)).toBeGreaterThan(0);
      return { shop: SHOP, customerId: "C000004" };
    },
    check(db) {
      expect(fs.readFileSync(path.join(dir, "out", "email.csv"), "utf8")).not.toMatch(/\bC000004\b/);
      for (const t of ["Customer", "Interaction", "ClientLink"]) expect(count(db, `SELECT COUNT(*) AS n FROM "${t}" WHERE ${t === "Customer" ? "id" : "customerId"} = 'C000004'`), t).toBe(0);
      expect(count(db, `SELECT COUNT(*) AS n FROM JobRun WHERE payload LIKE '%C000004%' OR result LIKE '%C000004%'`)).toBe(0);
      const models = path.join(dir, "data", "models", SHOP);
      for (const v of fs.readdirSync(models)) {
        const ids = path.join(models, v, "user_ids.json");
        if (fs.existsSync(ids)) expect(fs.readFileSync(ids, "utf8"), v).not.toMatch(/"C000004"/);
      }
    },
  },
  {
    name: "ping",
    during: "the third attempt of a ping that fails twice",
    holdAt: "^pong",
    prepare: () => ({ shop: SHOP, failUntilAttempt: 3 }),
    check(_db, result) {
      expect(result).toMatchObject({ pong: true, attempt: 3 });
    },
  },
  {
    name: "bulkSync",
    during: "the first products sync, while downloading Shopify's export",
    holdAt: "^products: downloading",
    env: () => ({ NODE_EXTRA_CA_CERTS: caFile }),
    prepare(db) {
      db.prepare(`INSERT INTO Session (id, shop, state, isOnline, accessToken) VALUES (?, ?, 's', FALSE, 'shpat_test')`).run(`offline_${shopify.shop}`, shopify.shop);
      db.prepare(`INSERT INTO Shop (id, installedAt, updatedAt) VALUES (?, ?, ?)`).run(shopify.shop, new Date().toISOString(), new Date().toISOString());
      return { shop: shopify.shop, resource: "products" };
    },
    check(db) {
      expect(shopify.started).toBe(1);
      const expected = new Set(shopify.productIds);
      const rows = db.prepare(`SELECT id FROM Product WHERE shop = ?`).all(shopify.shop) as { id: string }[];
      expect(new Set(rows.map((r) => r.id))).toEqual(expected);
      expect(fs.existsSync(path.join(dir, "data", "sync", shopify.shop)) ? fs.readdirSync(path.join(dir, "data", "sync", shopify.shop)) : []).toEqual([]);
    },
  },
];

/** Shopify's Admin API as far as a bulk export goes: start, poll, download (HTTPS on 127.0.0.1). */
interface FakeShopify {
  shop: string;
  started: number;
  productIds: string[];
  close(): Promise<void>;
}
async function fakeShopify(certDir: string): Promise<FakeShopify> {
  const key = path.join(certDir, "key.pem");
  const cert = path.join(certDir, "cert.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
  const jsonl = fs.readFileSync(path.join(ROOT, "test/fixtures/shopify/bulk-products.jsonl"), "utf8");
  const productIds = jsonl.split("\n").filter(Boolean).map((l) => JSON.parse(l) as { id: string; __parentId?: string }).filter((o) => !o.__parentId && o.id.includes("/Product/")).map((o) => o.id.split("/").pop()!);
  const state = { shop: "", started: 0, productIds, close: async () => undefined as void };
  const server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      if (req.url === "/bulk.jsonl") {
        res.writeHead(200, { "Content-Type": "application/jsonl" });
        res.end(jsonl);
        return;
      }
      const op = { id: "gid://shopify/BulkOperation/777", status: "COMPLETED", errorCode: null, objectCount: String(jsonl.split("\n").filter(Boolean).length), url: `https://${state.shop}/bulk.jsonl`, partialDataUrl: null };
      res.writeHead(200, { "Content-Type": "application/json" });
      if (/bulkOperationRunQuery/.test(body)) {
        state.started++;
        res.end(JSON.stringify({ data: { bulkOperationRunQuery: { bulkOperation: { ...op, status: "CREATED", url: null }, userErrors: [] } } }));
      } else res.end(JSON.stringify({ data: { node: op } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  state.shop = `127.0.0.1:${(server.address() as { port: number }).port}`;
  state.close = () => new Promise<void>((r) => server.close(() => r()));
  fs.copyFileSync(cert, caFile);
  return state;
}

beforeAll(async () => {
  ensureBuild();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "facet-crash-"));
  demo = path.join(dir, "demo");
  caFile = path.join(dir, "ca.pem");
  await generateDemoShop({ out: demo, products: 150, customers: 700, interactions: 12_000, seed: 15, images: true, now: new Date(NOW) });
  shopify = await fakeShopify(fs.mkdtempSync(path.join(os.tmpdir(), "facet-crash-tls-")));
  // A first start migrates the fresh database; the shop is installed as OAuth leaves it.
  const first = await startServer({ dir });
  servers.push(first);
  installShop(first, SHOP);
  expect(await first.stop()).toBe(0);
}, 300_000);

afterAll(async () => {
  for (const s of servers) await s.stop("SIGKILL");
  await shopify?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("kill -9 during each job type loses nothing (issue 15 point 9)", () => {
  it("has a scenario for every job of the registry", () => {
    expect([...new Set(SCENARIOS.map((s) => s.name))].sort()).toEqual([...JOB_NAMES].sort());
  });

  for (const s of SCENARIOS) {
    it(`${s.name}: kill -9 during ${s.during}, restart, the job completes whole`, async () => {
      const id = `crash-${s.name}-${crypto.randomBytes(3).toString("hex")}`;
      const db0 = openDb(await databaseUrlFor(dir));
      try {
        insertJob(db0, id, s.name, s.prepare(db0));
      } finally {
        db0.close();
      }
      const held = await startServer({ dir, env: { FACET_TEST_HOLD_JOB_AT: `${s.name}:${s.holdAt}`, ...s.env?.() } });
      servers.push(held);
      await waitFor(() => /test hold: job /.test(held.log()), `${s.name} to reach "${s.holdAt}"\n${held.log()}`, 180_000);
      expect(held.log()).toContain(`test hold: job ${s.name} ${id} at`);
      await held.stop("SIGKILL");
      const cut = held.db().prepare(`SELECT status FROM JobRun WHERE id = ?`).get(id);
      expect(cut, "the kill came while the job ran").toEqual({ status: "running" });
      held.db().close();

      const again = await startServer({ dir, env: s.env?.() });
      servers.push(again);
      expect(again.log()).toMatch(/resumed jobs: [1-9]/);
      const status = () => (again.db().prepare(`SELECT status FROM JobRun WHERE id = ?`).get(id) as { status: string } | undefined)?.status ?? "gone";
      await waitFor(() => !["running", "queued"].includes(status()), `${s.name} to finish after the restart`, 180_000);
      // Follow-ups the job enqueued (retrainCheck's train) finish too before the effect is judged.
      await waitFor(() => count(again.db(), `SELECT COUNT(*) AS n FROM JobRun WHERE status = 'running' OR (status = 'queued' AND name <> 'embed')`) === 0, "follow-up jobs", 180_000);
      const row = again.db().prepare(`SELECT status, error, result FROM JobRun WHERE id = ?`).get(id) as { status: string; error: string | null; result: string | null } | undefined;
      expect(row, again.log()).toMatchObject({ status: "completed", error: null });
      expect(again.log()).not.toMatch(/resumed job .* failed/);
      s.check(again.db(), JSON.parse(row!.result ?? "{}") as Record<string, unknown>);
      expect(await again.stop()).toBe(0);
    }, 400_000);
  }
});
