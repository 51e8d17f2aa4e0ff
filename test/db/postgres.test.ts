/**
 * PostgreSQL as the second provider (docs/decisions/0160): the generated schema and migration are
 * current, our migrator really creates the schema (read back from information_schema, never an
 * exit code), the same data model as SQLite, the CLI and Shopify's session storage on it, and the
 * raw handle's semantics (transactions, savepoints, cursors, SQLite-shaped values).
 * Needs PostgreSQL at FACET_TEST_PG_URL (default 127.0.0.1:5432): skipped visibly without it, failing in CI.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeIf } from "../helpers/requires";
import { createPgDatabase, pgReachable, TEST_PG_URL } from "../helpers/db";
import { postgresSchema } from "../../scripts/pgSchema.mjs";
import { EXCLUDED, databaseTestFiles, postgresTestFiles } from "./postgres-files.mjs";
import { applyMigrations, applyPgMigrations, MIGRATIONS_DIR, PG_MIGRATIONS_DIR } from "../../app/models/migrate.server";
import { PgSyncDb } from "../../app/models/pgRaw.server";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");

const available = await pgReachable();

describeIf(available, `PostgreSQL at ${TEST_PG_URL}`, "PostgreSQL provider", () => {
  let url = "";
  let drop: () => Promise<void> = async () => {};
  let db: PgSyncDb;
  beforeAll(async () => {
    ({ url, drop } = await createPgDatabase());
    db = new PgSyncDb(url);
  });
  afterAll(async () => {
    db?.close();
    await drop();
  });

  it("prisma/postgres/schema.prisma is generated from prisma/schema.prisma, and every SQLite migration has its PostgreSQL twin (run `node scripts/prisma.mjs migration <name>` when this fails)", () => {
    const want = postgresSchema(fs.readFileSync(path.join(ROOT, "prisma/schema.prisma"), "utf8"));
    expect(fs.readFileSync(path.join(ROOT, "prisma/postgres/schema.prisma"), "utf8")).toBe(want);
    const twins = JSON.parse(fs.readFileSync(path.join(PG_MIGRATIONS_DIR, "equivalents.json"), "utf8")) as Record<string, string>;
    const sqlite = fs.readdirSync(MIGRATIONS_DIR).filter((n) => fs.existsSync(path.join(MIGRATIONS_DIR, n, "migration.sql"))).sort();
    expect(sqlite.filter((n) => !(n in twins))).toEqual([]);
    for (const n of sqlite) {
      if (twins[n].startsWith("none:")) continue;
      for (const twin of twins[n].split(" + ")) expect(fs.existsSync(path.join(PG_MIGRATIONS_DIR, twin, "migration.sql")), `${n} -> ${twin}`).toBe(true);
    }
  });

  it("our migrator creates every table and column SQLite has (read back from information_schema), once", () => {
    const applied = applyPgMigrations(db);
    expect(applied).toEqual(fs.readdirSync(PG_MIGRATIONS_DIR).filter((n) => fs.existsSync(path.join(PG_MIGRATIONS_DIR, n, "migration.sql"))).sort());
    expect(applied.length).toBeGreaterThanOrEqual(2);
    expect(applyPgMigrations(db)).toEqual([]); // idempotent
    expect(db.prepare(`SELECT COUNT(*) FROM "_facet_migrations"`).pluck().get()).toBe(applied.length);

    const pgCols = db.prepare(
      `SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_%' ORDER BY 1, 2`,
    ).all() as { t: string; c: string }[];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pg16-sqlite-"));
    const lite = new Database(path.join(dir, "s.db"));
    applyMigrations(lite, MIGRATIONS_DIR);
    const tables = lite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_%' ESCAPE '\\' ORDER BY 1`).pluck().all() as string[];
    const liteIdx = (lite.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%'`).pluck().all() as string[]);
    const liteCols = tables.flatMap((t) => (lite.prepare(`PRAGMA table_info("${t}")`).all() as { name: string }[]).map((c) => ({ t, c: c.name })));
    lite.close();
    fs.rmSync(dir, { recursive: true, force: true });
    const key = (r: { t: string; c: string }) => `${r.t}.${r.c}`;
    expect(tables.length).toBeGreaterThan(15);
    expect(pgCols.map(key).sort()).toEqual(liteCols.map(key).sort());
    // the indexes: the same names (primary keys aside, which SQLite names sqlite_autoindex_*)
    const pgIdx = (db.prepare(`SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()`).pluck().all() as string[]).filter((n) => !n.endsWith("_pkey") && !n.startsWith("_"));
    expect(pgIdx).toContain("Interaction_shop_customerId_timestamp_idx");
    expect(pgIdx.sort()).toEqual(liteIdx.sort());
    // the serving-change triggers: a write bumps the shop's counter
    db.exec(`INSERT INTO Setting (shop, key, value, updatedAt) VALUES ('t.myshopify.com', 'k', 'v', '2026-01-01T00:00:00Z')`);
    db.exec(`UPDATE Setting SET value = 'w' WHERE shop = 't.myshopify.com'`);
    expect(db.prepare(`SELECT settings FROM ServingChange WHERE shop = 't.myshopify.com'`).pluck().get()).toBe(2);
    // the hand-written SQLite functions
    expect(db.prepare(`SELECT julianday('2000-01-01T12:00:00Z') AS j`).get()).toEqual({ j: 2451545 });
  });

  it("the raw handle: ? and @name parameters, SQLite-shaped values, savepoints, rollback, cursors", () => {
    db.exec(`INSERT INTO Shop (id, updatedAt) VALUES ('raw.myshopify.com', '2026-01-02T03:04:05.600Z')`);
    const shop = db.prepare(`SELECT id, updatedAt, installedAt IS NOT NULL AS has FROM Shop WHERE id = @id`).get({ id: "raw.myshopify.com" }) as Record<string, unknown>;
    expect(shop).toMatchObject({ id: "raw.myshopify.com", updatedAt: "2026-01-02T03:04:05.600Z", has: 1 });
    const put = db.prepare(`INSERT INTO Product (shop, id, title, category, brand, price, imageUrl, material, stockStatus, updatedAt) VALUES (?, ?, ?, 'rings', 'Facet', ?, '', 'Gold', 'in_stock', ?) ON CONFLICT DO NOTHING`);
    const tx = db.transaction((ids: string[]) => {
      for (const id of ids) put.run("raw.myshopify.com", id, `Ring ${id}`, 10, "2026-01-01T00:00:00.000Z");
    });
    tx(["a", "b"]);
    expect(() => db.transaction(() => {
      put.run("raw.myshopify.com", "c", "Ring c", 10, "2026-01-01T00:00:00.000Z");
      db.transaction(() => put.run("raw.myshopify.com", "d", "Ring d", 10, "2026-01-01T00:00:00.000Z"))(); // a savepoint
      throw new Error("roll back");
    })()).toThrow("roll back");
    expect(db.prepare(`SELECT id FROM Product WHERE shop = ? ORDER BY id`).pluck().all("raw.myshopify.com")).toEqual(["a", "b"]);
    expect(db.prepare(`SELECT COUNT(*) FROM Product WHERE title LIKE ?`).pluck().get("ring %")).toBe(2); // LIKE ignores case, as on SQLite
    db.prepare(`INSERT INTO Product (shop, id, title, category, brand, price, imageUrl, material, stockStatus, updatedAt)
      SELECT ?, 'p' || g, 'x', 'rings', 'Facet', g, '', 'Gold', 'in_stock', ? FROM generate_series(0, 11999) AS g`).run("raw.myshopify.com", "2026-01-01T00:00:00.000Z");
    let n = 0;
    let sum = 0;
    for (const price of db.prepare(`SELECT price FROM Product WHERE shop = ? AND id LIKE 'p%'`).pluck().iterate("raw.myshopify.com")) {
      n++;
      sum += price as number;
    }
    expect([n, sum]).toEqual([12_000, (11_999 * 12_000) / 2]);
    expect(() => db.prepare(`SELECT nope FROM Product`).all()).toThrow(/PostgreSQL: column "nope" does not exist in: SELECT nope/);
  }, 60_000);

  it("the CLI imports into DATABASE_URL=postgresql://... and its audit reads it back; the Prisma client and Shopify's session storage use the same database", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pg16-cli-"));
    fs.writeFileSync(path.join(dir, "products.csv"), "product_id,title,category,brand,price,image_url,material,stock_status\nP1,Ring,rings,Facet,34.00,img/1.png,Silber,in_stock\nP2,Kette,necklaces,Facet,49.90,https://x.test/2.jpg,Gold,out_of_stock\n");
    fs.writeFileSync(path.join(dir, "customers.csv"), "customer_id,registration_date,gender,age,location_country,last_active_date\nC1,2023-06-15,female,32,DE,2024-11-08\n");
    fs.writeFileSync(path.join(dir, "orders.csv"), "order_id,customer_id,order_date,order_status,total_amount\nO1,C1,2024-10-15 14:32:00,completed,34.00\n");
    fs.writeFileSync(path.join(dir, "order_items.csv"), "order_item_id,order_id,product_id,quantity,unit_price\nOI1,O1,P1,1,34.00\n");
    const env = { ...process.env, DATABASE_URL: url, FACET_DATA_DIR: path.join(dir, "data"), REDIS_URL: "" };
    const imp = spawnSync(process.execPath, ["bin/facet.mjs", "import", dir, "--shop", "cli.myshopify.com", "--json"], { cwd: ROOT, encoding: "utf8", env, timeout: 120_000 });
    expect(imp.status, imp.stderr + imp.stdout).toBe(0);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const r = await c.query(`SELECT (SELECT COUNT(*) FROM "Product" WHERE shop = 'cli.myshopify.com')::int AS p, (SELECT COUNT(*) FROM "OrderItem" WHERE shop = 'cli.myshopify.com')::int AS i`);
      expect(r.rows[0]).toEqual({ p: 2, i: 1 });
    } finally {
      await c.end();
    }
    const audit = spawnSync(process.execPath, ["bin/facet.mjs", "audit", "--shop", "cli.myshopify.com", "--json"], { cwd: ROOT, encoding: "utf8", env, timeout: 120_000 });
    expect(audit.status, audit.stderr).toBe(0);
    expect(audit.stdout).toMatch(/"products"|"customers"/);
    fs.rmSync(dir, { recursive: true, force: true });

    // the app's handles on the same URL: the PostgreSQL Prisma client, and the session storage on it
    process.env.DATABASE_URL = url;
    const { resetEnvForTests } = await import("../../app/env.server");
    resetEnvForTests();
    const { prisma, closeDb, rawDialect } = await import("../../app/db.server");
    try {
      expect(rawDialect()).toBe("postgres");
      expect(await prisma().product.count({ where: { shop: "cli.myshopify.com" } })).toBe(2);
      const { PrismaSessionStorage } = await import("@shopify/shopify-app-session-storage-prisma");
      const { Session } = await import("@shopify/shopify-api");
      const storage = new PrismaSessionStorage(prisma());
      const s = new Session({ id: "offline_cli.myshopify.com", shop: "cli.myshopify.com", state: "x", isOnline: false, accessToken: "shpat_test", scope: "read_products" });
      expect(await storage.storeSession(s)).toBe(true);
      expect((await storage.loadSession(s.id))?.accessToken).toBe("shpat_test");
      const c2 = new pg.Client({ connectionString: url });
      await c2.connect();
      expect((await c2.query(`SELECT shop FROM "Session"`)).rows).toEqual([{ shop: "cli.myshopify.com" }]);
      await c2.end();
    } finally {
      await closeDb();
    }
  }, 180_000);
});

// Needs no PostgreSQL: the rule that picks the files .ci/run runs on PostgreSQL (test/db/postgres-files.mjs)
// finds every database-touching file, so a new one runs on both without being listed anywhere.
it("the PostgreSQL step runs every test file that touches a database, except the named exclusions", () => {
  const all = databaseTestFiles();
  const chosen = postgresTestFiles();
  const calls = (f: string, what: RegExp) => what.test(fs.readFileSync(path.join(ROOT, f), "utf8"));
  const testFiles = (dir: string): string[] =>
    fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? testFiles(`${dir}/${e.name}`) : /\.test\.tsx?$/.test(e.name) ? [`${dir}/${e.name}`] : []));
  const suite = testFiles("test");
  // The rule finds what it must: every useTempDatabase() file and every file that starts the built server.
  const mustRun = suite.filter((f) => calls(f, /\buseTempDatabase\(\)|\bstartServer\(/));
  expect(mustRun.length).toBeGreaterThan(45);
  expect(mustRun.filter((f) => !all.includes(f))).toEqual([]);
  expect(mustRun.filter((f) => !chosen.includes(f) && !(f in EXCLUDED))).toEqual([]);
  for (const f of ["test/prod/webhooks.test.ts", "test/prod/crash.test.ts", "test/shopify/privacy.test.ts", "test/queues/drivers.test.ts"]) expect(chosen).toContain(f);
  // ... and leaves pure files out (no database, nothing to run twice).
  for (const f of ["test/cf/ease.test.ts", "test/eval/metrics.test.ts", "test/hybrid/blend.test.ts"]) expect(all).not.toContain(f);
  // Every exclusion names a file that exists and still touches a database, with a reason.
  for (const [f, why] of Object.entries(EXCLUDED)) {
    expect(all, `${f} is excluded from the PostgreSQL step but is not a database-touching test file`).toContain(f);
    expect(why.length).toBeGreaterThan(20);
  }
  // What `node test/db/postgres-files.mjs` prints (the .ci/run command line) is this list.
  const printed = spawnSync(process.execPath, [path.join(ROOT, "test/db/postgres-files.mjs")], { encoding: "utf8" });
  expect(printed.status).toBe(0);
  expect(printed.stdout.trim().split("\n")).toEqual(chosen);
});
