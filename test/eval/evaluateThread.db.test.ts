/**
 * The evaluate job (the admin's Evaluate and Tune buttons) on the embedded default, jobs in-process:
 * it runs on a worker thread (docs/decisions/0210), so the server's event loop stays free while it
 * runs. A real HTTP server in this process answers /healthz from app/http/probes.server.ts; it is
 * asked once the evaluation has loaded its data, and the test checks the order of events, not a
 * time: the answer comes while the evaluation is still evaluating (a progress "evaluated ..." is
 * reported after it). On this thread, every "evaluated ..." step would run before any answer.
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "../helpers/db";
import { healthz } from "../../app/http/probes.server";
import { InProcessDriver } from "../../app/queues/inProcess.server";
import { jobFunction } from "../../app/jobs/registry.server";
import type { JobLookup } from "../../app/queues/jobs";
import { evaluateWorkerFile } from "../../app/jobs/evaluate.server";

const db = useTempDatabase();
const SHOP = "eval-thread.myshopify.com";

function writeShop(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const cats = ["rings", "necklaces", "earrings", "bracelets"];
  const products = ["product_id,title,category,brand,price,image_url,material,stock_status,created_date"];
  for (let i = 0; i < 240; i++) products.push(`P${i},Schmuck ${i},${cats[i % 4]},Facet,${20 + (i % 50) * 7}.00,https://example.com/${i}.png,${["Silber", "Gold"][i % 2]},in_stock,2024-01-01`);
  const customers = ["customer_id,registration_date,gender,age,age_group,location_country,last_active_date,marketing_consent"];
  const interactions = ["interaction_id,customer_id,product_id,interaction_type,timestamp"];
  let n = 0;
  for (let u = 0; u < 400; u++) {
    customers.push(`C${u},2023-01-01,${u % 2 ? "male" : "female"},${20 + (u % 40)},${["18-25", "26-35", "36-45", "46+"][u % 4]},${["DE", "AT", "CH"][u % 3]},2024-11-01,true`);
    for (let j = 0; j < 12; j++) {
      const p = (u % 4) + 4 * ((u * 7 + j * 13) % 60);
      const day = 1 + ((u + j) % 28);
      interactions.push(`X${n++},C${u},P${p},${["view", "click", "add_to_cart", "purchase"][j % 4]},2024-${String(1 + (j % 12)).padStart(2, "0")}-${String(day).padStart(2, "0")} 10:00:00`);
    }
  }
  fs.writeFileSync(path.join(dir, "products.csv"), products.join("\n") + "\n");
  fs.writeFileSync(path.join(dir, "customers.csv"), customers.join("\n") + "\n");
  fs.writeFileSync(path.join(dir, "interactions.csv"), interactions.join("\n") + "\n");
}

const server = http.createServer((req, res) => {
  const r = healthz();
  void r.text().then((body) => {
    res.writeHead(r.status, { "Content-Type": "application/json" });
    res.end(body);
  });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("the evaluate job in-process", () => {
  it("finds the worker's source in a clone and in the built server's layout", () => {
    const root = path.resolve(__dirname, "../..");
    expect(evaluateWorkerFile()).toBe(path.join(root, "app/jobs/evaluateWorker.ts"));
    expect(evaluateWorkerFile(`file://${root}/build/server/assets/evaluate.server-abc.js`)).toBe(path.join(root, "app/jobs/evaluateWorker.ts"));
    expect(evaluateWorkerFile("file:///nowhere/build/server/index.js")).toBeNull();
  });

  it("runs off the event loop: /healthz answers while the evaluation runs, progress still shown", async () => {
    const dir = path.join(db.dir(), "shop");
    writeShop(dir);
    const { importFolder } = await import("../../app/import/importFolder.server");
    expect((await importFolder({ shop: SHOP, dir })).ok).toBe(true);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;

    // The real job, its progress calls observed on their way to the JobRun row.
    const seen: { fraction: number; message?: string; afterAnswer: boolean }[] = [];
    let answered = false;
    let loaded!: () => void;
    const dataLoaded = new Promise<void>((r) => (loaded = r));
    const lookup = (async (name) => {
      const fn = await jobFunction(name);
      return (payload, ctx) =>
        fn(payload, {
          ...ctx,
          progress: (f, m) => {
            seen.push({ fraction: f, message: m, afterAnswer: answered });
            if (m === "data loaded") loaded();
            return ctx.progress(f, m);
          },
        });
    }) as JobLookup;
    const driver = new InProcessDriver(lookup);
    const handle = await driver.enqueue("evaluate", { shop: SHOP, k: 10 }, { jobId: "eval-thread-1", attempts: 1 });
    let finished = false;
    const result = handle.finished().finally(() => (finished = true));

    await Promise.race([dataLoaded, result]);
    const r = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(await r.json()).toEqual({ ok: true });
    answered = true;
    const finishedAtAnswer = finished;

    const out = (await result) as { id: number; headline: unknown };
    expect(finishedAtAnswer).toBe(false);
    // Evaluation steps were still reported after /healthz answered: the answer came mid-evaluation.
    const evaluated = seen.filter((s) => s.message?.startsWith("evaluated "));
    expect(evaluated.length).toBeGreaterThan(3);
    expect(evaluated.some((s) => s.afterAnswer)).toBe(true);
    // Progress still reaches the JobRun row, in order, ending at 1.
    const fractions = seen.map((s) => s.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(fractions.at(-1)).toBe(1);
    const { recentJobs } = await import("../../app/models/jobRun.server");
    const row = (await recentJobs(SHOP, 5)).find((j) => j.id === "eval-thread-1")!;
    expect(row.status).toBe("completed");
    expect(row.progress).toBe(1);
    const { latestEvaluation } = await import("../../app/models/evaluation.server");
    expect((await latestEvaluation(SHOP))?.id).toBe(out.id);
    expect(out.headline).toBeTruthy();
    await driver.close();
  }, 240_000);
});
