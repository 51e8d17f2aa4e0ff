/**
 * The built server's life cycle, as a process: start-up refuses a missing secret or an unreachable
 * Redis naming the variable; a Redis that goes away while serving makes requests fail fast with
 * 503 (not hang) and /readyz say so; SIGTERM drains and exits 0 (the hard stop at 9 s exits 1);
 * kill -9 with in-process jobs queued and running loses none (the next start resumes them); the
 * BullMQ worker refuses an unreachable Redis and exits on SIGTERM.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { describeIf, redisReachable } from "../helpers/requires";
import { attackRow } from "./attackRow";
import { ROOT, ensureBuild, installShop, startAndExit, startServer, waitFor, webhookHeaders, type RunningServer } from "./server";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const redisUp = await redisReachable(REDIS_URL);
const SHOP = "facet-life.myshopify.com";
const fixture = (name: string) => fs.readFileSync(path.join(ROOT, "test/fixtures/shopify", name), "utf8");
const servers: RunningServer[] = [];

afterAll(async () => {
  for (const s of servers) await s.stop("SIGKILL");
});

/** One signed delivery. The 30 s bound only keeps a hung server from hanging the test: how fast a
 * webhook is answered is the bench's figure, and a loaded CI machine can take seconds. */
async function deliver(server: RunningServer, topic: string, body: string) {
  const res = await fetch(`${server.url}/webhooks`, { method: "POST", headers: webhookHeaders(SHOP, topic, body), body, signal: AbortSignal.timeout(30_000) });
  await res.arrayBuffer();
  return res.status;
}

/** A TCP relay to Redis that the test can cut, as a Redis host going down would. */
async function relay(target: URL): Promise<{ url: string; cut(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 6379), target.hostname);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const end = () => (client.destroy(), upstream.destroy());
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return {
    url: `redis://127.0.0.1:${(srv.address() as net.AddressInfo).port}`,
    cut: () => new Promise<void>((r) => (srv.close(() => r()), sockets.forEach((s) => s.destroy()))),
  };
}

describe("production start-up refuses a bad configuration, naming the variable", () => {
  it("a missing secret", () => {
    ensureBuild();
    const r = startAndExit({ SHOPIFY_API_KEY: "k", SHOPIFY_APP_URL: "https://facet.example.com" });
    expect(r.code).toBe(78);
    expect(r.log).toMatch(/SHOPIFY_API_SECRET is not set/);
  }, 240_000);

  it("an unreachable Redis", () => {
    const r = startAndExit({ SHOPIFY_API_KEY: "k", SHOPIFY_API_SECRET: "s", SHOPIFY_APP_URL: "https://facet.example.com", REDIS_URL: "redis://127.0.0.1:1" });
    expect(r.code).toBe(78);
    expect(r.log).toMatch(/REDIS_URL: no Redis answers at redis:\/\/127\.0\.0\.1:1/);
    attackRow(import.meta.url, { bullet: 6, attack: "REDIS_URL at a closed port: /webhooks hung > 60 s, /ingest > 150 s", how: "npm start with REDIS_URL=redis://127.0.0.1:1", now: `start-up refused: exit ${r.code}, "${/REDIS_URL: no Redis answers at \S+/.exec(r.log)?.[0]}"` });
  });
});

describe("kill -9 of the embedded default", () => {
  it("loses no in-process job: the next start resumes the queued and running ones", async () => {
    ensureBuild();
    const first = await startServer();
    servers.push(first);
    installShop(first, SHOP);
    // sync jobs run at once, each products/* enqueues a debounced embed, orders/create a delayed retrain check, customers/redact a redact.
    for (const [topic, file] of [
      ["products/update", "webhook-product.json"],
      ["orders/create", "webhook-order.json"],
      ["customers/update", "webhook-customer.json"],
      ["customers/redact", "webhook-customers-redact.json"],
    ]) expect(await deliver(first, topic, fixture(file))).toBe(200);
    await first.stop("SIGKILL");
    const db = first.db();
    const unfinished = () => db.prepare(`SELECT id, name, status FROM JobRun WHERE status IN ('queued', 'running') ORDER BY id`).all() as { id: string; name: string; status: string }[];
    const left = unfinished();
    console.log(`unfinished at kill -9: ${left.map((r) => `${r.name}:${r.status}`).join(", ")}`);
    expect(left.length).toBeGreaterThan(0);
    const queuedAtKill = left.length;
    db.close();

    const second = await startServer({ dir: first.dir });
    servers.push(second);
    expect(second.log()).toMatch(new RegExp(`resumed jobs: ${left.length}\\b`));
    await waitFor(() => (second.db().prepare(`SELECT COUNT(*) AS n FROM JobRun WHERE status IN ('queued', 'running')`).get() as { n: number }).n === 0, "the resumed jobs to finish", 90_000);
    const states = second.db().prepare(`SELECT name, status, error FROM JobRun WHERE id IN (${left.map(() => "?").join(",")})`).all(...left.map((r) => r.id)) as { name: string; status: string; error: string | null }[];
    expect(states.map((s) => s.status)).toEqual(left.map(() => "completed"));
    expect(second.db().prepare(`SELECT COUNT(*) AS n FROM WebhookDelivery WHERE shop = ?`).get(SHOP)).toEqual({ n: 4 });
    attackRow(import.meta.url, { bullet: 10, attack: "a job queued in-process before kill -9 stayed queued forever", how: "4 signed webhooks (sync, embed, retrain check, redact jobs), kill -9, npm start again", now: `${queuedAtKill} unfinished at the kill, all ${states.filter((st) => st.status === "completed").length} completed after the restart (kill -9 inside each job type: crash.test.ts)` });
    expect(await second.stop()).toBe(0);
  }, 240_000);
});

