/**
 * ModelVersion rows (a trained model folder on disk, never mutated once written) and the shop's
 * collaborative-filtering settings (Setting key "cf").
 *
 * Lifecycle: a folder is written completely first (app/artifacts/modelVersion.server.ts), then its row
 * is inserted as "published" while the previously published row becomes "superseded", in one
 * transaction: a reader always finds exactly one complete published version (or none yet).
 */
import { prisma } from "../db.server";
import type { TrainParams } from "../recommend/cf/train";
import { systemClock } from "../clock";
import { settingRow, writeSetting } from "./setting.server";

export const MODEL_KIND = "hybrid";

export interface ModelVersionRow {
  id: number;
  shop: string;
  kind: string;
  version: string;
  path: string;
  status: string;
  params: string | null;
  metrics: string | null;
  createdAt: Date;
  publishedAt: Date | null;
}

/** Records a complete version folder as published; the previously published one is superseded. */
export async function publishModelVersion(
  shop: string,
  v: { version: string; path: string; params: unknown; metrics: unknown; createdAt: Date },
): Promise<ModelVersionRow> {
  const db = prisma();
  const [, row] = await db.$transaction([
    db.modelVersion.updateMany({ where: { shop, kind: MODEL_KIND, status: "published" }, data: { status: "superseded" } }),
    db.modelVersion.create({
      data: {
        shop,
        kind: MODEL_KIND,
        version: v.version,
        path: v.path,
        status: "published",
        params: JSON.stringify(v.params ?? null),
        metrics: JSON.stringify(v.metrics ?? null),
        createdAt: v.createdAt,
        publishedAt: systemClock.now(),
      },
    }),
  ]);
  return row;
}

/** Records a training run that failed (no folder is published). */
export async function recordFailedModelVersion(shop: string, version: string, error: string): Promise<void> {
  await prisma().modelVersion.create({
    data: { shop, kind: MODEL_KIND, version, path: "", status: "failed", metrics: JSON.stringify({ error }) },
  });
}

/** The published version of a shop, or null before the first training. */
export async function publishedModelVersion(shop: string): Promise<ModelVersionRow | null> {
  return prisma().modelVersion.findFirst({
    where: { shop, kind: MODEL_KIND, status: "published" },
    orderBy: { id: "desc" },
  });
}

export async function listModelVersions(shop: string, take = 20): Promise<ModelVersionRow[]> {
  return prisma().modelVersion.findMany({ where: { shop, kind: MODEL_KIND }, orderBy: { id: "desc" }, take });
}

export const CF_SETTING_KEY = "cf";

/**
 * The shop's training parameters (Setting "cf", JSON such as
 * {"als": {"factors": 64, "iterations": 15}, "confidence": {"halfLifeDays": 60}}); {} when unset.
 * Defaults live in code: DEFAULT_ALS (app/recommend/cf/als.ts), DEFAULT_CONFIDENCE (confidence.ts),
 * DEFAULT_BOUGHT_TOGETHER / DEFAULT_VIEWED_TOGETHER (itemItem.ts).
 */
export async function readCfSettings(shop: string): Promise<TrainParams> {
  const row = settingRow(shop, CF_SETTING_KEY);
  if (!row) return {};
  let value: unknown;
  try {
    value = JSON.parse(row.value);
  } catch (e) {
    throw new Error(`Setting "${CF_SETTING_KEY}" of ${shop} is not valid JSON (${(e as Error).message}): fix it in the admin's settings or delete the row`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new Error(`Setting "${CF_SETTING_KEY}" of ${shop} must be a JSON object such as {"als": {"factors": 64}} (got ${row.value.slice(0, 80)})`);
  }
  return value as TrainParams;
}

export async function writeCfSettings(shop: string, params: TrainParams): Promise<void> {
  writeSetting(shop, CF_SETTING_KEY, params);
}
