import fs from "node:fs";
import { CliError, defineCommand } from "../command";
import { env } from "../../env.server";

const HELP = `
Usage: facet experiment <action> [args] [--shop <domain>] [--json]

  list                                   the shop's experiments
  create --name <text> --placement <p> --variants <json | @file.json> [--start <ISO date>] [--end <ISO date>]
                                         a draft; variants: [{"id":"control","name":"Blend","weight":1},
                                         {"id":"visual","name":"Visual","weight":1,"settings":{"weights":{"visual":1}}},
                                         {"id":"none","name":"Holdout","weight":1,"holdout":true}]
                                         (settings: an override of the placement's settings: weights, rules, diversity)
  start <id> | pause <id> | stop <id>    takes effect on the storefront within seconds, no restart;
                                         one running experiment per placement
  results <id> [--window <days>]         metrics per variant, confidence intervals, significance, verdict
                                         (window: attribution days, default the shop's setting, 7)
  promote <id> --variant <variant id>    writes the variant's settings into the placement, stops the experiment
  window [<days>]                        shows or sets the attribution window (Setting experiments.attributionDays)

Example: facet experiment create --name "Visual only" --placement product --variants @variants.json
`;

export default defineCommand({
  name: "experiment",
  summary: "A/B experiments on placements: create, start, pause, stop, results, promote",
  help: HELP,
  options: {
    name: { type: "string" },
    placement: { type: "string" },
    variants: { type: "string" },
    start: { type: "string" },
    end: { type: "string" },
    window: { type: "string" },
    variant: { type: "string" },
  },
  async run({ values, positionals }) {
    const shop = (values.shop as string | undefined) ?? env().FACET_SHOP;
    const [action, id] = positionals;
    const json = values.json === true;
    const exp = await import("../../models/experiment.server");
    const print = (v: unknown, text: string) => console.log(json ? JSON.stringify(v, null, 2) : text);
    const needId = () => {
      if (!id) throw new CliError(`facet experiment ${action} needs the experiment id (see facet experiment list)`, 2);
      return id;
    };
    try {
      switch (action) {
        case "list": {
          const rows = await exp.listExperiments(shop);
          print(rows, rows.length ? rows.map((e) => `${e.id}  ${e.status.padEnd(8)} ${e.placement.padEnd(8)} ${e.name}  [${e.variants.map((v) => `${v.id}:${v.weight}${v.holdout ? " holdout" : ""}`).join(", ")}]${e.winner ? `  winner ${e.winner}` : ""}`).join("\n") : "no experiments");
          return 0;
        }
        case "create": {
          const raw = values.variants as string | undefined;
          if (!values.name || !values.placement || !raw) throw new CliError("create needs --name, --placement and --variants", 2);
          let variants: unknown;
          try {
            variants = JSON.parse(raw.startsWith("@") ? fs.readFileSync(raw.slice(1), "utf8") : raw);
          } catch (e) {
            throw new CliError(`--variants: not JSON (${(e as Error).message}); give a JSON array or @file.json`, 2);
          }
          const row = await exp.createExperiment(shop, { name: values.name as string, placement: values.placement as string, variants: variants as never, startAt: values.start as never, endAt: values.end as never });
          print(row, `created ${row.id} (draft): start it with facet experiment start ${row.id}`);
          return 0;
        }
        case "start":
        case "pause":
        case "stop": {
          const status = action === "start" ? "running" : action === "pause" ? "paused" : "stopped";
          const row = await exp.setExperimentStatus(shop, needId(), status);
          print(row, `${row.id} is ${row.status}`);
          return 0;
        }
        case "results": {
          const { experimentResults } = await import("../../experiments/results.server");
          const window = values.window === undefined ? undefined : Number(values.window);
          if (window !== undefined && !(window > 0)) throw new CliError("--window must be a positive number of days", 2);
          const r = await experimentResults(shop, needId(), window);
          const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
          const lines = [`${r.experiment.name} (${r.experiment.id}, ${r.experiment.status}, ${r.experiment.placement}); attribution window ${r.windowDays} days`];
          for (const v of r.variants) {
            lines.push(
              `  ${v.variant.padEnd(12)} shoppers ${v.shoppers}  impressions ${v.impressions}  CTR ${pct(v.ctr)} [${pct(v.ctrCi[0])}, ${pct(v.ctrCi[1])}]  add-to-cart ${pct(v.addToCartRate)}  conversion ${pct(v.conversionRate)}  revenue ${v.revenue.toFixed(2)}  attributed ${v.attributedRevenue.toFixed(2)}  RPM ${v.rpm.toFixed(2)}`,
            );
          }
          for (const c of r.comparisons) {
            lines.push(`  ${c.treatment} vs ${c.control}: ${c.verdict} (conversion p=${c.conversion.pValue.toFixed(4)}, revenue/shopper p=${c.revenuePerShopper.pValue.toFixed(4)}, CTR p=${c.ctr.pValue.toFixed(4)}; ${c.minimumShoppersPerArm} shoppers per arm needed)`);
          }
          print(r, lines.join("\n"));
          return 0;
        }
        case "promote": {
          if (!values.variant) throw new CliError("promote needs --variant <variant id>", 2);
          const { promoteWinner } = await import("../../experiments/actions.server");
          const r = await promoteWinner(shop, needId(), values.variant as string);
          print(r, `promoted ${r.variant}: ${r.settingsChanged ? `its settings now apply to the ${r.experiment.placement} placement` : "it had no settings of its own (the placement keeps its settings)"}; ${r.experiment.id} stopped`);
          return 0;
        }
        case "window": {
          if (id !== undefined) exp.setAttributionDays(shop, Number(id));
          const days = exp.attributionDays(shop);
          print({ attributionDays: days }, `attribution window: ${days} days`);
          return 0;
        }
        default:
          throw new CliError(`unknown action ${JSON.stringify(action ?? "")}: list, create, start, pause, stop, results, promote or window`, 2);
      }
    } catch (e) {
      if (e instanceof CliError) throw e;
      // Operator mistakes (unknown id, one running per placement, bad variants) are plain messages.
      const msg = (e as Error).name === "ZodError" ? JSON.stringify((e as { issues?: unknown }).issues) : (e as Error).message;
      throw new CliError(msg, 1);
    }
  },
});
