/**
 * The batch on several cores (issue 17, point 5): `threads` worker threads, each with its own
 * snapshot of the shop, take turns on blocks of BATCH_BLOCK customers (block b on thread
 * b mod threads); the main thread writes the blocks in order, so the file is byte for byte the
 * one-thread writeBatch's (test/serving/batchPool.test.ts), and every row is what the API answers.
 * The threads build their snapshots at once (the load costs the wall time of one); each holds a
 * snapshot, so the memory is `threads` snapshots. Threads and I/O live here, outside app/recommend.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { BATCH_BLOCK, BatchFile, checkBatchPlacement, type BatchOptions, type BatchResult } from "./batch.server";
import type { SegmentFilter } from "./batch.server";
import type { Placement } from "../recommend/types";

export interface BatchWorkerData {
  shop: string;
  placement: Placement;
  k: number;
  segment?: SegmentFilter;
  now: number;
  index: number;
  threads: number;
}

type Message =
  | { type: "ready"; customers: number; idsHash: string; modelVersion: string | null; products: number; loadSeconds: number }
  | { type: "block"; block: number; text: string; customers: number; rows: number; skippedNoConsent: number; skippedBySegment: number }
  | { type: "done" }
  | { type: "error"; message: string };

const WORKER_URL = new URL("./batchWorker" + (import.meta.url.endsWith(".ts") ? ".ts" : ".js"), import.meta.url);

/** Whether the worker module exists next to this one (a bundled build may not ship it: then one thread). */
export function batchThreadsAvailable(): boolean {
  return WORKER_URL.protocol === "file:" && fs.existsSync(fileURLToPath(WORKER_URL));
}

function workerSource(): string {
  const url = WORKER_URL.href;
  const load = `import(${JSON.stringify(url)})`;
  const body = url.endsWith(".ts") ? `import("tsx/esm/api").then((m) => { m.register(); return ${load}; })` : load;
  return `${body}.catch((e) => { require("node:worker_threads").parentPort.postMessage({ type: "error", message: "batchWorker did not load: " + (e && e.stack || e) }); });`;
}

export interface ParallelBatchResult extends BatchResult {
  threads: number;
  /** The slowest thread's snapshot load (seconds). */
  loadSeconds: number;
  products: number;
}

/** The batch of every customer (or a segment) on `threads` worker threads; the CSV equals writeBatch's. */
export async function writeBatchParallel(shop: string, o: BatchOptions & { threads: number }): Promise<ParallelBatchResult> {
  const started = performance.now();
  checkBatchPlacement(o.placement);
  const threads = Math.max(1, Math.floor(o.threads));
  const workers: Worker[] = [];
  const file = new BatchFile(o.out);
  const total = { customers: 0, rows: 0, skippedNoConsent: 0, skippedBySegment: 0 };
  let loadSeconds = 0;
  let products = 0;
  let modelVersion: string | null = null;
  try {
    await new Promise<void>((resolve, reject) => {
      const pending = new Map<number, Extract<Message, { type: "block" }>>();
      let next = 0;
      let blocks = -1;
      let ready = 0;
      let done = 0;
      let hash: string | null = null;
      let customersTotal = 0;
      let failed = false;
      const fail = (e: Error) => {
        if (failed) return;
        failed = true;
        reject(e);
      };
      const drain = () => {
        for (let b = pending.get(next); b; b = pending.get(next)) {
          pending.delete(next);
          file.write(b.text);
          total.customers += b.customers;
          total.rows += b.rows;
          total.skippedNoConsent += b.skippedNoConsent;
          total.skippedBySegment += b.skippedBySegment;
          next++;
          o.progress?.(Math.min(next * BATCH_BLOCK, customersTotal), customersTotal);
        }
        if (done === threads && ready === threads) {
          if (next !== blocks) fail(new Error(`batch, ${shop}: ${next} of ${blocks} blocks arrived: a batch thread stopped early`));
          else resolve();
        }
      };
      for (let index = 0; index < threads; index++) {
        const workerData: BatchWorkerData = { shop, placement: o.placement, k: o.k, segment: o.segment, now: o.now, index, threads };
        const w = new Worker(workerSource(), { eval: true, workerData });
        workers.push(w);
        w.on("error", (e) => fail(new Error(`batch, ${shop}: thread ${index} failed: ${e.message}`)));
        w.on("exit", (code) => {
          if (code !== 0) fail(new Error(`batch, ${shop}: thread ${index} exited with code ${code}`));
        });
        w.on("message", (m: Message) => {
          if (m.type === "error") return fail(new Error(`batch, ${shop}: thread ${index}: ${m.message}`));
          if (m.type === "ready") {
            ready++;
            if (hash !== null && m.idsHash !== hash) {
              return fail(new Error(`batch, ${shop}: the threads' snapshots list different customers (the shop changed while they loaded): run the batch again`));
            }
            hash = m.idsHash;
            customersTotal = m.customers;
            blocks = Math.ceil(m.customers / BATCH_BLOCK);
            loadSeconds = Math.max(loadSeconds, m.loadSeconds);
            products = m.products;
            modelVersion = m.modelVersion;
            o.progress?.(0, customersTotal);
            return;
          }
          if (m.type === "block") pending.set(m.block, m);
          else done++;
          drain();
        });
      }
    });
    file.finish();
  } catch (e) {
    file.abort();
    throw e;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return { out: path.resolve(o.out), ...total, modelVersion, seconds: (performance.now() - started) / 1000, threads, loadSeconds, products };
}
