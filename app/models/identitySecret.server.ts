/** The shop's identity secret (app/shopify/identity.server.ts signs customer tokens with it), stored as a Setting row. */
import { rawDb } from "../db.server";

export const IDENTITY_SECRET_KEY = "identity.secret";

/** The stored secret, or null when there is none or it is not a string of at least 32 characters. */
export function readIdentitySecret(shop: string): string | null {
  const row = rawDb().prepare(`SELECT value FROM Setting WHERE shop = ? AND key = ?`).get(shop, IDENTITY_SECRET_KEY) as { value: string } | undefined;
  if (!row) return null;
  const v = JSON.parse(row.value) as unknown;
  return typeof v === "string" && v.length >= 32 ? v : null;
}

/** Stores `secret` unless the shop already has one (two first uses at once keep the first). */
export function insertIdentitySecret(shop: string, secret: string, now: Date): void {
  rawDb()
    .prepare(`INSERT INTO Setting (shop, key, value, updatedAt) VALUES (?, ?, ?, ?) ON CONFLICT(shop, key) DO NOTHING`)
    .run(shop, IDENTITY_SECRET_KEY, JSON.stringify(secret), now.toISOString());
}

/** Replaces the shop's secret. */
export function replaceIdentitySecret(shop: string, secret: string, now: Date): void {
  rawDb()
    .prepare(`INSERT INTO Setting (shop, key, value, updatedAt) VALUES (?, ?, ?, ?) ON CONFLICT(shop, key) DO UPDATE SET value = excluded.value, updatedAt = excluded.updatedAt`)
    .run(shop, IDENTITY_SECRET_KEY, JSON.stringify(secret), now.toISOString());
}
