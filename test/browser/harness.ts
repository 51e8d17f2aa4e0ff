/**
 * Browser tests' harness: a built app served by scripts/start.mjs in demo mode on a free port, over a
 * temporary database holding a small demo shop produced by the real pipeline
 * (`facet demo --no-serve`: generate, import, embed, train, evaluate; then `facet evaluate --tune`), and Debian's Chromium
 * driven by playwright-core. Screenshots go to ./screenshots/ (git-ignored).
 */
import { ensureFreshBuild } from "../helpers/build";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { chromium, type BrowserContext } from "playwright-core";
import { chromiumPath } from "../helpers/requires";

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
export const SCREENSHOTS = path.join(ROOT, "screenshots");
export const TEST_SHOP = "browser-test.myshopify.com";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Builds the app when build/ is missing or older than app/ or extensions/ (one build shared with test/prod). */
export const ensureBuild = ensureFreshBuild;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface DemoServer {
  url: string;
  dir: string;
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/** A temp database with a small demo shop (200 products, 300 customers) made by the real pipeline. */
export function seedDemoShop(dir: string, opts: { customers?: number } = {}): NodeJS.ProcessEnv {
  const env = {
    ...process.env,
    DATABASE_URL: `file:${path.join(dir, "facet.db")}`,
    FACET_DATA_DIR: path.join(dir, "data"),
    FACET_SHOP: TEST_SHOP,
    REDIS_URL: "",
    LOG_LEVEL: "warn",
  } as NodeJS.ProcessEnv;
  const args = [path.join(ROOT, "bin/facet.mjs"), "demo", "--no-serve", "--products", "200", "--customers", String(opts.customers ?? 300), "--seed", "7", "--dir", path.join(dir, "shop"), "--shop", TEST_SHOP];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, env, encoding: "utf8", timeout: 300_000 });
  if (r.status !== 0) throw new Error(`seeding the demo shop failed (facet demo --no-serve, exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  // A tuned evaluation leaves a proposal for the evaluation page to show and accept.
  const t = spawnSync(process.execPath, [path.join(ROOT, "bin/facet.mjs"), "evaluate", "--tune", "--shop", TEST_SHOP], { cwd: ROOT, env, encoding: "utf8", timeout: 300_000 });
  if (t.status !== 0) throw new Error(`facet evaluate --tune failed (exit ${t.status}):\n${t.stdout}\n${t.stderr}`);
  return env;
}

/** `customers`: a larger shop (1,200 gives the train job enough validation customers to tune the blends). */
export async function startDemoServer(opts: { customers?: number } = {}): Promise<DemoServer> {
  ensureBuild();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "facet-browser-"));
  const env = seedDemoShop(dir, opts);
  const port = await freePort();
  const serveEnv = { ...env, PORT: String(port), FACET_DEMO: "1", NODE_ENV: "production", SHOPIFY_API_KEY: "", SHOPIFY_API_SECRET: "", WEB_CONCURRENCY: "1" } as NodeJS.ProcessEnv;
  // The production start command (scripts/start.mjs: the lean storefront path in front of Remix), one process.
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, "scripts/start.mjs")], {
    cwd: ROOT,
    env: serveEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout!.on("data", (b) => (log += b));
  child.stderr!.on("data", (b) => (log += b));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${log}`);
    try {
      if ((await fetch(`${url}/`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`the server did not answer / within 60 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    dir,
    env: serveEnv,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh Chromium profile each time (never the user's). */
export const SHOPPER_USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "facet-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    // Headless Chromium announces itself as "HeadlessChrome", which the block events endpoint rightly
    // drops as a bot (isbot): the tests browse as the desktop Chrome a shopper would use.
    userAgent: SHOPPER_USER_AGENT,
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function screenshotPath(name: string): string {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return path.join(SCREENSHOTS, `${name}.png`);
}

/** Screenshots of one suite under test/artifacts (git-ignored), named `<prefix>-<name>.png`. */
export function artifactShot(prefix: string): (name: string) => string {
  const dir = path.join(ROOT, "test/artifacts");
  return (name) => {
    fs.mkdirSync(dir, { recursive: true });
    return path.join(dir, `${prefix}-${name}.png`);
  };
}

export interface StoredEvent {
  recommendationId: string;
  type: string;
  productId: string;
  placement: string;
  customerId: string | null;
  position: number | null;
}

/**
 * Impressions as the server aggregates them (read straight from its database file): per placement
 * (RecEventDaily, all days) and per product (ProductImpressionDaily). Impressions are never rows.
 */
export function storedImpressions(server: DemoServer): { byPlacement: Map<string, number>; byProduct: Map<string, number> } {
  const db = new Database(path.join(server.dir, "facet.db"), { readonly: true, fileMustExist: true });
  try {
    const placements = db.prepare(`SELECT placement, SUM(impressions) AS n FROM RecEventDaily GROUP BY placement`).all() as { placement: string; n: number }[];
    const products = db.prepare(`SELECT productId, SUM(impressions) AS n FROM ProductImpressionDaily GROUP BY productId`).all() as { productId: string; n: number }[];
    return { byPlacement: new Map(placements.map((r) => [r.placement, r.n])), byProduct: new Map(products.map((r) => [r.productId, r.n])) };
  } finally {
    db.close();
  }
}

/** The RecommendationEvent rows the server stored (clicks, add-to-carts; read straight from its database file). */
export function storedEvents(server: DemoServer): StoredEvent[] {
  const db = new Database(path.join(server.dir, "facet.db"), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(`SELECT recommendationId, type, productId, placement, customerId, position FROM RecommendationEvent ORDER BY id`).all() as StoredEvent[];
  } finally {
    db.close();
  }
}

/** Polls until `find` returns something (beacons are sent asynchronously), or fails after `ms`. */
export async function eventually<T>(find: () => T | undefined | null | false, ms = 10_000, what = "a condition"): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = find();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
