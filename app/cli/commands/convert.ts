import path from "node:path";
import { CliError, defineCommand } from "../command";

export default defineCommand({
  name: "convert",
  summary: "Map a public data set (REES46 jewelry, H&M, UCI Online Retail) into the import format",
  help: `
Usage: facet convert --from rees46|hm|uci-online-retail <src> --out <dir> [--json]

  rees46   <src> = the REES46 jewelry CSV (with or without header) or its folder
           (../shared/data/rees46-jewelry-sample)
  hm       <src> = the folder with articles_sample.csv, customers_sample.csv,
           transactions_sample.csv and images/ (../shared/data/hm-sample)
  uci-online-retail
           <src> = online_retail.csv or .csv.gz or its folder (../shared/data/uci-online-retail);
           cancellation invoices (C...), quantities <= 0, postage/fee/manual codes (POST, DOT, M,
           BANK CHARGES, AMAZONFEE, ...) and lines without a CustomerID are left out and counted

Writes products.csv, customers.csv, orders.csv, order_items.csv and interactions.csv to <dir>,
ready for \`facet import <dir>\`. Malformed source rows (wrong field count, duplicates, non-jewelry
rows, unknown articles) are left out and listed as file:line; the conversion does not stop.

Example: facet convert --from rees46 ../shared/data/rees46-jewelry-sample --out /tmp/rees46
         facet import /tmp/rees46 --shop rees46.myshopify.com
`,
  options: {
    from: { type: "string" },
    out: { type: "string" },
  },
  async run({ values, positionals }) {
    const from = values.from as string | undefined;
    const out = values.out as string | undefined;
    const src = positionals[0];
    if (!from || !["rees46", "hm", "uci-online-retail"].includes(from)) throw new CliError("--from must be rees46, hm or uci-online-retail (see facet convert --help)", 2);
    if (!src || !out) throw new CliError("give the source and --out: facet convert --from rees46 <src> --out <dir>", 2);
    const fs = await import("node:fs");
    if (!fs.existsSync(src)) throw new CliError(`${src} does not exist; give the data set's file or folder`);
    let result;
    try {
      if (from === "rees46") result = (await import("../../import/mappers/rees46")).convertRees46(src, path.resolve(out));
      else if (from === "hm") result = (await import("../../import/mappers/hm")).convertHm(src, path.resolve(out));
      else result = (await import("../../import/mappers/uci")).convertUci(src, path.resolve(out));
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    if (values.json) {
      console.log(JSON.stringify(result, null, 2));
      return 0;
    }
    for (const p of result.problems) console.error(p);
    if (result.problemCount > result.problems.length) console.error(`... and ${result.problemCount - result.problems.length} more`);
    console.log(`Converted ${result.rowsRead} source rows (${result.rowsSkipped} left out, ${result.problemCount} reported) into ${result.out}:`);
    for (const f of result.files) console.log(`  ${f.file}: ${f.rows} rows`);
    for (const n of result.notes) console.log(`  note: ${n}`);
    return 0;
  },
});
