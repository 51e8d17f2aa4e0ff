/**
 * The `embed` job: fetch, decode and embed a shop's product images (all, or `productIds`), store
 * the vectors and update the shop's nearest-neighbour index. Safe to run twice: unchanged images
 * are skipped, vectors are upserted, the index sync is a diff.
 */
import { ModelMismatchError } from "../embedding/onnxModel";
import { runEmbed, type EmbedOptions, type EmbedResult } from "../embedding/embedPipeline.server";
import { BadJobInput, type JobContext, type JobPayloads } from "../queues/jobs";
import { monotonicMs } from "../clock";
import { writeVisualBundle } from "../serving/bundle.server";

export type EmbedHooks = Pick<EmbedOptions, "onProgress" | "log" | "batchSize" | "modelConfig" | "fetch">;

/** The job's work with hooks for the CLI (progress bar) and tests. */
export async function embedShop(payload: JobPayloads["embed"], hooks: EmbedHooks = {}): Promise<EmbedResult> {
  if (!payload.shop) throw new BadJobInput("embed: payload.shop is required");
  try {
    const result = await runEmbed({ ...hooks, shop: payload.shop, productIds: payload.productIds, force: payload.force, modelPath: payload.modelPath });
    // The serving bundle of the new vectors (neighbour lists, compact vectors): the web process only reads it.
    const bundle = await writeVisualBundle(payload.shop);
    if (bundle?.written) hooks.log?.(`serving bundle: ${bundle.rows} products x ${bundle.neighbours} neighbours in ${bundle.seconds.toFixed(1)} s`);
    return result;
  } catch (e) {
    // A model that does not fit fails the same way on every retry.
    if (e instanceof ModelMismatchError) throw new BadJobInput(`embed: ${e.message}`);
    throw e;
  }
}

export default async function embed(payload: JobPayloads["embed"], ctx: JobContext): Promise<EmbedResult> {
  let lastReport = 0;
  const result = await embedShop(payload, {
    log: (m) => ctx.log(m),
    onProgress: (p) => {
      const now = monotonicMs();
      if (now - lastReport < 500 && p.productsDone < p.productsTotal) return;
      lastReport = now;
      const fraction = p.phase === "index" ? 0.95 : p.productsTotal > 0 ? (0.95 * p.productsDone) / p.productsTotal : 0.95;
      void ctx.progress(fraction, `${p.productsDone}/${p.productsTotal} products, ${p.imagesDone} images (${p.imagesPerSec.toFixed(1)}/s), ${p.imagesFailed} failed${p.phase === "index" ? ", updating index" : ""}`);
    },
  });
  // The admin shows the job's result: keep it small (the full failure list is in ProductImage).
  return { ...result, failures: result.failures.slice(0, 20) };
}
