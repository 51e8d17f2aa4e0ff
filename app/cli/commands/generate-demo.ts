/**
 * `facet generate-demo`: writes a realistic demo jewelry shop (the seed's CSV files and a PNG per
 * product) into a folder, deterministically for a seed and a `now`.
 */
import path from "node:path";
import { CliError, defineCommand, intFlag } from "../command";
import { ProgressBar } from "../progress";
import { DEFAULT_DEMO_NOW, DEFAULT_INTERACTIONS_PER_CUSTOMER, generateDemoShop, type DemoProgress } from "../../demo/generate";
import { monotonicMs } from "../../clock";

const DEFAULTS = { products: 2000, customers: 5000, seed: 42 };

export default defineCommand({
  name: "generate-demo",
  summary: "Write a realistic demo jewelry shop (CSV files + product images) into a folder",
  help: `
Usage: facet generate-demo --out <dir> [--products N] [--customers N] [--interactions N] [--seed S] [--now DATE] [--no-images] [--json]

Writes products.csv, customers.csv, orders.csv, order_items.csv, interactions.csv and images/<product_id>.png
(the import format of SEED.md). Same seed and --now give byte-identical files.

Flags:
  --out <dir>          folder to write into (created; files of the same names are replaced)   required
  --products N         products in the catalog                                               default ${DEFAULTS.products}
  --customers N        customers                                                             default ${DEFAULTS.customers}
  --interactions N     interactions in total (exact)                                         default ${DEFAULT_INTERACTIONS_PER_CUSTOMER} x customers
  --seed S             random seed (integer >= 0)                                            default ${DEFAULTS.seed}
  --now DATE           the shop's present; the two-year history ends the day before          default ${DEFAULT_DEMO_NOW.toISOString().slice(0, 10)}
  --no-images          skip the product images (benchmarks)
  --json               print the summary as JSON

Example (benchmark size, a few minutes):
  facet generate-demo --out data/bench-shop --products 50000 --customers 200000 --interactions 2000000 --no-images
`,
  options: {
    out: { type: "string" },
    products: { type: "string" },
    customers: { type: "string" },
    interactions: { type: "string" },
    seed: { type: "string" },
    now: { type: "string" },
    "no-images": { type: "boolean" },
  },
  async run({ values }) {
    if (typeof values.out !== "string" || !values.out) throw new CliError("--out <dir> is required: the folder to write the demo shop into", 2);
    const out = path.resolve(values.out);
    const products = intFlag(values.products, "products", DEFAULTS.products);
    const customers = intFlag(values.customers, "customers", DEFAULTS.customers);
    const interactions = values.interactions === undefined ? undefined : intFlag(values.interactions, "interactions", 0, 0);
    const seed = intFlag(values.seed, "seed", DEFAULTS.seed, 0);
    if (seed > 0xffffffff) throw new CliError(`--seed must be at most ${0xffffffff} (got ${seed})`, 2);
    const now = parseNow(values.now);
    const started = monotonicMs();
    const bars = new Map<DemoProgress["stage"], ProgressBar>();
    const summary = await generateDemoShop({
      out,
      products,
      customers,
      interactions,
      seed,
      now,
      images: !values["no-images"],
      onProgress: (p) => {
        let bar = bars.get(p.stage);
        if (!bar) bars.set(p.stage, (bar = new ProgressBar(p.stage.padEnd(10), p.total, p.stage === "behaviour" ? "interactions" : p.stage)));
        if (p.done >= p.total) bar.done();
        else bar.update(p.done, p.total);
      },
    });
    const seconds = (monotonicMs() - started) / 1000;
    if (values.json) {
      console.log(JSON.stringify({ ...summary, seconds }, null, 2));
    } else {
      console.log(
        `Demo shop written to ${out} in ${seconds.toFixed(1)} s: ${summary.products} products (${summary.collections} collections), ` +
          `${summary.customers} customers, ${summary.orders} orders (${summary.orderItems} items), ${summary.interactions} interactions` +
          (summary.images ? `, ${summary.products} images (${summary.images.rendered} rendered)` : ", no images"),
      );
      console.log(`Import it with: facet import ${values.out} --shop <shop>`);
    }
    return 0;
  },
});

function parseNow(v: unknown): Date {
  if (v === undefined) return DEFAULT_DEMO_NOW;
  const d = new Date(String(v));
  if (Number.isNaN(d.getTime())) throw new CliError(`--now must be a date like 2026-11-01 or 2026-11-01T00:00:00Z (got ${JSON.stringify(v)})`, 2);
  return d;
}
