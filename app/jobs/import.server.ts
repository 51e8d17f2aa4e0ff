/**
 * The import job: validates a folder in the import format and, when it is clean, writes it in one
 * transaction (app/import/importFolder.server.ts). Data problems are BadJobInput: a retry cannot
 * fix a file, the operator must. Progress: validation is the first half, writing the second.
 */
import { importFolder, ImportInputError, type ImportProgress } from "../import/importFolder.server";
import { BadJobInput, type JobContext, type JobPayloads } from "../queues/jobs";
import { monotonicMs } from "../clock";

export default async function importJob(payload: JobPayloads["import"], ctx: JobContext) {
  if (!payload?.shop || !payload?.dir) throw new BadJobInput("the import job needs {shop, dir}");
  let lastReport = 0;
  const onProgress = (p: ImportProgress) => {
    const now = monotonicMs();
    if (now - lastReport < 500 && p.done < p.total) return;
    lastReport = now;
    const within = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
    // Writing runs inside one synchronous transaction: these reports land when it commits.
    void ctx.progress((p.phase === "validate" ? 0 : 0.5) + within / 2, `${p.phase === "validate" ? "checking" : "writing"} ${p.file}`);
  };
  try {
    const result = await importFolder({ shop: payload.shop, dir: payload.dir, onProgress });
    if (!result.ok) {
      throw new BadJobInput(`${result.problemCount} problem(s) in ${payload.dir}; nothing was imported:\n${result.problems.join("\n")}`);
    }
    await ctx.progress(1, "imported");
    return { files: result.files, embeddings: result.embeddings, warnings: result.warnings, seconds: result.seconds };
  } catch (e) {
    if (e instanceof ImportInputError) throw new BadJobInput(e.message);
    throw e;
  }
}
