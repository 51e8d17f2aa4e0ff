import { blendNotes } from "../../recommend/hybrid/tuneBlend";
import { env } from "../../env.server";
import { CliError, defineCommand, intFlag } from "../command";
import { systemClock } from "../../clock";

export default defineCommand({
  name: "train",
  summary: "Train the collaborative model and bought/viewed-together lists; publish a new model version",
  help: `
Usage: facet train [--shop <domain>] [--factors 64] [--iterations 15] [--seed 42] [--threads N]
                   [--cg-steps 3] [--alpha 2] [--regularization 1] [--early-stop]
                   [--no-tune] [--tune-budget SECONDS] [--json]

Reads the shop's products, interactions and orders, builds the confidence matrix (purchase >
wishlist > cart > view over 30 s > click, decayed with a half-life measured from the shop's
latest event, not from today: an imported history is not decayed to nothing), chooses the
collaborative settings on a validation slice (below), trains implicit ALS, builds
"bought together" (same order) and "viewed together" (same session) neighbours, and writes a new
model version under $FACET_DATA_DIR/models/<shop>/<version>/. The previous version keeps serving
until the new one is complete and published. Defaults come from the shop's "cf" setting, then
from code (app/recommend/cf/als.ts DEFAULT_ALS); flags override both for this run.

Tuning (on by default): the latest 15 % of the shop's purchases form a validation slice; models
trained on the events before it are scored by NDCG@10 on those customers' new purchases, over
the half-life, the log or linear confidence scale, alpha, lambda and factors (coordinate search,
app/recommend/cf/tune.ts), within a time budget (default 60 s + 0.6 ms per customer: 3 min at
200,000 customers; setting "cf".tune.budgetSeconds). The chosen values, their validation score
and the values they replaced are stored with the model version. Flags you give (--factors,
--alpha, --regularization) are kept as given and not searched.

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
  --no-tune            train with the settings as given (no validation search)
  --tune-budget S      seconds the search may take (default: see above)
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
    "no-tune": { type: "boolean" },
    "tune-budget": { type: "string" },
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
    const tune: Record<string, unknown> = { fixed: ["factors", "alpha", "regularization"].filter((k) => als[k] !== undefined) };
    if (values["no-tune"]) tune.enabled = false;
    if (values["tune-budget"] !== undefined) {
      const b = Number(values["tune-budget"]);
      if (!Number.isFinite(b) || b <= 0) throw new CliError(`--tune-budget must be a number of seconds > 0 (got ${JSON.stringify(values["tune-budget"])})`, 2);
      tune.budgetSeconds = b;
    }

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
      result = await runTrain(shop, { als, tune, ...(values["early-stop"] ? { earlyStop: {} } : {}) }, {
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
    console.log(`  reference time: ${result.referenceTime ?? "none"} (the latest event; decay is measured from it)`);
    const t = result.tuning;
    if (t?.skipped) console.log(`  tuning: skipped: ${t.skipped}`);
    else if (t) {
      console.log(`  tuning: ${t.trialsRun} trials in ${t.spentSeconds.toFixed(0)} s${t.stoppedByBudget ? " (budget reached)" : ""}, validation ${t.objective} ${t.defaultScore.toFixed(4)} -> ${t.chosenScore.toFixed(4)} on ${t.validationUsers} customers`);
      console.log(`  chosen: ${JSON.stringify(t.chosen)} (before: ${JSON.stringify(t.defaults)})`);
      if (t.ease?.note) console.log(`  EASE: ${t.ease.note}`);
      for (const line of blendNotes({ blend: result.blend })) console.log(`  blend: ${line}`);
    } else console.log("  tuning: off (--no-tune)");
    console.log(`  bought together: ${m.boughtTogetherPairs} pairs; viewed together: ${m.viewedTogetherPairs} pairs`);
    console.log(`  folder: ${result.path}`);
    return 0;
  },
});
