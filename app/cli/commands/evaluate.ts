import { CliError, defineCommand, intFlag } from "../command";
import { env } from "../../env.server";
import { renderReport } from "../../recommend/eval/report";
import { SPLIT_KINDS, type SplitKind } from "../../recommend/eval/splits";
import { PLACEMENTS, type Placement } from "../../recommend/types";

export default defineCommand({
  name: "evaluate",
  summary: "Offline evaluation: baselines, single sources and blends side by side (+ fairness, tuning)",
  help: `
Usage: facet evaluate [--k 10] [--split temporal|per-customer|holdout <file>] [--tune] [--json] [--shop <domain>]

  --k <n>              list length K (default 10)
  --split <kind>       temporal (default): train before a cut, test after;
                       per-customer: each customer's last 20 % of purchases;
                       holdout <file>: the listed customer_id,product_id pairs
  --test-share <f>     share of purchases held out (default 0.2)
  --cut <date>         temporal cut, e.g. 2024-10-01 (default: leaves the last 20 % of purchases)
  --max-users <n>      evaluate a seeded sample of at most n test customers (default 2000)
  --seed <n>           sampling and bootstrap seed (default 42)
  --placements <list>  comma-separated placements to blend (default all)
  --tune               tune each placement's weights, price band and diversity on a validation slice
                       of the training period; store the result as a proposal (Setting recommend.proposal)
  --no-save            do not store the result
  --json               print one JSON object: {k, split, results: [{name, precision, recall, ndcg, ...}], ...}

Relevant = purchases (order lines, purchase interactions) in the test period, not cancelled; products
already bought before are not test targets. Training for evaluation never sees the test period.
Example: facet evaluate --k 10 --split per-customer --json
`,
  options: {
    k: { type: "string" },
    split: { type: "string" },
    holdout: { type: "string" },
    "test-share": { type: "string" },
    cut: { type: "string" },
    "max-users": { type: "string" },
    seed: { type: "string" },
    placements: { type: "string" },
    tune: { type: "boolean" },
    "no-save": { type: "boolean" },
  },
  async run({ values, positionals }) {
    const shop = (values.shop as string | undefined) ?? env().FACET_SHOP;
    const k = intFlag(values.k, "k", 10);
    const split = (values.split as string | undefined) ?? (values.holdout ? "holdout" : "temporal");
    if (!SPLIT_KINDS.includes(split as SplitKind)) throw new CliError(`--split must be one of ${SPLIT_KINDS.join(", ")} (got "${split}")`, 2);
    const holdoutFile = (values.holdout as string | undefined) ?? (split === "holdout" ? positionals[0] : undefined);
    if (split === "holdout" && !holdoutFile) throw new CliError("--split holdout needs a file: facet evaluate --split holdout holdout.csv (lines customer_id,product_id)", 2);
    const testShare = values["test-share"] === undefined ? undefined : Number(values["test-share"]);
    if (testShare !== undefined && !(testShare > 0 && testShare < 1)) throw new CliError(`--test-share must be between 0 and 1, e.g. 0.2 (got "${values["test-share"]}")`, 2);
    let cut: number | undefined;
    if (values.cut !== undefined) {
      cut = Date.parse(values.cut as string);
      if (!Number.isFinite(cut)) throw new CliError(`--cut must be a date such as 2024-10-01 (got "${values.cut}")`, 2);
    }
    let placements: Placement[] | undefined;
    if (values.placements) {
      placements = (values.placements as string).split(",").map((p) => p.trim()) as Placement[];
      const bad = placements.filter((p) => !PLACEMENTS.includes(p));
      if (bad.length) throw new CliError(`--placements: unknown ${bad.join(", ")}; use ${PLACEMENTS.join(", ")}`, 2);
    }
    const json = values.json === true;
    const { evaluateShop } = await import("../../jobs/evaluate.server");
    // With --json, scripts read the first line starting with "{" or "[" of the combined output as the
    // document (../shared/checks/cli-contract.sh): keep log lines from looking like one.
    const restoreStderr = json ? guardStderr() : () => {};
    let out;
    try {
      out = await evaluateShop(shop, {
        k,
        split: split as SplitKind,
        holdoutFile,
        testShare,
        cut,
        placements,
        maxUsers: values["max-users"] === undefined ? undefined : intFlag(values["max-users"], "max-users", 2000),
        seed: values.seed === undefined ? undefined : intFlag(values.seed, "seed", 42, 0),
        tune: values.tune === true,
        save: values["no-save"] !== true,
        log: (m) => console.error(`evaluate: ${m}`),
      });
    } catch (e) {
      const msg = (e as Error).message;
      if (/holdout|no products|testShare/.test(msg)) throw new CliError(msg);
      throw e;
    } finally {
      restoreStderr();
    }
    if (json) {
      console.log(JSON.stringify({ ...out.result, id: out.id, model_version_id: out.modelVersionId, seconds: round(out.seconds, 2), cpu_seconds: round(out.cpuSeconds, 2) }, null, 2));
      return 0;
    }
    console.log(renderReport(out.result, { seconds: out.seconds, cpuSeconds: out.cpuSeconds, id: out.id }));
    return 0;
  },
});

function round(x: number, d: number): number {
  return Math.round(x * 10 ** d) / 10 ** d;
}

/** Prefixes console.error lines that start like JSON ("[visual] ...") until the returned function is called. */
function guardStderr(): () => void {
  const original = console.error;
  console.error = (...args: unknown[]) => {
    const first = args.length > 0 ? String(args[0]) : "";
    original(...(/^[[{]/.test(first) ? [`facet: ${first}`, ...args.slice(1)] : args));
  };
  return () => {
    console.error = original;
  };
}
