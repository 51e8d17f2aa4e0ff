/**
 * `npm run demo`: the main job on the embedded default (SQLite, in-process jobs, no network, no
 * ../shared): generate the demo jewelry shop if absent, import it, embed its images, train the
 * hybrid model, print the offline headline, then serve the demo admin and storefront.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { dataDir, env } from "../../env.server";
import { inProcessQueue } from "../../queues/index.server";
import type { JobName, JobPayloads } from "../../queues/jobs";
import { CliError, defineCommand, intFlag } from "../command";
import { monotonicMs } from "../../clock";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../..");

async function step<N extends JobName>(label: string, name: N, payload: JobPayloads[N]): Promise<unknown> {
  const started = monotonicMs();
  process.stderr.write(`\n▶ ${label}\n`);
  const q = await inProcessQueue();
  const handle = await q.enqueue(name, payload);
  const result = await handle.finished();
  process.stderr.write(`✓ ${label} (${((monotonicMs() - started) / 1000).toFixed(1)} s)\n`);
  return result;
}

function buildIsStale(): boolean {
  const out = path.join(ROOT, "build/server/index.js");
  if (!fs.existsSync(out)) return true;
  const built = fs.statSync(out).mtimeMs;
  const newer = (dir: string): boolean =>
    fs.readdirSync(dir, { withFileTypes: true }).some((d) => {
      const p = path.join(dir, d.name);
      return d.isDirectory() ? newer(p) : fs.statSync(p).mtimeMs > built;
    });
  return newer(path.join(ROOT, "app")) || newer(path.join(ROOT, "extensions"));
}

function serve(shop: string, port: number): Promise<number> {
  if (buildIsStale()) {
    process.stderr.write("\n▶ building the app (remix vite:build)\n");
    const b = spawnSync(process.execPath, [path.join(ROOT, "node_modules/@remix-run/dev/dist/cli.js"), "vite:build"], { cwd: ROOT, stdio: "inherit" });
    if (b.status !== 0) throw new CliError("the app did not build; run `npm run build` to see why");
  }
  const url = `http://localhost:${port}`;
  // The JSON API needs a key in a header (app/shopify/identity.server.ts): in demo mode, and for the
  // demo shop only, the operator's FACET_API_KEY or a local default opens it, so the command below answers.
  const apiKey = process.env.FACET_API_KEY || "demo";
  console.log(`\nFacet demo is running for ${shop}:\n  admin       ${url}/demo\n  storefront  ${url}/demo/storefront\n  API         curl -H 'Authorization: Bearer ${apiKey}' '${url}/api/recommendations?shop=${shop}&placement=home&limit=8'\n              (real shops: per-shop keys from the admin's API keys page)\nCtrl-C stops it.`);
  // The production start command (scripts/start.mjs: the lean storefront path in front of Remix);
  // one server process unless WEB_CONCURRENCY says more (the demo shop is small, every process loads it).
  const child = spawn(process.execPath, [path.join(ROOT, "scripts/start.mjs")], {
    cwd: ROOT,
    stdio: "inherit",
    env: { WEB_CONCURRENCY: "1", ...process.env, PORT: String(port), FACET_DEMO: "1", FACET_SHOP: shop, FACET_API_KEY: apiKey, NODE_ENV: "production" },
  });
  const stop = () => child.kill("SIGTERM");
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  return new Promise((resolve) => child.on("exit", (code) => resolve(code ?? 0)));
}

export default defineCommand({
  name: "demo",
  summary: "Generate, import, embed, train and evaluate the demo jewelry shop, then serve it",
  help: `
Usage: npm run demo [-- flags]      (or: facet demo [flags])

Runs the whole pipeline on the embedded default (SQLite, in-process jobs, no network):
generate the demo shop (if absent) -> import -> embed images -> train -> evaluate -> serve.

Flags:
  --no-serve          run the steps and exit 0 (for scripts)
  --fresh             regenerate the demo shop files even when present
  --dir <path>        where the demo shop's files live (default: $FACET_DATA_DIR/demo-shop)
  --products <n>      catalogue size when generating (default 2000)
  --customers <n>     customers when generating (default 5000)
  --seed <n>          generator seed (default 42)
  --port <n>          HTTP port (default $PORT or 3000)
  --shop <domain>     shop domain (default demo.myshopify.com)
`,
  options: {
    "no-serve": { type: "boolean" },
    fresh: { type: "boolean" },
    dir: { type: "string" },
    products: { type: "string" },
    customers: { type: "string" },
    seed: { type: "string" },
    port: { type: "string" },
  },
  async run({ values }) {
    const started = monotonicMs();
    const shop = (values.shop as string) ?? env().FACET_SHOP;
    const dir = path.resolve((values.dir as string) ?? path.join(dataDir(), "demo-shop"));
    const products = intFlag(values.products, "products", 2000);
    const customers = intFlag(values.customers, "customers", 5000);
    const seed = intFlag(values.seed, "seed", 42, 0);

    if (values.fresh || !fs.existsSync(path.join(dir, "products.csv"))) {
      process.stderr.write(`▶ generating the demo shop in ${dir} (${products} products, ${customers} customers, seed ${seed})\n`);
      const { generateDemoShop } = await import("../../demo/generate");
      await generateDemoShop({ out: dir, products, customers, seed, images: true });
    } else {
      process.stderr.write(`▶ using the demo shop in ${dir} (--fresh regenerates it)\n`);
    }
    await step("import", "import", { shop, dir });
    await step("embed product images", "embed", { shop });
    await step("train the hybrid model", "train", { shop, reason: "demo" });

    process.stderr.write(`\n▶ offline evaluation (headline)\n`);
    const { evaluateShop, formatHeadline } = await import("../../jobs/evaluate.server");
    const report = await evaluateShop(shop, { k: 10 });
    console.log(formatHeadline(report));
    console.log(`\nDemo pipeline done in ${((monotonicMs() - started) / 1000).toFixed(1)} s.`);

    if (values["no-serve"]) return 0;
    const port = intFlag(values.port, "port", env().PORT);
    return serve(shop, port);
  },
});
