import { env } from "../../env.server";
import { CliError, defineCommand, intFlag } from "../command";
import { ProgressBar } from "../progress";

/** Files smaller than this import without a progress bar. */
const PROGRESS_MIN_BYTES = 8 << 20;
const PROGRESS_MIN_ROWS = 100_000;

export default defineCommand({
  name: "import",
  summary: "Validate and import a folder of CSV exports (products, customers, orders, interactions, embeddings)",
  help: `
Usage: facet import <dir> [--shop <domain>] [--dry-run] [--max-problems N] [--json]

Reads from <dir> whichever of these exist (see ../shared/SEED.md for the columns):
  products.csv customers.csv orders.csv order_items.csv interactions.csv
  product_embeddings.npy + product_ids.txt | product_embeddings.csv | product_embeddings.h5
Checks every row first (columns, types, allowed values, duplicate ids, references to products,
customers and orders in the folder or already imported) and reports every problem as
file:line: column: what is wrong, what to do. When there is any problem nothing is written and
the exit code is 1. Otherwise everything is written in one transaction; importing the same files
again changes nothing.
Accepts , ; or tab delimiters, quoted values, CRLF, a BOM, UTF-8 or Latin-1/windows-1252,
decimal commas in ;-separated files, dates as YYYY-MM-DD[ HH:MM:SS][ UTC] or DD.MM.YYYY.

Flags:
  --shop <domain>      the shop to import into (default: $FACET_SHOP)
  --dry-run            check only, write nothing
  --max-problems N     problems to print (default 200; the rest are counted)
  --json               print the result as one JSON object

Example: facet import ./export --shop demo.myshopify.com
`,
  options: {
    "dry-run": { type: "boolean" },
    "max-problems": { type: "string" },
  },
  async run({ values, positionals }) {
    const dir = positionals[0];
    if (!dir || positionals.length > 1) throw new CliError("give one folder: facet import <dir> (see facet import --help)", 2);
    const shop = (values.shop as string | undefined) ?? env().FACET_SHOP;
    const { importFolder, ImportInputError } = await import("../../import/importFolder.server");
    const bars = new Map<string, ProgressBar>();
    const onProgress = (p: { phase: string; file: string; done: number; total: number; unit: string }) => {
      if (p.unit === "bytes" ? p.total < PROGRESS_MIN_BYTES : p.total < PROGRESS_MIN_ROWS) return;
      const key = `${p.phase} ${p.file}`;
      let bar = bars.get(key);
      if (!bar) bars.set(key, (bar = new ProgressBar(`${p.phase === "validate" ? "checking" : "writing"} ${p.file}`, p.total, p.unit)));
      bar.update(p.done, p.total);
    };
    let result;
    try {
      result = await importFolder({ shop, dir, dryRun: Boolean(values["dry-run"]), onProgress, maxProblems: intFlag(values["max-problems"], "max-problems", 200) });
    } catch (e) {
      if (e instanceof ImportInputError) throw new CliError(e.message);
      throw e;
    }
    for (const bar of bars.values()) bar.done();
    if (values.json) {
      console.log(JSON.stringify(result, null, 2));
      return result.ok ? 0 : 1;
    }
    for (const w of result.warnings) console.error(`note: ${w}`);
    if (!result.ok) {
      for (const p of result.problems) console.error(p);
      console.error(`\n${result.problemCount} problem(s) found in ${dir}; nothing was imported. Fix them and run the import again.`);
      return 1;
    }
    const what = result.files.map((f) => `${f.file}: ${f.rows} rows`);
    if (result.embeddings) what.push(`${result.embeddings.file}: ${result.embeddings.count} vectors (${result.embeddings.modelId}, ${result.embeddings.dim}-d)`);
    console.log(`${result.written ? "Imported into" : "Checked (dry run, nothing written) for"} ${shop} in ${result.seconds.toFixed(1)} s:\n  ${what.join("\n  ")}`);
    return 0;
  },
});
