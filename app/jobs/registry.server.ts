/**
 * Finds the function of a job by name: app/jobs/<name>.server.ts exports it as default.
 * Loaded lazily so that, say, an import never loads the ONNX runtime.
 */
import type { JobFunction, JobName } from "../queues/jobs";

const loaders: Record<JobName, () => Promise<{ default: JobFunction<never> }>> = {
  import: () => import("./import.server"),
  embed: () => import("./embed.server"),
  train: () => import("./train.server"),
  batch: () => import("./batch.server"),
  sync: () => import("./sync.server"),
  bulkSync: () => import("./bulkSync.server"),
  redact: () => import("./redact.server"),
  retrainCheck: () => import("./retrainCheck.server"),
  ping: () => import("./ping.server"),
  campaign: () => import("./campaign.server"),
  evaluate: () => import("./evaluate.server"),
  campaignPreview: () => import("./campaignPreview.server"),
};

export async function jobFunction<N extends JobName>(name: N): Promise<JobFunction<N>> {
  const mod = await loaders[name]();
  return mod.default as unknown as JobFunction<N>;
}
