import { env } from "../../env.server";
import { CliError, defineCommand, intFlag } from "../command";
import { systemClock } from "../../clock";

export default defineCommand({
  name: "train",
  summary: "Train the collaborative model and bought/viewed-together lists; publish a new model version",
  help: `
Usage: facet train [--shop <domain>] [--factors 64] [--iterations 15] [--seed 42] [--threads N]
                   [--cg-steps 3] [--alpha 2] [--regularization 1] [--early-stop] [--json]

Reads the shop's products, interactions and orders, builds the confidence matrix (purchase >
wishlist > cart > view over 30 s > click, with a 90-day half-life), trains implicit ALS, builds
"bought together" (same order) and "viewed together" (same session) neighbours, and writes a new
model version under $FACET_DATA_DIR/models/<shop>/<version>/. The previous version keeps serving
until the new one is complete and published. Defaults come from the shop's "cf" setting, then
from code (app/recommend/cf/als.ts DEFAULT_ALS); flags override both for this run.

Flags:
  --factors N          latent dimensions (default 64)
  --iterations N       ALS sweeps (default 15)
  --seed N             random seed: the same data and seed give the same model (default 42)
  --threads N          threads for ALS (default: cores, at most 4)
  --cg-steps N         conjugate-gradient steps per row and sweep (default 3)
  --alpha X            confidence scale: c = 1 + alpha * strength (default 2)
  --regularization X   lambda (default 1)
  --early-stop         hold out 10% of each customer's interactions, stop when their AUC stops
                       improving, then retrain on everything for the best iteration count
                       (the shop's "cf".earlyStop setting turns this on for scheduled training)
  --json               print the result as one JSON object

Example: facet train --shop demo.myshopify.com --factors 64 --iterations 15 --seed 42
`,
  options: {
    factors: { type: "string" },
    iterations: { type: "string" },
    seed: { type: "string" },
    threads: { type: "string" },
    "cg-steps": { type: "string" },
    alpha: { type: "string" },
    regularization: { type: "string" },
    "early-stop": { type: "boolean" },
  },
  async run({ values }) {
    const shop = (values.shop as string | undefined) ?? env().FACET_SHOP;
    const als: Record<string, number> = {};
    const int = (flag: string, key: string, min = 1) => {
      if (values[flag] !== undefined) als[key] = intFlag(values[flag], flag, 0, min);
    };
    const num = (flag: string, key: string) => {
      if (values[flag] === undefined) return;
      const v = Number(values[flag]);
      if (!Number.isFinite(v) || v < 0) throw new CliError(`--${flag} must be a number >= 0 (got ${JSON.stringify(values[flag])})`, 2);
      als[key] = v;
    };
    int("factors", "factors");
    int("iterations", "iterations", 0);
    int("seed", "seed", 0);
    int("threads", "threads");
    int("cg-steps", "cgSteps");
    num("alpha", "alpha");
    num("regularization", "regularization");

    const { runTrain } = await import("../../jobs/train.server");
    const { BadJobInput } = await import("../../queues/jobs");
    const quiet = Boolean(values.json);
    const runs = await import("../../models/jobRun.server");
    // Recorded like a queued job so the admin's job list shows CLI runs too.
    const jobId = `train:cli:${systemClock.now().toISOString()}`;
    await runs.recordQueued(jobId, shop, "train", { shop, reason: "cli", params: { als } });
    await runs.recordStarted(jobId, 1);
    let result;
    try {
      result = await runTrain(shop, { als, ...(values["early-stop"] ? { earlyStop: {} } : {}) }, {
        progress: (f, m) => runs.recordProgress(jobId, f, m),
        log: (m) => {
          if (!quiet) process.stderr.write(m + "\n");
        },
      });
      await runs.recordFinished(jobId, { version: result.version });
    } catch (e) {
      await runs.recordFailed(jobId, (e as Error).message, true);
      if (e instanceof BadJobInput || e instanceof RangeError) throw new CliError((e as Error).message);
      throw e;
    }
    if (values.json) {
      console.log(JSON.stringify(result, null, 2));
      return 0;
    }
    console.log(`published model version ${result.version} for ${shop}`);
    console.log(`  ${result.products} products, ${result.customers} customers, ${result.events} events -> ${result.metrics.nonZeros} non-zeros`);
    console.log(`  phases: ${Object.entries(result.phases).map(([k, v]) => `${k} ${v.toFixed(2)} s`).join(", ")}`);
    const m = result.metrics;
    if (m["als.iterations"] !== undefined) {
      console.log(`  ALS: ${m["als.iterations"]} iterations, ${Number(m["als.secondsPerIteration"]).toFixed(3)} s/iteration, ${m["als.threads"]} thread(s)`);
    } else console.log("  ALS: skipped (too few interactions)");
    console.log(`  bought together: ${m.boughtTogetherPairs} pairs; viewed together: ${m.viewedTogetherPairs} pairs`);
    console.log(`  folder: ${result.path}`);
    return 0;
  },
});
