/**
 * The Setting aggregate: one JSON value per (shop, key). Every key Facet stores is listed here
 * with what it holds and its default, so a new key is one line in this registry rather than a
 * string literal somewhere; the modules named as owners read and write their keys through these
 * functions (only this file holds the Setting table's SQL).
 */
import { rawDb } from "../db.server";
import { systemClock } from "../clock";

/** Every key: who owns it, what the value is, and what applies when the row is absent. */
export const SETTING_KEYS = {
  recommend: { owner: "models/settings.server.ts", holds: "the shop's override of DEFAULT_SETTINGS (placements, weights, rules)", absent: "the defaults" },
  "recommend.proposal": { owner: "models/evaluation.server.ts", holds: "the latest tuning proposal and its status", absent: "no proposal" },
  cf: { owner: "models/modelVersion.server.ts", holds: "training parameters ({als, confidence, ...})", absent: "{} (DEFAULT_ALS, DEFAULT_CONFIDENCE)" },
  "image.model": { owner: "models/embedding.server.ts", holds: "the image model's config (path, names, layout, range)", absent: "IMAGE_MODEL_PATH, else the colour descriptor alone" },
  "embedding.status": { owner: "models/embedding.server.ts", holds: "which visual space serves (model, dim, note, fitted centre)", absent: "no embedding run yet" },
  "import.dir": { owner: "models/productImage.server.ts", holds: "the folder of the last import (relative image paths)", absent: "FACET_IMAGE_BASE_DIR" },
  "privacy.emailKey": { owner: "models/customer.server.ts", holds: "the per-shop HMAC key of e-mail hashes (hex)", absent: "created on first use" },
  "identity.secret": { owner: "models/identitySecret.server.ts", holds: "the secret headless customer tokens are signed with", absent: "created on first use" },
  "experiments.attributionDays": { owner: "models/experiment.server.ts", holds: "the attribution window in days (1-90)", absent: "7" },
  "freshness.retrainThreshold": { owner: "jobs/retrainCheck.server.ts", holds: "distinct real customers with news that trigger a retrain", absent: "the built-in threshold" },
  "freshness.retrainEveryHours": { owner: "shopify/freshness.server.ts", holds: "hours between scheduled retrains (with Redis)", absent: "24" },
  "shopify.mapping": { owner: "models/sync.server.ts", holds: "how Shopify fields map to Facet's (ShopifyMapping)", absent: "the defaults of shopify/mapping.ts" },
  "shopify.sync.<resource>": { owner: "jobs/bulkSync.server.ts", holds: "a running bulk sync's state per resource (products, customers, orders)", absent: "no sync running" },
} as const;

export type SettingKey = Exclude<keyof typeof SETTING_KEYS, "shopify.sync.<resource>"> | `shopify.sync.${string}`;

/** The stored JSON text and when it last changed, or undefined. */
export function settingRow(shop: string, key: SettingKey): { value: string; updatedAt: string } | undefined {
  return rawDb().prepare(`SELECT value, updatedAt FROM Setting WHERE shop = ? AND key = ?`).get(shop, key) as { value: string; updatedAt: string } | undefined;
}

/** The parsed value; undefined when absent or not JSON. */
export function readSetting(shop: string, key: SettingKey): unknown {
  const row = settingRow(shop, key);
  if (!row) return undefined;
  try {
    return JSON.parse(row.value);
  } catch {
    return undefined;
  }
}

/** Stores the value as JSON (replacing the previous one). */
export function writeSetting(shop: string, key: SettingKey, value: unknown, now: Date = systemClock.now()): void {
  rawDb()
    .prepare(
      `INSERT INTO Setting (shop, key, value, updatedAt) VALUES (?, ?, ?, ?)
       ON CONFLICT(shop, key) DO UPDATE SET value = excluded.value, updatedAt = excluded.updatedAt`,
    )
    .run(shop, key, JSON.stringify(value), now.toISOString());
}

/** Stores the value unless the shop has the key already (two first uses at once keep the first). */
export function insertSettingIfAbsent(shop: string, key: SettingKey, value: unknown, now: Date = systemClock.now()): void {
  rawDb().prepare(`INSERT INTO Setting (shop, key, value, updatedAt) VALUES (?, ?, ?, ?) ON CONFLICT(shop, key) DO NOTHING`).run(shop, key, JSON.stringify(value), now.toISOString());
}

export function deleteSetting(shop: string, key: SettingKey): void {
  rawDb().prepare(`DELETE FROM Setting WHERE shop = ? AND key = ?`).run(shop, key);
}
