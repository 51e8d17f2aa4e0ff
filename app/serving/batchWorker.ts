/**
 * One thread of the parallel batch (batchPool.server.ts): builds its own snapshot of the shop (the
 * same inputs and `now` as its siblings) and answers the blocks of customers numbered
 * index, index + threads, ... through the API's `respond`, posting each block's CSV text back.
 * Protocol: -> {type:"ready", customers, idsHash, modelVersion, products, loadSeconds}, then
 * {type:"block", block, text, customers, rows, skippedNoConsent, skippedBySegment} per block, then
 * {type:"done"}; {type:"error", message} on failure.
 */
import crypto from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";
import { buildSnapshot } from "./snapshot.server";
import { BATCH_BLOCK, batchBlock } from "./batch.server";
import type { BatchWorkerData } from "./batchPool.server";

const data = workerData as BatchWorkerData;
const port = parentPort!;

async function main(): Promise<void> {
  const t0 = performance.now();
  const snapshot = await buildSnapshot(data.shop, data.now);
  const ids = snapshot.world.customerIds;
  const idsHash = crypto.createHash("sha256").update(ids.join("\n")).digest("hex");
  port.postMessage({ type: "ready", customers: ids.length, idsHash, modelVersion: snapshot.modelVersion, products: snapshot.signals.products, loadSeconds: (performance.now() - t0) / 1000 });
  for (let b = data.index; b * BATCH_BLOCK < ids.length; b += data.threads) {
    const r = batchBlock(snapshot, data, b * BATCH_BLOCK, (b + 1) * BATCH_BLOCK);
    port.postMessage({ type: "block", block: b, ...r });
  }
  port.postMessage({ type: "done" });
}

main().catch((e) => port.postMessage({ type: "error", message: (e as Error).stack ?? String(e) }));
