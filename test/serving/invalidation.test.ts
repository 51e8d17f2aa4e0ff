/**
 * Issue 16 point 4: a change made on one machine (a worker publishes a model version; an admin
 * saves settings or starts an experiment) is served by another web process within 5 s. The web
 * process is a child (test/serving/webProbe.mts) with its own data folder and the database artifact
 * store, so it shares nothing with this process but the database (and Redis). Measured: the time
 * from the change being committed to the child serving it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "../helpers/db";
import { describeIf, redisReachable } from "../helpers/requires";
import { databaseFile, env, resetEnvForTests } from "../../app/env.server";
import { rawDb } from "../../app/db.server";
import { writeModelVersion } from "../../app/artifacts/modelVersion.server";
import { saveSettingsOverride } from "../../app/models/settings.server";
import { createExperiment, setExperimentStatus } from "../../app/models/experiment.server";
import { servingStamp } from "../../app/models/servingStamp.server";
import { announceServingChange, closeAnnouncer } from "../../app/queues/broadcast.server";
import type { Catalog } from "../../app/recommend/types";
import type { TrainArtifacts } from "../../app/recommend/cf/train";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const redisUp = await redisReachable(REDIS_URL);
const db = useTempDatabase();
const SHOP = "facet-fleet-invalidation.myshopify.com";
const ITEMS = ["P1", "P2", "P3", "P4"];
/** Child processes start slowly on a loaded machine (tsx compiles on start). */
const START_MS = 120_000;

interface Line {
  version: string | null;
  stamp: string | null;
  running: number | null;
  at: number;
}
type Probe = ChildProcess & { lines: Line[]; watch: { pollMs: number; pubsub: boolean } };
const children: ChildProcess[] = [];

function startProbe(extra: Record<string, string>): Promise<Probe> {
  const e = env();
  const child = spawn(process.execPath, ["--import", "tsx", path.join(path.dirname(new URL(import.meta.url).pathname), "webProbe.mts")], {
    env: {
      ...process.env,
      REDIS_URL: "",
      DATABASE_URL: e.DATABASE_URL.startsWith("file:") ? `file:${databaseFile()}` : e.DATABASE_URL,
      FACET_DATA_DIR: path.join(db.dir(), `web-${children.length}`),
      FACET_ARTIFACT_STORE: "database",
      SHOP,
      ...extra,
    },
    stdio: ["ignore", "pipe", "pipe"],
  }) as Probe;
  children.push(child);
  child.lines = [];
  let stderr = "";
  let buffer = "";
  child.stderr!.on("data", (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      buffer += d.toString();
      const parts = buffer.split("\n");
      buffer = parts.pop()!;
      for (const line of parts) {
        if (line.startsWith("ready ")) {
          child.watch = JSON.parse(line.slice(6));
          resolve(child);
        } else if (line.startsWith("{")) child.lines.push(JSON.parse(line) as Line);
      }
    });
    child.once("exit", (code) => reject(new Error(`web probe exited early (${code}): ${stderr}`)));
    setTimeout(() => reject(new Error(`web probe not ready after ${START_MS} ms: ${stderr}`)), START_MS).unref();
  });
}

/** Milliseconds from `since` until the probe prints a line that satisfies `ok` (fails after 10 s). */
async function servedWithin(probe: Probe, since: number, ok: (l: Line) => boolean): Promise<number> {
  for (;;) {
    const hit = probe.lines.find((l) => l.at >= since && ok(l));
    if (hit) return hit.at - since;
    if (Date.now() - since > 10_000) throw new Error(`not served within 10 s; last line: ${JSON.stringify(probe.lines.at(-1))}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function model(seed: number): { catalog: Catalog; artifacts: TrainArtifacts } {
  const users = ["C1", "C2"];
  return {
    catalog: { ids: ITEMS } as unknown as Catalog,
    artifacts: {
      cf: { factors: 2, userIds: users, userIndex: new Map(users.map((u, i) => [u, i])), userFactors: Float32Array.from([1, seed, 2, seed]), itemFactors: Float32Array.from(ITEMS.flatMap((_, i) => [i, seed])), regularization: 0.1, alpha: 1 },
      boughtTogether: null,
      viewedTogether: null,
      metrics: {},
    },
  };
}

const settingsPart = () => servingStamp(SHOP).split("|")[1];

beforeAll(async () => {
  process.env.FACET_ARTIFACT_STORE = "database";
  process.env.FACET_DATA_DIR = path.join(db.dir(), "worker");
  resetEnvForTests();
  const product = rawDb().prepare(`INSERT INTO Product (shop, id, title, category, brand, price, imageUrl, material, stockStatus, createdDate, handle) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  ITEMS.forEach((id, i) => product.run(SHOP, id, `Ring ${i}`, "rings", "Facet", 30 + i, `https://img.example/${id}.jpg`, "Silber", "in_stock", "2026-01-01T00:00:00.000Z", `ring-${i}`));
  await writeModelVersion(SHOP, model(1).catalog, model(1).artifacts, {});
});

afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});

