/**
 * A shop's recommendation settings: the Setting row (shop, "recommend") holds a JSON override of
 * DEFAULT_SETTINGS (app/recommend/settings.ts), validated on the way in and on the way out.
 */
import { DEFAULT_SETTINGS, mergeSettings, parseSettingsOverride, type SettingsOverride, type ShopSettings } from "../recommend/settings";
import { settingRow, writeSetting } from "./setting.server";

export const RECOMMEND_SETTINGS_KEY = "recommend";

function row(shop: string): { value: string; updatedAt: string } | undefined {
  return settingRow(shop, RECOMMEND_SETTINGS_KEY);
}

/** The stored override, or null when the shop has none. Throws naming the shop when it is invalid. */
export function loadSettingsOverride(shop: string): SettingsOverride | null {
  const r = row(shop);
  if (!r) return null;
  let json: unknown;
  try {
    json = JSON.parse(r.value);
  } catch (e) {
    throw new Error(`Setting "${RECOMMEND_SETTINGS_KEY}" of shop ${shop} is not JSON (${(e as Error).message}); save the settings again from the admin`);
  }
  return parseSettingsOverride(json, `Setting "${RECOMMEND_SETTINGS_KEY}" of ${shop}`);
}

/** Defaults merged with the shop's override. */
export function loadShopSettings(shop: string): ShopSettings {
  return mergeSettings(DEFAULT_SETTINGS, loadSettingsOverride(shop));
}

/** Validates and stores an override (replacing the previous one); returns what was stored. */
export async function saveSettingsOverride(shop: string, override: unknown): Promise<SettingsOverride> {
  const checked = parseSettingsOverride(override);
  writeSetting(shop, RECOMMEND_SETTINGS_KEY, checked);
  return checked;
}

/** When the override last changed (null: never), for the serving snapshot's freshness check. */
export function settingsUpdatedAt(shop: string): string | null {
  return row(shop)?.updatedAt ?? null;
}
