/**
 * Headless API keys, one shop each (issue 15 point 3). A key is `fk_<id>_<secret>`: <id> is 8 random
 * hex characters shown in the admin to tell keys apart, <secret> 32 random bytes (base64url). Only
 * sha256(key) is stored (the secret has 256 bits of entropy, so a plain hash is enough; no salt or
 * slow hash needed); the whole key is shown once, when it is created.
 */
import { createHash, randomBytes } from "node:crypto";
import { rawDb } from "../db.server";

export type ApiKeyRow = { id: string; shop: string; label: string; createdAt: string; lastUsedAt: string | null; revokedAt: string | null };

const KEY = /^fk_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$/;

export function hashKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** Creates a key for the shop; returns the row and the key (the only time it is available). */
export function createApiKey(shop: string, label: string, now: Date): { key: string; row: ApiKeyRow } {
  const id = randomBytes(4).toString("hex");
  const key = `fk_${id}_${randomBytes(32).toString("base64url")}`;
  const clean = label.trim().slice(0, 80);
  rawDb().prepare(`INSERT INTO ApiKey (id, shop, hash, label, createdAt) VALUES (?, ?, ?, ?, ?)`).run(id, shop, hashKey(key), clean, now.toISOString());
  return { key, row: { id, shop, label: clean, createdAt: now.toISOString(), lastUsedAt: null, revokedAt: null } };
}

/** The shop's keys, newest first (revoked ones included, marked). */
export function listApiKeys(shop: string): ApiKeyRow[] {
  return rawDb()
    .prepare(`SELECT id, shop, label, createdAt, lastUsedAt, revokedAt FROM ApiKey WHERE shop = ? ORDER BY createdAt DESC, id`)
    .all(shop) as ApiKeyRow[];
}

/** Revokes one of the shop's keys (a key of another shop is not touched). True when it was active. */
export function revokeApiKey(shop: string, id: string, now: Date): boolean {
  return rawDb().prepare(`UPDATE ApiKey SET revokedAt = ? WHERE shop = ? AND id = ? AND revokedAt IS NULL`).run(now.toISOString(), shop, id).changes > 0;
}

export type KeyVerdict = { ok: true; keyId: string } | { ok: false; status: 401 | 403; reason: string };

/**
 * Checks a presented key for a shop: unknown, malformed or revoked -> 401; a valid key of another
 * shop -> 403. Looked up by its hash (an index lookup; no comparison of secrets in JS).
 */
export function verifyApiKey(key: string, shop: string, now: Date): KeyVerdict {
  if (!KEY.test(key)) return { ok: false, status: 401, reason: "Missing or malformed API key: send `Authorization: Bearer fk_…` or `X-Facet-Key: fk_…` (create one in the admin under API keys)." };
  const db = rawDb();
  const row = db.prepare(`SELECT id, shop, revokedAt, lastUsedAt FROM ApiKey WHERE hash = ?`).get(hashKey(key)) as
    | { id: string; shop: string; revokedAt: string | null; lastUsedAt: string | null }
    | undefined;
  if (!row || row.revokedAt !== null) return { ok: false, status: 401, reason: "Unknown or revoked API key." };
  if (row.shop !== shop) return { ok: false, status: 403, reason: "This API key belongs to another shop." };
  // lastUsedAt at minute resolution: one write a minute at most per key, not one per request.
  const minute = now.toISOString().slice(0, 16);
  if (!row.lastUsedAt || row.lastUsedAt.slice(0, 16) !== minute) db.prepare(`UPDATE ApiKey SET lastUsedAt = ? WHERE id = ?`).run(now.toISOString(), row.id);
  return { ok: true, keyId: row.id };
}
