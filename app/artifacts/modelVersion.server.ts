/**
 * The model-version format (issue 19 point 4: its one owner; issue 16 point 3): write, read, redact
 * users, garbage-collect. A version is an artifact of kind "model" in the artifact store
 * (app/artifacts/store.server.ts: the data folder `${dataDir()}/models/<shop>/<version>/` by
 * default, or the database shared by every machine), holding
 *   manifest.json            format, version, created, parameters, training metrics, shapes, file list
 *   item_ids.json            product ids, one per item row (a JSON array)
 *   user_ids.json            customer ids, one per user row (a JSON array)
 *   user_factors.f32, item_factors.f32          row-major Float32, little-endian
 *   bought_together.{indptr,indices}.i32 + .scores.f32, the same for viewed_together and for
 *   ease (the item-based part of the collaborative model, cf/ease.ts; its weight and lambda in
 *   the manifest's parameters.ease)
 * A version is written into a temporary folder and published to the store when complete, then its
 * ModelVersion row is published (the previous one superseded); a published version is never written
 * again except by `redactUsers` (a customer's id and factor row leave every version, atomically).
 * Until then the previous version keeps serving. After each publication the shop keeps its newest
 * FACET_MODEL_VERSIONS_KEEP versions (the published one always among them): `collectModelVersions`.
 * app/models/privacy.server.ts calls `redactUsers` and `modelVersionsWithUsers`; nothing else
 * reads or writes these files.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { env } from "../env.server";
import { publishModelVersion, publishedModelVersion } from "../models/modelVersion.server";
import { gramOf } from "../recommend/cf/als";
import { confidenceSettings } from "../recommend/cf/confidence";
import type { ConfidenceSettings } from "../recommend/types";
import { alignToCatalog as alignRows } from "../recommend/cf/align";
import type { TrainArtifacts } from "../recommend/cf/train";
import type { Catalog, CfModel, ItemNeighbours } from "../recommend/types";
import { systemClock } from "../clock";
import { announceServingChange } from "../queues/broadcast.server";
import { artifactStore, collectArtifacts, localKindDir, sha256, stagingDir, type ArtifactRef } from "./store.server";

export const MANIFEST_FORMAT = 1;

export interface LoadedModel {
  version: string;
  createdAt: string;
  itemIds: string[];
  cf: CfModel | null;
  boughtTogether: ItemNeighbours | null;
  viewedTogether: ItemNeighbours | null;
  /** Y^T Y of the trained item factors (without regularization): what foldInUser needs. */
  itemGram: Float64Array | null;
  params: unknown;
  metrics: Record<string, number>;
}

interface Manifest {
  format: number;
  version: string;
  created: string;
  shop: string;
  parameters: unknown;
  metrics: Record<string, number>;
  items: number;
  users: number;
  factors: number;
  regularization: number | null;
  alpha: number | null;
  files: Record<string, { bytes: number; sha256: string }>;
}

/** The local backend's folder of a shop's versions (the database backend keeps them in the database). */
export function modelsDir(shop: string): string {
  return localKindDir(shop, "model");
}

const modelRef = (shop: string, version: string): ArtifactRef => ({ shop, kind: "model", name: version });

/** Sortable, unique: 20261126T192233123Z-1a2b */
function newVersion(now: Date): string {
  return now.toISOString().replace(/[-:.]/g, "") + "-" + crypto.randomBytes(2).toString("hex");
}

