/** The shop's identity secret (app/shopify/identity.server.ts signs customer tokens with it), stored as a Setting row. */
import { insertSettingIfAbsent, settingRow, writeSetting, type SettingKey } from "./setting.server";

export const IDENTITY_SECRET_KEY = "identity.secret" satisfies SettingKey;

/** The stored secret, or null when there is none or it is not a string of at least 32 characters. */
export function readIdentitySecret(shop: string): string | null {
  const row = settingRow(shop, IDENTITY_SECRET_KEY);
  if (!row) return null;
  const v = JSON.parse(row.value) as unknown;
  return typeof v === "string" && v.length >= 32 ? v : null;
}

/** Stores `secret` unless the shop already has one (two first uses at once keep the first). */
export function insertIdentitySecret(shop: string, secret: string, now: Date): void {
  insertSettingIfAbsent(shop, IDENTITY_SECRET_KEY, secret, now);
}

/** Replaces the shop's secret. */
export function replaceIdentitySecret(shop: string, secret: string, now: Date): void {
  writeSetting(shop, IDENTITY_SECRET_KEY, secret, now);
}
