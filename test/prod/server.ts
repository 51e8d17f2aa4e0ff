/**
 * The production build as a merchant runs it: `npm run build` (once per change of the sources: a
 * build newer than every file under app/ is reused), then `node scripts/start.mjs` (what `npm start`
 * runs) with NODE_ENV=production, a fresh database, a free port (PORT=0) and its own data dir.
 *
 * The database is a SQLite file in the server's folder, or with FACET_TEST_DB=postgres a fresh
 * PostgreSQL database (createPgDatabase, test/helpers/db.ts; its URL kept in the folder so that a
 * restart over the same folder finds it again, dropped after the test file). The server migrates it
 * on start, as in production. `db()` is the same synchronous raw handle the app uses
 * (better-sqlite3, or PgSyncDb with the SQL translated), so a test's SQL runs on both.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll } from "vitest";
import { PgSyncDb } from "../../app/models/pgRaw.server";
import { ensureFreshBuild } from "../helpers/build";
import { createPgDatabase, testDbProvider } from "../helpers/db";

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
export const SECRET = "prod-test-secret";

/** Builds unless a fresh build exists (shared with the browser tests, serialised across test files). */
export const ensureBuild = ensureFreshBuild;

export interface RunningServer {
  url: string;
  pid: number;
  dir: string;
  /** The SQLite file (SQLite runs only: file-level checks such as permissions and privacy scans). */
  dbFile: string;
  /** The DATABASE_URL the server runs on. */
  databaseUrl: string;
  child: ChildProcess;
  log: () => string;
  /** SIGTERM, then the exit code (null: still running after `ms`). */
  stop(signal?: NodeJS.Signals, ms?: number): Promise<number | null>;
  db(): Database.Database;
}

export interface StartOptions {
  env?: Record<string, string | undefined>;
  /** Reuse a folder (database and data) of an earlier server: restarts. */
  dir?: string;
}

/** The machine's clock as this test process sees it: under `faketime` (CI runs the suite a year
 * ahead) the server must share it, as a deployed server shares its machine's clock. */
export const clockEnv = (): Record<string, string | undefined> =>
  Object.fromEntries(Object.entries(process.env).filter(([k]) => k === "LD_PRELOAD" || k.startsWith("FAKETIME") || k.startsWith("DONT_FAKE")));

/** PostgreSQL databases made for this test file's servers, dropped once its own hooks have run. */
const pgDrops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const drop of pgDrops.splice(0)) await drop();
});

/**
 * The database of a server folder: `file:<dir>/facet.db`, or on a FACET_TEST_DB=postgres run the
 * PostgreSQL database made for the folder on its first use (its URL kept in <dir>/database-url).
 */
export async function databaseUrlFor(dir: string): Promise<string> {
  if (testDbProvider !== "postgres") return `file:${path.join(dir, "facet.db")}`;
  const kept = path.join(dir, "database-url");
  if (fs.existsSync(kept)) return fs.readFileSync(kept, "utf8").trim();
  const made = await createPgDatabase();
  pgDrops.push(made.drop);
  fs.writeFileSync(kept, made.url);
  return made.url;
}

/** A synchronous raw handle on a database URL (close it): better-sqlite3, or PgSyncDb (same API). */
export function openDb(url: string): Database.Database {
  return url.startsWith("file:") ? new Database(url.slice("file:".length)) : (new PgSyncDb(url) as unknown as Database.Database);
}

/** Starts the built server; resolves once it listens, rejects with its log if it exits first. */
export async function startServer(opts: StartOptions = {}): Promise<RunningServer> {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "facet-prod-"));
  const dbFile = path.join(dir, "facet.db");
  const databaseUrl = opts.env?.DATABASE_URL ?? (await databaseUrlFor(dir));
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...clockEnv(),
    NODE_ENV: "production",
    PORT: "0",
    DATABASE_URL: databaseUrl,
    FACET_DATA_DIR: path.join(dir, "data"),
    SHOPIFY_API_KEY: "prod-test-key",
    SHOPIFY_API_SECRET: SECRET,
    SHOPIFY_APP_URL: "https://facet.example.com",
    FACET_QUEUE_PREFIX: `prodtest${process.pid}`,
    ...opts.env,
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const child = spawn(process.execPath, [path.join(ROOT, "scripts", "start.mjs")], { cwd: ROOT, env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const onData = () => {
      const m = /listening on http:\/\/localhost:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    };
    child.stderr!.on("data", onData);
    void exited.then((code) => reject(new Error(`the server exited (${code}) before listening:\n${out}`)));
  });
  let handle: Database.Database | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    dir,
    dbFile,
    databaseUrl,
    child,
    log: () => out,
    db: () => (handle ??= openDb(databaseUrl)),
    async stop(signal = "SIGTERM", ms = 15_000) {
      handle?.close();
      handle = undefined;
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      return Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), ms))]);
    },
  };
}