function bytesOf(a: Float32Array | Int32Array): Buffer {
  if (os.endianness() !== "LE") throw new Error("model version: big-endian platforms are not supported (files are little-endian)");
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

export async function writeModelVersion(
  shop: string,
  catalog: Catalog,
  artifacts: TrainArtifacts,
  params: unknown,
): Promise<{ version: string; path: string }> {
  const created = systemClock.now();
  const version = newVersion(created);
  const ref = modelRef(shop, version);
  const tmp = stagingDir(ref);
  let final: string;
  try {
    const files: Manifest["files"] = {};
    const put = async (name: string, data: Buffer | string) => {
      await fs.promises.writeFile(path.join(tmp, name), data);
      files[name] = { bytes: Buffer.byteLength(data), sha256: crypto.createHash("sha256").update(data).digest("hex") };
    };
    const cf = artifacts.cf;
    await put("item_ids.json", JSON.stringify(catalog.ids));
    await put("user_ids.json", JSON.stringify(cf?.userIds ?? []));
    if (cf) {
      if (cf.itemFactors.length !== catalog.ids.length * cf.factors) throw new Error("writeModelVersion: item factors are not aligned with the catalogue");
      await put("user_factors.f32", bytesOf(cf.userFactors));
      await put("item_factors.f32", bytesOf(cf.itemFactors));
    }
    for (const [name, nb] of [["bought_together", artifacts.boughtTogether], ["viewed_together", artifacts.viewedTogether], ["ease", cf?.ease?.weights ?? null]] as const) {
      if (!nb) continue;
      await put(`${name}.indptr.i32`, bytesOf(nb.indptr));
      await put(`${name}.indices.i32`, bytesOf(nb.indices));
      await put(`${name}.scores.f32`, bytesOf(nb.scores));
    }
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      version,
      created: created.toISOString(),
      shop,
      parameters: params ?? null,
      metrics: artifacts.metrics,
      items: catalog.ids.length,
      users: cf?.userIds.length ?? 0,
      factors: cf?.factors ?? 0,
      regularization: cf?.regularization ?? null,
      alpha: cf?.alpha ?? null,
      files,
    };
    // The manifest last: a folder with a manifest is complete.
    await fs.promises.writeFile(path.join(tmp, "manifest.json"), JSON.stringify(manifest, null, 2));
    final = artifactStore().publish(ref, tmp, created);
  } catch (e) {
    await fs.promises.rm(tmp, { recursive: true, force: true });
    throw e;
  }
  const where = artifactStore().shared ? `database:model/${version}` : final;
  await publishModelVersion(shop, { version, path: where, params, metrics: artifacts.metrics, createdAt: created });
  await collectModelVersions(shop);
  await announceServingChange(shop, "models");
  return { version, path: final };
}

/**
 * Garbage collection: keeps the shop's newest `keep` versions (FACET_MODEL_VERSIONS_KEEP, default 3)
 * and the published one; removes the others from the store. Returns the versions removed.
 */
export async function collectModelVersions(shop: string, keep = env().FACET_MODEL_VERSIONS_KEEP): Promise<string[]> {
  const published = (await publishedModelVersion(shop))?.version ?? null;
  return collectArtifacts(shop, "model", keep, (name) => name === published);
}

/** The shop's published model, or null before the first training. Throws when its folder is damaged. */
export async function loadPublishedModel(shop: string): Promise<LoadedModel | null> {
  const row = await publishedModelVersion(shop);
  if (!row) return null;
  const dir = artifactStore().fetch(modelRef(shop, row.version));
  if (!dir) throw new Error(`Model version ${row.version} of ${shop} is published but missing from the ${artifactStore().backend} artifact store: retrain with \`facet train --shop ${shop}\``);
  return loadModelFolder(dir);
}

export async function loadModelFolder(dir: string): Promise<LoadedModel> {
  const read = async (name: string) => fs.promises.readFile(path.join(dir, name));
  let manifest: Manifest;
  try {
    manifest = JSON.parse((await read("manifest.json")).toString("utf8")) as Manifest;
  } catch (e) {
    throw new Error(`Model folder ${dir} has no readable manifest.json (${(e as Error).message}): retrain with \`facet train\``);
  }
  if (manifest.format !== MANIFEST_FORMAT) throw new Error(`${dir}/manifest.json: format ${manifest.format}, expected ${MANIFEST_FORMAT}: retrain with \`facet train\``);
  const has = (name: string) => name in manifest.files;
  const f32 = async (name: string, length: number) => typed(await read(name), Float32Array, length, path.join(dir, name));
  const i32 = async (name: string, length: number) => typed(await read(name), Int32Array, length, path.join(dir, name));
  const itemIds = JSON.parse((await read("item_ids.json")).toString("utf8")) as string[];
  const userIds = JSON.parse((await read("user_ids.json")).toString("utf8")) as string[];
  const n = manifest.items;
  let cf: CfModel | null = null;
  let itemGram: Float64Array | null = null;
  if (has("item_factors.f32")) {
    const f = manifest.factors;
    cf = {
      factors: f,
      userIds,
      userIndex: new Map(userIds.map((id, i) => [id, i])),
      userFactors: await f32("user_factors.f32", userIds.length * f),
      itemFactors: await f32("item_factors.f32", n * f),
      regularization: manifest.regularization ?? 0,
      alpha: manifest.alpha ?? 0,
      // The confidence settings it was trained with (tuned half-life, scale): fold-in uses the same.
      confidence: confidenceSettings((manifest.parameters as { confidence?: Partial<ConfidenceSettings> } | null)?.confidence),
    };
    itemGram = gramOf(cf.itemFactors, f);
  }
  const neighbours = async (name: string): Promise<ItemNeighbours | null> => {
    if (!has(`${name}.indptr.i32`)) return null;
    const indptr = await i32(`${name}.indptr.i32`, n + 1);
    return { indptr, indices: await i32(`${name}.indices.i32`, indptr[n]), scores: await f32(`${name}.scores.f32`, indptr[n]) };
  };
  if (cf && has("ease.indptr.i32")) {
    const e = (manifest.parameters as { ease?: { weight?: number; lambda?: number } } | null)?.ease;
    const weights = await neighbours("ease");
    if (weights && (e?.weight ?? 0) > 0) cf.ease = { weights, weight: Math.min(1, e!.weight!), lambda: e?.lambda ?? 0 };
  }
  return {
    version: manifest.version,
    createdAt: manifest.created,
    itemIds,
    cf,
    boughtTogether: await neighbours("bought_together"),
    viewedTogether: await neighbours("viewed_together"),
    itemGram,
    params: manifest.parameters,
    metrics: manifest.metrics,
  };
}

