/** Customers: bulk upserts for the importer and counts. */
import crypto from "node:crypto";
import { rawDb } from "../db.server";
import { shopIds, upsertWriter } from "./bulk.server";
import { insertSettingIfAbsent, settingRow } from "./setting.server";

export const CUSTOMER_TABLE = { table: "Customer", key: ["id"], touchesUpdatedAt: true };

/** A writer of customer rows: [shop, ...values in `fields` order]. */
export function customerWriter(fields: string[]): (row: unknown[]) => void {
  return upsertWriter(CUSTOMER_TABLE, fields);
}

export function customerIds(shop: string): Iterable<string> {
  return shopIds("Customer", shop);
}

export function countCustomers(shop: string): number {
  return rawDb().prepare(`SELECT COUNT(*) FROM Customer WHERE shop = ?`).pluck().get(shop) as number;
}

// ---------------------------------------------------------------- emails (issue 15 point 7)
//
// No feature of Facet needs a customer's address (campaign exports carry the customer id, which the
// merchant's email tool joins with Shopify's own list), so Customer.email and Order.email stay NULL:
// what is kept is `emailHash` = HMAC-SHA256(per-shop secret, trimmed lower-case email), hex. It
// finds the customer of a customers/redact or data_request that names only an email, and cannot be
// reversed with a table of known addresses without the shop's secret (Setting "privacy.emailKey",
// 32 random bytes, created on first use, deleted with the shop on shop/redact).

export const EMAIL_KEY_SETTING = "privacy.emailKey";
const emailKeys = new Map<string, Buffer>();

function emailKey(shop: string): Buffer {
  const cached = emailKeys.get(shop);
  if (cached) return cached;
  let row = settingRow(shop, EMAIL_KEY_SETTING);
  if (!row) {
    insertSettingIfAbsent(shop, EMAIL_KEY_SETTING, crypto.randomBytes(32).toString("hex"));
    row = settingRow(shop, EMAIL_KEY_SETTING)!;
  }
  const key = Buffer.from(JSON.parse(row.value) as string, "hex");
  emailKeys.set(shop, key);
  return key;
}

/** Forgets cached keys (shop/redact deletes the Setting row; tests reuse shop names). */
export function forgetEmailKey(shop?: string): void {
  if (shop) emailKeys.delete(shop);
  else emailKeys.clear();
}

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

/** The stored form of an email for this shop. */
export function emailHmac(shop: string, email: string): string {
  return crypto.createHmac("sha256", emailKey(shop)).update(normaliseEmail(email)).digest("hex");
}

/** The unsalted sha256 earlier versions stored (kept only to find rows written before the migration). */
export const legacyEmailHash = (email: string) => crypto.createHash("sha256").update(normaliseEmail(email)).digest("hex");

/** A row's email fields as they are stored: no address, the keyed hash. */
export function protectEmail(shop: string, email: string | null, emailHash: string | null = null): { email: null; emailHash: string | null } {
  if (email && email.includes("@")) return { email: null, emailHash: emailHmac(shop, email) };
  return { email: null, emailHash: emailHash ?? (email || null) };
}

/**
 * Existing rows with an address in plain text (written before this version): the address becomes
 * its keyed hash and the column NULL, in one transaction; then the database is compacted so the old
 * text leaves the free pages and the WAL. Idempotent and cheap when there is nothing to do.
 */
export function migrateEmails(): { customers: number; orders: number } {
  const db = rawDb();
  const customers = db.prepare(`SELECT shop, id, email, emailHash FROM Customer WHERE email IS NOT NULL`).all() as { shop: string; id: string; email: string; emailHash: string | null }[];
  const orders = db.prepare(`SELECT shop, id, email FROM "Order" WHERE email IS NOT NULL`).all() as { shop: string; id: string; email: string }[];
  if (!customers.length && !orders.length) return { customers: 0, orders: 0 };
  db.transaction(() => {
    const c = db.prepare(`UPDATE Customer SET email = NULL, emailHash = ? WHERE shop = ? AND id = ?`);
    for (const r of customers) c.run(protectEmail(r.shop, r.email, r.emailHash).emailHash, r.shop, r.id);
    const o = db.prepare(`UPDATE "Order" SET email = NULL, emailHash = ? WHERE shop = ? AND id = ?`);
    for (const r of orders) o.run(protectEmail(r.shop, r.email).emailHash, r.shop, r.id);
  })();
  db.pragma("secure_delete = ON");
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.exec("VACUUM");
  db.pragma("wal_checkpoint(TRUNCATE)");
  return { customers: customers.length, orders: orders.length };
}
