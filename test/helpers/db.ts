/**
 * A fresh database per test file (migrated on first use), so tests never share state and never
 * touch ./data. Call `useTempDatabase()` at the top of a test file.
 *
 * SQLite by default. With FACET_TEST_DB=postgres the same tests run on PostgreSQL
 * (FACET_TEST_PG_URL, default postgresql://postgres@127.0.0.1:5432/postgres): a database named
 * `${FACET_TEST_PG_PREFIX:-facet_test}_<random>` is created for the file and dropped after it
 * (docs/decisions/0160). .ci/run runs the database-touching files this way.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { resetEnvForTests } from "../../app/env.server";
import { closeDb } from "../../app/db.server";
import { closeQueue } from "../../app/queues/index.server";

export const testDbProvider = process.env.FACET_TEST_DB === "postgres" ? "postgres" : "sqlite";
export const TEST_PG_URL = process.env.FACET_TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

/** Whether a PostgreSQL server answers at FACET_TEST_PG_URL (tests that need one skip visibly, or fail in CI). */
export async function pgReachable(): Promise<boolean> {
  const u = new URL(TEST_PG_URL);
  return new Promise((resolve) => {
    const s = net.connect({ host: u.hostname, port: Number(u.port || 5432) });
    s.setTimeout(1000);
    s.once("connect", () => { s.destroy(); resolve(true); });
    s.once("error", () => resolve(false));
    s.once("timeout", () => { s.destroy(); resolve(false); });
  });
}

/** Creates an empty PostgreSQL database; returns its URL and a function that drops it. */
export async function createPgDatabase(prefix = process.env.FACET_TEST_PG_PREFIX ?? "facet_test"): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${crypto.randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const u = new URL(TEST_PG_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export function useTempDatabase(): { dir: () => string } {
  let dir = "";
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "facet-test-"));
    if (testDbProvider === "postgres") {
      const made = await createPgDatabase();
      drop = made.drop;
      process.env.DATABASE_URL = made.url;
    } else process.env.DATABASE_URL = `file:${path.join(dir, "test.db")}`;
    process.env.FACET_DATA_DIR = path.join(dir, "data");
    delete process.env.REDIS_URL;
    resetEnvForTests();
  });
  afterAll(async () => {
    // Jobs still waiting (a debounced embed, a delayed retrain check, a retry's back-off) stop
    // here, left queued as a restart would find them; running ones finish first. Without this a
    // file whose last test queued a delayed job waited for it until the hook timed out.
    await closeQueue({ abandonWaiting: true });
    await closeDb();
    await drop?.();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { dir: () => dir };
}