/**
 * Runs the `facet` command line (bin/facet.mjs, as a merchant runs it on the server's machine) on
 * the server's database and data folder; exit code and output. Asynchronous: a blocked event loop
 * would leave the test's keep-alive sockets to the server unread while the server closes them
 * (the next fetch then takes a dead one).
 */
export function runCli(server: RunningServer, args: string[], cwd = server.dir): Promise<{ code: number | null; out: string }> {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...clockEnv(), NODE_ENV: "production", DATABASE_URL: server.databaseUrl, FACET_DATA_DIR: path.join(server.dir, "data"), SHOPIFY_API_KEY: "prod-test-key", SHOPIFY_API_SECRET: SECRET };
  const child = spawn(process.execPath, [path.join(ROOT, "bin", "facet.mjs"), ...args], { cwd, env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, out })));
}

/** Runs the start command to its exit (start-up refusals): exit code and log. */
export function startAndExit(env: Record<string, string | undefined>): { code: number | null; log: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "facet-prod-"));
  const full: Record<string, string | undefined> = { PATH: process.env.PATH, ...clockEnv(), NODE_ENV: "production", PORT: "0", DATABASE_URL: `file:${dir}/facet.db`, FACET_DATA_DIR: `${dir}/data`, ...env };
  for (const k of Object.keys(full)) if (full[k] === undefined) delete full[k];
  const r = spawnSync(process.execPath, [path.join(ROOT, "scripts", "start.mjs")], { cwd: ROOT, env: full as NodeJS.ProcessEnv, encoding: "utf8", timeout: 30_000 });
  return { code: r.status, log: r.stdout + r.stderr };
}

/** Shopify's webhook signature: base64 HMAC-SHA256 of the raw body with the app secret. */
export const shopifyHmac = (body: string | Buffer, secret = SECRET) => crypto.createHmac("sha256", secret).update(body).digest("base64");

let webhookSeq = 0;
export function webhookHeaders(shop: string, topic: string, body: string, over: Record<string, string> = {}): Record<string, string> {
  return {
    "Content-Type": "application/json",
    "X-Shopify-Topic": topic,
    "X-Shopify-Shop-Domain": shop,
    "X-Shopify-Webhook-Id": `prod-${process.pid}-${++webhookSeq}`,
    "X-Shopify-API-Version": "2026-10",
    "X-Shopify-Triggered-At": new Date().toISOString(),
    "X-Shopify-Hmac-Sha256": shopifyHmac(body),
    ...over,
  };
}

/** Installs a shop the way OAuth leaves it: an offline session row and the Shop row. */
export function installShop(server: RunningServer, shop: string): void {
  const db = server.db();
  db.prepare(`INSERT INTO Session (id, shop, state, isOnline, accessToken) VALUES (?, ?, 's', FALSE, 'shpat_test') ON CONFLICT DO NOTHING`).run(`offline_${shop}`, shop);
  db.prepare(`INSERT INTO Shop (id, installedAt, updatedAt) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`).run(shop, new Date().toISOString(), new Date().toISOString());
}

/** Resident memory of a process and its children (the cluster's server processes) in MB (Linux /proc). */
export function rssMb(pid: number): number {
  let status = "";
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return NaN; // exited
  }
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  let kids: string[] = [];
  try {
    kids = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
  } catch {
    // no children list: the process alone
  }
  return (m ? Number(m[1]) / 1024 : NaN) + kids.reduce((a, k) => a + (Number.isFinite(rssMb(Number(k))) ? rssMb(Number(k)) : 0), 0);
}

export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * POSTs up to `mb` MB chunked (1 MB writes, never buffered here) over a raw socket and returns the
 * status the server answered and how much had been sent by then: the server may answer and close
 * while the body is still arriving, which an HTTP client reports as a reset.
 */
export function streamBody(target: string, mb: number, headers: Record<string, string>): Promise<{ status: number; sentMb: number }> {
  const u = new URL(target);
  const chunk = Buffer.alloc(1024 * 1024, 0x61);
  const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(u.port), u.hostname);
    let received = "";
    let sent = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      const m = /^HTTP\/1\.1 (\d{3})/.exec(received);
      if (!m) return;
      done = true;
      socket.destroy();
      resolve({ status: Number(m[1]), sentMb: sent });
    };
    socket.on("data", (d) => {
      received += d.toString("latin1");
      finish();
    });
    socket.on("error", () => finish());
    socket.on("close", () => (done ? undefined : (finish(), done || reject(new Error(`closed without an answer after ${sent} MB`)))));
    const head = Object.entries({ Host: u.host, "Transfer-Encoding": "chunked", ...headers }).map(([k, v]) => `${k}: ${v}`).join("\r\n");
    socket.write(`POST ${u.pathname}${u.search} HTTP/1.1\r\n${head}\r\n\r\n`);
    const pump = () => {
      while (!done && sent < mb) {
        sent++;
        if (!socket.write(frame)) return void socket.once("drain", pump);
      }
      if (!done && sent >= mb) socket.write("0\r\n\r\n");
    };
    pump();
  });
}
