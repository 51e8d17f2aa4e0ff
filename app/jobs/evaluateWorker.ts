/**
 * The evaluation on its own thread (evaluate.server.ts's evaluateInThread): runs evaluateShop for
 * the shop with its own database handle and posts the log, the progress and the result's summary
 * back. Protocol: {type:"log", message}*, {type:"progress", fraction, message}*, then
 * {type:"done", summary} or {type:"error", message}.
 */
import { parentPort, workerData } from "node:worker_threads";
import { closeDatabase } from "../models/health.server";
import { evaluateShop, evaluationSummary, type EvaluateThreadData } from "./evaluate.server";

const data = workerData as EvaluateThreadData;
const port = parentPort!;

async function main(): Promise<void> {
  const out = await evaluateShop(data.shop, {
    ...data.options,
    log: (message) => port.postMessage({ type: "log", message }),
    progress: (fraction, message) => port.postMessage({ type: "progress", fraction, message }),
  });
  await closeDatabase();
  port.postMessage({ type: "done", summary: evaluationSummary(out) });
}

main().catch((e) => port.postMessage({ type: "error", message: (e as Error).stack ?? String(e) }));