function typed<T extends Float32Array | Int32Array>(
  buf: Buffer,
  Ctor: { new (b: ArrayBuffer): T; BYTES_PER_ELEMENT: number },
  length: number,
  file: string,
): T {
  if (buf.byteLength !== length * Ctor.BYTES_PER_ELEMENT) {
    throw new Error(`${file}: ${buf.byteLength} bytes, expected ${length * Ctor.BYTES_PER_ELEMENT} (damaged model folder: retrain with \`facet train\`)`);
  }
  // A copy: readFile's Buffer may not be aligned for a typed view.
  return new Ctor(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
}

/** Maps a loaded model's rows to the current catalogue's dense indices (see app/recommend/cf/align.ts). */
export function alignToCatalog(model: LoadedModel, catalog: Catalog): LoadedModel {
  return alignRows(model, catalog);
}

// ---------------------------------------------------------------- redaction (issue 15, issue 19 point 4)

function readUserIds(dir: string): string[] {
  const v = JSON.parse(fs.readFileSync(path.join(dir, "user_ids.json"), "utf8")) as unknown;
  if (!Array.isArray(v)) throw new Error(`${dir}/user_ids.json is not a JSON array: not a model version of format ${MANIFEST_FORMAT}`);
  return v.map(String);
}

/** The shop's versions (names) whose users include one of `ids` (a data request lists them). */
export function modelVersionsWithUsers(shop: string, ids: string[]): string[] {
  if (!ids.length) return [];
  const store = artifactStore();
  const wanted = new Set(ids);
  return store
    .list(shop, "model")
    .filter((v) => {
      const dir = store.fetch(modelRef(shop, v.name));
      return dir !== null && fs.existsSync(path.join(dir, "user_ids.json")) && readUserIds(dir).some((id) => wanted.has(id));
    })
    .map((v) => v.name);
}

/**
 * Takes the customers out of every version of the shop, in the store (the database too, when that
 * is the backend: the old contents leave it in the same transaction): their entry in user_ids.json
 * and their row of user_factors.f32, with the manifest's user count and file list kept true. Each
 * version is rewritten atomically (app/artifacts/store.server.ts `rewrite`). Returns where each
 * rewritten version lives (`<backend>:<version>`). Safe to run twice.
 */
export function redactUsers(shop: string, ids: string[]): string[] {
  if (!ids.length) return [];
  const store = artifactStore();
  const gone = new Set(ids);
  const touched: string[] = [];
  for (const v of store.list(shop, "model")) {
    const ref = modelRef(shop, v.name);
    const dir = store.fetch(ref);
    if (!dir || !fs.existsSync(path.join(dir, "user_ids.json"))) continue;
    const users = readUserIds(dir);
    const keepRows = users.map((id, i) => (gone.has(id) ? -1 : i)).filter((i) => i >= 0);
    if (keepRows.length === users.length) continue;
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")) as Manifest;
    const replaced: Record<string, Buffer> = { "user_ids.json": Buffer.from(JSON.stringify(keepRows.map((i) => users[i]))) };
    const factorsFile = path.join(dir, "user_factors.f32");
    if (fs.existsSync(factorsFile)) {
      const f = manifest.factors;
      const src = typed(fs.readFileSync(factorsFile), Float32Array, users.length * f, factorsFile);
      const out = new Float32Array(keepRows.length * f);
      keepRows.forEach((row, j) => out.set(src.subarray(row * f, (row + 1) * f), j * f));
      replaced["user_factors.f32"] = bytesOf(out);
    }
    manifest.users = keepRows.length;
    for (const [name, data] of Object.entries(replaced)) manifest.files[name] = { bytes: data.byteLength, sha256: sha256(data) };
    replaced["manifest.json"] = Buffer.from(JSON.stringify(manifest, null, 2));
    store.rewrite(ref, replaced);
    touched.push(`${store.backend}:${v.name}`);
  }
  return touched;
}
