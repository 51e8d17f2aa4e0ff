/**
 * `npm run bench [-- --quick]`: every performance figure, measured side by side on this machine,
 * written to docs/BENCHMARKS.md (a table: figure, value, goal, how measured, date, machine) and
 * docs/benchmarks.json. Each step runs in its own child process so that one step's memory or
 * threads never colour another's figures. Steps whose script is missing are reported as such.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const quick = process.argv.includes("--quick");
const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7).split(",");
const OUT = path.join(ROOT, "bench-out", quick ? "quick" : "full");
const SHOP = "bench.myshopify.com";
const size = quick
  ? { products: 5000, customers: 20000, interactions: 200000, loadSeconds: 10 }
  : { products: 50000, customers: 200000, interactions: 2000000, loadSeconds: 30 };

interface Figure {
  figure: string;
  value: string;
  goal?: string;
  met?: boolean;
  how: string;
}
const figures: Figure[] = [];
const raw: Record<string, unknown> = {};
const dbUrl = `file:${path.join(OUT, "bench.db")}`;
const baseEnv = { ...process.env, DATABASE_URL: dbUrl, FACET_DATA_DIR: path.join(OUT, "data"), FACET_SHOP: SHOP, REDIS_URL: "" };

function log(msg: string) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** Runs a command, returns wall seconds and stdout; throws with its stderr tail on failure. */
function timed(cmd: string[], env = baseEnv): { seconds: number; stdout: string } {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd[0], cmd.slice(1), { cwd: ROOT, env, encoding: "utf8", maxBuffer: 1 << 28, stdio: ["ignore", "pipe", "pipe"] });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd.join(" ")} exited ${r.status}: ${(r.stderr ?? "").split("\n").slice(-6).join("\n")}`);
  return { seconds, stdout: r.stdout };
}

const facet = (...args: string[]) => [process.execPath, path.join(ROOT, "bin/facet.mjs"), ...args];
const script = (name: string, ...args: string[]) => [process.execPath, "--import", "tsx", path.join(ROOT, "scripts/bench", name), ...args];
/** The step's JSON result: the whole stdout when it is one (pretty-printed) object, else its last JSON line. */
function lastJson(s: string): Record<string, unknown> {
  const t = s.trim();
  try {
    return JSON.parse(t);
  } catch {
    const lines = t.split("\n");
    // The last line that starts an object and parses to the end of the output.
    for (let i = lines.length - 1; i >= 0; i--) {
      if (!lines[i].startsWith("{")) continue;
      try {
        return JSON.parse(lines.slice(i).join("\n"));
      } catch {
        /* keep looking */
      }
    }
    throw new Error(`no JSON in the output: ${t.slice(-200)}`);
  }
}
const want = (step: string) => !only || only.includes(step);

async function step(name: string, fn: () => Promise<void> | void) {
  if (!want(name)) return;
  log(`${name} ...`);
  try {
    await fn();
  } catch (e) {
    figures.push({ figure: name, value: "not measured", how: `failed: ${(e as Error).message.split("\n")[0]}` });
    log(`${name} FAILED: ${(e as Error).message}`);
  }
}

function countLines(file: string): number {
  const buf = fs.readFileSync(file);
  let n = 0;
  for (const b of buf) if (b === 10) n++;
  return Math.max(0, n - 1);
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function loadTest(port: number, rate: number, seconds: number, paths: string[]) {
  const { default: autocannon } = await import("autocannon");
  let i = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: Math.min(100, Math.max(10, Math.round(rate / 10))),
    overallRate: rate,
    duration: seconds,
    requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, path: paths[i++ % paths.length] }) }],
  });
  return {
    rate,
    requests: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors + result.non2xx + result.timeouts,
  };
}

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  const shopDir = path.join(OUT, "shop");
  const started = new Date();

  await step("generate", () => {
    if (fs.existsSync(path.join(shopDir, "interactions.csv")) && !process.argv.includes("--regenerate")) return;
    const r = timed(facet("generate-demo", "--out", shopDir, "--products", String(size.products), "--customers", String(size.customers), "--interactions", String(size.interactions), "--no-images", "--seed", "7"));
    figures.push({ figure: "generate the large demo shop", value: `${r.seconds.toFixed(1)} s`, how: `facet generate-demo --products ${size.products} --customers ${size.customers} --interactions ${size.interactions} --no-images` });
  });

  await step("import", () => {
    fs.rmSync(path.join(OUT, "bench.db"), { force: true });
    const rows = ["products", "customers", "orders", "order_items", "interactions"].reduce((n, f) => n + (fs.existsSync(path.join(shopDir, `${f}.csv`)) ? countLines(path.join(shopDir, `${f}.csv`)) : 0), 0);
    const r = timed(facet("import", shopDir, "--shop", SHOP));
    raw.import = { rows, seconds: r.seconds };
    figures.push({ figure: "import rows per second", value: `${Math.round(rows / r.seconds).toLocaleString("en")} rows/s (${rows.toLocaleString("en")} rows in ${r.seconds.toFixed(1)} s)`, how: "facet import of the generated shop into a fresh SQLite file, validation and upsert, one process" });
  });

  await step("als", () => {
    const r = lastJson(timed(script("als.mts", ...(quick ? ["--quick"] : []))).stdout);
    raw.als = r;
    for (const [k, v] of Object.entries(r)) if (typeof v === "number" || typeof v === "string") figures.push({ figure: `ALS ${k}`, value: String(v), goal: k.includes("per_core") ? ">= 1,000,000 nnz-iterations/s per core" : undefined, met: k.includes("per_core") ? Number(v) >= 1e6 : undefined, how: "scripts/bench/als.mts (64 factors, 100k x 10k, 1M interactions)" });
  });

  await step("train", () => {
    const r = timed(facet("train", "--shop", SHOP, "--json"));
    raw.train = { seconds: r.seconds, out: lastJson(r.stdout) };
    figures.push({ figure: "train the shop's hybrid model (matrix, ALS, item-item, publish)", value: `${r.seconds.toFixed(1)} s`, how: "facet train --json on the imported large shop" });
  });

  await step("images", () => {
    const r = lastJson(timed(script("images.mts")).stdout);
    raw.images = r;
    for (const [k, v] of Object.entries(r)) if (typeof v === "number" || typeof v === "string") figures.push({ figure: `images ${k}`, value: String(v), how: "scripts/bench/images.mts (reference MobileNetV2 from ../shared on the 100 H&M photos)" });
  });

  await step("index", () => {
    const r = lastJson(timed(script("index.mts", ...(quick ? ["--quick"] : []))).stdout);
    raw.index = r;
    for (const [k, v] of Object.entries(r)) if (typeof v === "number" || typeof v === "string") figures.push({ figure: `index ${k}`, value: String(v), how: "scripts/bench/index.mts (hnswlib, cosine)" });
  });

  await step("batch", () => {
    const out = path.join(OUT, "batch-home.csv");
    const r = timed(facet("batch", "--shop", SHOP, "--placement", "home", "--k", "10", "--out", out));
    const customers = new Set(fs.readFileSync(out, "utf8").split("\n").slice(1).map((l) => l.split(",")[0]).filter(Boolean)).size;
    figures.push({ figure: "batch export, every customer (home, k=10)", value: `${r.seconds.toFixed(1)} s for ${customers.toLocaleString("en")} customers`, how: "facet batch --placement home --k 10 --out file.csv" });
  });

  await step("serve", async () => {
    timed(["npx", "remix", "vite:build"]);
    const port = await freePort();
    const server = spawn(process.execPath, [path.join(ROOT, "node_modules/@remix-run/serve/dist/cli.js"), "build/server/index.js"], {
      cwd: ROOT,
      env: { ...baseEnv, PORT: String(port), NODE_ENV: "production", FACET_API_KEY: "bench-key" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    try {
      for (let i = 0; i < 100; i++) {
        const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok).catch(() => false);
        if (ok) break;
        await new Promise((r) => setTimeout(r, 300));
      }
      const customers = fs.readFileSync(path.join(shopDir, "customers.csv"), "utf8").split("\n").slice(1, 2001).map((l) => l.split(/[;,]/)[0]).filter(Boolean);
      const products = fs.readFileSync(path.join(shopDir, "products.csv"), "utf8").split("\n").slice(1, 2001).map((l) => l.split(/[;,]/)[0]).filter(Boolean);
      const paths: string[] = [];
      for (let i = 0; i < 4000; i++) {
        const c = customers[i % customers.length];
        const p = products[(i * 7) % products.length];
        const who = i % 3 === 0 ? `&customer_id=${c}` : i % 3 === 1 ? `&customer_id=new-${i}` : `&client_id=anon-${i}`;
        const placement = ["product", "home", "cart", "product"][i % 4];
        const extra = placement === "product" ? `&product_id=${p}` : placement === "cart" ? `&cart=${p},${products[(i * 13) % products.length]}` : "";
        paths.push(`/api/recommendations?shop=${SHOP}&api_key=bench-key&placement=${placement}${who}${extra}&limit=8`);
      }
      // Warm the snapshot (first request loads the shop's model) and the JIT.
      for (let i = 0; i < 200; i++) await fetch(`http://127.0.0.1:${port}${paths[i]}`).then((r) => r.text());
      raw.rssAfterWarm = rssMb(server.pid!);
      const runs: Record<string, unknown>[] = [];
      for (const rate of [100, 500, 1000]) {
        const floor = await loadTest(port, rate, size.loadSeconds, ["/healthz"]);
        const api = await loadTest(port, rate, size.loadSeconds, paths);
        runs.push({ rate, floor, api });
        const goal = rate === 500 ? "p99 <= 15 ms, 0 errors, within 1.5x of the floor's p99" : undefined;
        const met = rate === 500 ? api.p99 <= 15 && api.errors === 0 && api.p99 <= 1.5 * Math.max(1, floor.p99) : undefined;
        figures.push({ figure: `storefront API at ${rate} req/s`, value: `p50 ${api.p50} ms, p99 ${api.p99} ms, max ${api.max} ms, ${api.errors} errors (${api.requests} requests); floor /healthz p99 ${floor.p99} ms`, goal, met, how: `autocannon ${size.loadSeconds} s, mix of product/home/cart placements, known/new/anonymous shoppers, production server (remix-serve)` });
      }
      raw.serve = runs;
      const rss = rssMb(server.pid!);
      figures.push({ figure: "serving process resident memory, large shop loaded", value: `${rss.toFixed(0)} MB`, goal: "<= 300 MB", met: rss <= 300, how: "VmRSS of the server process after the load runs" });
    } finally {
      server.kill("SIGTERM");
    }
  });

  await step("demo", () => {
    const demoOut = path.join(OUT, "demo");
    fs.rmSync(demoOut, { recursive: true, force: true });
    const r = timed(facet("demo", "--no-serve", "--dir", path.join(demoOut, "shop")), { ...process.env, DATABASE_URL: `file:${path.join(demoOut, "demo.db")}`, FACET_DATA_DIR: path.join(demoOut, "data"), REDIS_URL: "" });
    figures.push({ figure: "npm run demo -- --no-serve, from nothing", value: `${r.seconds.toFixed(1)} s`, goal: "<= 90 s", met: r.seconds <= 90, how: "generate + import + embed + train + evaluate on a fresh database and data folder" });
  });

  const machine = `${os.cpus()[0]?.model ?? "cpu"}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
  const date = started.toISOString().slice(0, 10);
  const command = `npm run bench${quick ? " -- --quick" : ""}`;
  const rows = figures.map((f) => `| ${f.figure} | ${f.value} | ${f.goal ?? ""}${f.met === undefined ? "" : f.met ? " (met)" : " (missed)"} | ${f.how} |`);
  const md = [
    "# Benchmarks",
    "",
    `Produced by \`${command}\` on ${date}. Machine: ${machine}.`,
    `Shop size: ${size.products.toLocaleString("en")} products, ${size.customers.toLocaleString("en")} customers, ${size.interactions.toLocaleString("en")} interactions.`,
    "Figures are measured, never asserted in tests; rerun the command to refresh them. Raw numbers: docs/benchmarks.json.",
    "",
    "| figure | value | goal | how measured |",
    "|---|---|---|---|",
    ...rows,
    "",
  ].join("\n");
  fs.mkdirSync(path.join(ROOT, "docs"), { recursive: true });
  const notes = path.join(ROOT, "docs/BENCHMARKS.notes.md");
  fs.writeFileSync(path.join(ROOT, "docs/BENCHMARKS.md"), md + (fs.existsSync(notes) ? "\n" + fs.readFileSync(notes, "utf8") : ""));
  fs.writeFileSync(path.join(ROOT, "docs/benchmarks.json"), JSON.stringify({ command, date, machine, size, figures, raw }, null, 2) + "\n");
  log(`wrote docs/BENCHMARKS.md (${figures.length} figures)`);
}

await main();
