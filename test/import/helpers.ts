/** Helpers for the importer tests: folders of files, and fingerprints of the database file. */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";
import { databaseFile } from "../../app/env.server";
import { rawDb, rawDialect } from "../../app/db.server";

const made: string[] = [];
afterAll(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh temporary folder, removed after the test file. */
export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "facet-import-"));
  made.push(dir);
  return dir;
}

/** Writes files (text as UTF-8, or raw bytes) into a fresh folder. */
export function folder(files: Record<string, string | Buffer>): string {
  const dir = tempDir();
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  return dir;
}

/**
 * SQLite: sha256 of the file after moving the WAL into it: byte-for-byte identity of the database.
 * PostgreSQL: every row of every table with its xmin (the transaction that last wrote the row
 * version): a row rewritten with equal values still gets a new xmin, so this is as strict.
 */
export function dbFingerprint(): string {
  const db = rawDb();
  if (rawDialect() === "postgres") {
    const h = crypto.createHash("sha256");
    const tables = db.prepare(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`).pluck().all() as string[];
    for (const t of tables) {
      h.update(t);
      for (const r of db.prepare(`SELECT xmin::text AS _x, * FROM "${t}" ORDER BY 2, 3`).all()) h.update(JSON.stringify(r, (_k, v) => (Buffer.isBuffer(v) ? v.toString("hex") : v)));
    }
    return h.digest("hex");
  }
  db.pragma("wal_checkpoint(TRUNCATE)");
  const h = crypto.createHash("sha256");
  h.update(fs.readFileSync(databaseFile()));
  const wal = databaseFile() + "-wal";
  if (fs.existsSync(wal)) h.update(fs.readFileSync(wal));
  return h.digest("hex");
}

/** Every row of the data tables for a shop, as text (to compare content, not pages). */
export function dumpTables(shop: string): string {
  const db = rawDb();
  const out: string[] = [];
  for (const t of ["Shop", "Product", "Customer", "Order", "OrderItem", "Interaction", "ProductEmbedding"]) {
    const where = t === "Shop" ? "id = ?" : "shop = ?";
    const rows = db.prepare(`SELECT * FROM "${t}" WHERE ${where} ORDER BY 1, 2`).all(shop) as Record<string, unknown>[];
    out.push(`${t} ${rows.length}`, ...rows.map((r) => JSON.stringify(r, (_k, v) => (Buffer.isBuffer(v) ? v.toString("hex") : v))));
  }
  return out.join("\n");
}

export function count(table: string, shop: string): number {
  return rawDb().prepare(`SELECT COUNT(*) FROM "${table}" WHERE shop = ?`).pluck().get(shop) as number;
}

export const PRODUCTS_HEADER = "product_id,title,category,brand,price,image_url,material,stock_status";
export const GOOD_PRODUCTS = `${PRODUCTS_HEADER}\nP1,Ring,rings,Facet,34.00,img/1.png,Silber,in_stock\nP2,Kette,necklaces,Facet,49.90,https://x.test/2.jpg,Gold,out_of_stock\n`;
export const GOOD_CUSTOMERS = "customer_id,registration_date,gender,age,location_country,last_active_date\nC1,2023-06-15,female,32,DE,2024-11-08\nC2,2023-07-01,male,41,AT,2024-10-01\n";
export const GOOD_ORDERS = "order_id,customer_id,order_date,order_status,total_amount\nO1,C1,2024-10-15 14:32:00,completed,34.00\n";
export const GOOD_ITEMS = "order_item_id,order_id,product_id,quantity,unit_price\nOI1,O1,P1,1,34.00\n";
export const GOOD_INTERACTIONS = "interaction_id,customer_id,product_id,interaction_type,timestamp\nX1,C1,P1,view,2024-11-05 10:23:15\nX2,C2,P2,purchase,2024-11-06 11:00:00\n";
