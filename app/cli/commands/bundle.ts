import { defineCommand, intFlag } from "../command";
import { env } from "../../env.server";

export default defineCommand({
  name: "bundle",
  summary: "Write the shop's serving bundle (precomputed visual neighbours and compact vectors)",
  help: `
Usage: facet bundle [--shop <domain>] [--neighbours <n>] [--force] [--json]

  --neighbours <n>  neighbours per product (default: the shop's global.visualNeighbours, 100)
  --force           write it again even when the bundle of the current vectors exists
  --json            print JSON on stdout

The embed and train jobs write it too; the web process only reads it (docs/decisions/0175-serving-bundle.md).
Example: facet bundle --shop demo.myshopify.com --json
`,
  options: {
    neighbours: { type: "string" },
    force: { type: "boolean" },
  },
  async run({ values }) {
    const shop = (values.shop as string | undefined) ?? env().FACET_SHOP;
    const neighbours = values.neighbours === undefined ? undefined : intFlag(values.neighbours, "neighbours", 100);
    const { writeVisualBundle } = await import("../../serving/bundle.server");
    const r = await writeVisualBundle(shop, { neighbours, force: values.force === true });
    if (values.json) {
      process.stdout.write(JSON.stringify({ shop, bundle: r }) + "\n");
      return 0;
    }
    if (!r) console.log(`${shop}: no product vectors, no visual bundle (run \`facet embed\` or import vectors first)`);
    else console.log(`${shop}: visual bundle ${r.written ? "written" : "already current"}: ${r.rows} products x ${r.neighbours} neighbours, ${r.dim}-d compact vectors, ${r.seconds.toFixed(1)} s -> ${r.dir}`);
    return 0;
  },
});
