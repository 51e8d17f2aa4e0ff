/**
 * The visual index shared between machines (issue 16 point 3). Every machine keeps the index it
 * searches in its own data folder (app/embedding/index.ts: HNSW graph, ids, PCA basis, full
 * vectors); with the database artifact store, a machine that brought the index up to date publishes
 * a copy of it as an artifact of kind "index" named by the visual fingerprint it was built from,
 * and a machine whose own copy is missing or older installs that one instead of rebuilding it from
 * the vectors (an HNSW build of a large catalogue takes minutes). With the local store the data
 * folder is shared already and nothing is copied.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env } from "../env.server";
import { artifactStore, collectArtifacts, stagingDir, type ArtifactRef } from "../artifacts/store.server";
import { systemClock } from "../clock";
import { indexFiles } from "./index";

const PARTS = { graph: "graph.hnsw", meta: "ids.json", pca: "pca.f32", full: "full.f32" } as const;

export function sharedIndexRef(shop: string, fingerprint: string): ArtifactRef {
  return { shop, kind: "index", name: `index-${crypto.createHash("sha256").update(fingerprint).digest("hex").slice(0, 24)}` };
}

/** Publishes this machine's index of (shop, key), built from `fingerprint`, unless the store holds it already. */
export function publishSharedIndex(shop: string, key: string, fingerprint: string): boolean {
  const store = artifactStore();
  if (!store.shared) return false;
  const ref = sharedIndexRef(shop, fingerprint);
  if (store.has(ref)) return false;
  const local = indexFiles(shop, key);
  const tmp = stagingDir(ref);
  try {
    const files: string[] = [];
    for (const [part, name] of Object.entries(PARTS)) {
      const src = local[part as keyof typeof PARTS];
      if (!fs.existsSync(src)) continue;
      fs.copyFileSync(src, path.join(tmp, name));
      files.push(name);
    }
    const created = systemClock.now();
    fs.writeFileSync(path.join(tmp, "manifest.json"), JSON.stringify({ kind: "index", shop, key, fingerprint, created: created.toISOString(), files }, null, 2));
    store.publish(ref, tmp, created);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  const keep = ref.name;
  collectArtifacts(shop, "index", env().FACET_MODEL_VERSIONS_KEEP, (name) => name === keep);
  return true;
}

/** Installs the store's index of `fingerprint` as this machine's index of (shop, key); false when the store has none. */
export function installSharedIndex(shop: string, key: string, fingerprint: string): boolean {
  const store = artifactStore();
  if (!store.shared) return false;
  const dir = store.fetch(sharedIndexRef(shop, fingerprint));
  if (!dir) return false;
  const local = indexFiles(shop, key);
  fs.mkdirSync(path.dirname(local.graph), { recursive: true });
  // The id list last: an index without it is not loaded (ProductVectorIndex.load).
  fs.rmSync(local.meta, { force: true });
  for (const part of ["graph", "pca", "full", "meta"] as const) {
    const src = path.join(dir, PARTS[part]);
    if (!fs.existsSync(src)) {
      fs.rmSync(local[part], { force: true });
      continue;
    }
    const tmp = `${local[part]}.${process.pid}.install`;
    fs.copyFileSync(src, tmp);
    fs.renameSync(tmp, local[part]);
  }
  return true;
}