describeIf(redisUp, `Redis at ${REDIS_URL}`, "Redis going away while serving", () => {
  it("answers 503 at once instead of hanging, /readyz says so, and SIGTERM still exits 0", async () => {
    ensureBuild();
    const r = await relay(new URL(REDIS_URL));
    const server = await startServer({ env: { REDIS_URL: r.url } });
    servers.push(server);
    installShop(server, SHOP);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    expect(await deliver(server, "products/update", fixture("webhook-product.json"))).toBe(200);
    await r.cut();
    expect(await deliver(server, "products/update", fixture("webhook-product.json"))).toBe(503);
    const ingest = await fetch(`${server.url}/ingest`, {
      method: "POST",
      body: JSON.stringify({ shop: SHOP, clientId: "c", customerId: null, sessionId: "s", consent: { analytics: true, marketing: false, preferences: false, saleOfData: false }, events: [{ id: "e1", name: "product_viewed", timestamp: new Date().toISOString(), productIds: ["1"] }] }),
      signal: AbortSignal.timeout(8000),
    });
    expect(ingest.status).toBe(503);
    const ready = await fetch(`${server.url}/readyz`, { signal: AbortSignal.timeout(8000) });
    expect(ready.status).toBe(503);
    expect((await ready.json()).redis).not.toBe("ok");
    const t0 = performance.now();
    expect(await server.stop("SIGTERM")).toBe(0);
    attackRow(import.meta.url, { bullet: 6, attack: "Redis going away: requests hung, the server did not exit on SIGTERM", how: "Redis cut (a relay closed) while serving; a signed webhook, an /ingest batch, /readyz, then SIGTERM", now: `webhook 503, /ingest ${ingest.status}, /readyz 503; SIGTERM: exit 0 in ${Math.round(performance.now() - t0)} ms` });
    expect(server.log()).toMatch(/SIGTERM: draining/);
  }, 240_000);

  it("the worker refuses an unreachable Redis, and exits 0 on SIGTERM", async () => {
    const run = (env: Record<string, string>) => spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "workers/index.ts"), "ping"], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    const exitOf = (c: ReturnType<typeof run>) => new Promise<number | null>((res) => c.once("exit", (code) => res(code)));
    const bad = run({ REDIS_URL: "redis://127.0.0.1:1" });
    let badLog = "";
    bad.stderr!.on("data", (d) => (badLog += d));
    expect(await exitOf(bad)).toBe(78);
    expect(badLog).toMatch(/REDIS_URL: no Redis answers/);
    attackRow(import.meta.url, { bullet: 6, attack: "the worker printed \"ready\", then 27 connection errors a second", how: "npm run worker with REDIS_URL=redis://127.0.0.1:1", now: `exit 78, "${/REDIS_URL: no Redis answers at \S+/.exec(badLog)?.[0]}"` });

    const good = run({ REDIS_URL, FACET_QUEUE_PREFIX: `lifetest${process.pid}` });
    let log = "";
    good.stderr!.on("data", (d) => (log += d));
    await waitFor(() => /workers ready/.test(log), "the worker to be ready", 60_000);
    const exited = exitOf(good);
    const t0 = performance.now();
    good.kill("SIGTERM");
    expect(await exited).toBe(0);
    attackRow(import.meta.url, { bullet: 6, attack: "the worker did not exit on SIGTERM", how: "SIGTERM to a worker connected to Redis", now: `exit 0 in ${Math.round(performance.now() - t0)} ms` });
  }, 120_000);
});