afterAll(() => {
  closeAnnouncer();
  delete process.env.FACET_ARTIFACT_STORE;
  delete process.env.REDIS_URL;
  delete process.env.FACET_QUEUE_PREFIX;
  resetEnvForTests();
});

describe("without Redis: the change counters", () => {
  it("a new model version and a settings change are served within 5 s (one counter read per second)", async () => {
    const probe = await startProbe({});
    expect(probe.watch).toEqual({ pollMs: 1000, pubsub: false });
    const before = probe.lines.at(-1)?.version ?? null;
    const t0 = Date.now();
    const v = await writeModelVersion(SHOP, model(2).catalog, model(2).artifacts, {});
    const versionMs = await servedWithin(probe, t0, (l) => l.version === v.version);
    expect(before).not.toBe(v.version);
    const t1 = Date.now();
    await saveSettingsOverride(SHOP, { global: { visualNeighbours: 12 } });
    const want = settingsPart();
    const settingsMs = await servedWithin(probe, t1, (l) => l.stamp?.split("|")[1] === want);
    console.log(`invalidation without Redis: model version served after ${versionMs} ms, settings after ${settingsMs} ms`);
    expect(versionMs).toBeLessThan(5000);
    expect(settingsMs).toBeLessThan(5000);
  }, 180_000);
});

describeIf(redisUp, "Redis at " + REDIS_URL, "with Redis: pub/sub", () => {
  it("model version, settings and experiment changes are served at once, though the counters are read only every 60 s", async () => {
    const prefix = `facet-inval-${process.pid}-${Date.now()}`;
    const probe = await startProbe({ REDIS_URL, FACET_QUEUE_PREFIX: prefix, FACET_CHANGE_POLL_MS: "60000" });
    expect(probe.watch).toEqual({ pollMs: 60000, pubsub: true });
    process.env.REDIS_URL = REDIS_URL;
    process.env.FACET_QUEUE_PREFIX = prefix;
    resetEnvForTests();
    const t0 = Date.now();
    const v = await writeModelVersion(SHOP, model(3).catalog, model(3).artifacts, {}); // announces "models"
    const versionMs = await servedWithin(probe, t0, (l) => l.version === v.version);
    const t1 = Date.now();
    await saveSettingsOverride(SHOP, { global: { visualNeighbours: 16 } });
    await announceServingChange(SHOP, "settings"); // what the settings page does (refreshSnapshot)
    const want = settingsPart();
    const settingsMs = await servedWithin(probe, t1, (l) => l.stamp?.split("|")[1] === want);
    const exp = await createExperiment(SHOP, { name: "fleet", placement: "product", variants: [{ id: "a", name: "A", weight: 1 }, { id: "b", name: "B", weight: 1 }] } as never);
    const t2 = Date.now();
    await setExperimentStatus(SHOP, exp.id, "running");
    await announceServingChange(SHOP, "experiments"); // what the experiments page does
    const experimentMs = await servedWithin(probe, t2, (l) => l.running === 1);
    console.log(`invalidation with Redis pub/sub: model version served after ${versionMs} ms, settings after ${settingsMs} ms, experiment after ${experimentMs} ms`);
    for (const ms of [versionMs, settingsMs, experimentMs]) expect(ms).toBeLessThan(5000);
  }, 180_000);
});
