/**
 * A trained model addresses products by the dense indices of the catalogue it was trained on;
 * the serving catalogue moves on (products added, deleted). alignToCatalog maps rows to the
 * current catalogue's indices: products the model never saw get a zero factor row (score 0) and
 * no neighbours; products the catalogue lost are dropped, also as neighbours.
 */
import type { Catalog, CfModel, ItemNeighbours } from "../types";

export interface AlignableModel {
  itemIds: string[];
  cf: CfModel | null;
  boughtTogether: ItemNeighbours | null;
  viewedTogether: ItemNeighbours | null;
}

export function alignToCatalog<T extends AlignableModel>(model: T, catalog: Catalog): T {
  const n = catalog.ids.length;
  // old row -> new row (or -1)
  const toNew = Int32Array.from(model.itemIds, (id) => catalog.index.get(id) ?? -1);
  const same = model.itemIds.length === n && toNew.every((v, i) => v === i);
  if (same) return model;
  return {
    ...model,
    itemIds: catalog.ids.slice(),
    cf: model.cf ? alignFactors(model.cf, toNew, n) : null,
    boughtTogether: model.boughtTogether ? alignNeighbours(model.boughtTogether, toNew, n) : null,
    viewedTogether: model.viewedTogether ? alignNeighbours(model.viewedTogether, toNew, n) : null,
  };
}

function alignFactors(cf: CfModel, toNew: Int32Array, n: number): CfModel {
  const f = cf.factors;
  const itemFactors = new Float32Array(n * f);
  for (let old = 0; old < toNew.length; old++) {
    const j = toNew[old];
    if (j >= 0) itemFactors.set(cf.itemFactors.subarray(old * f, (old + 1) * f), j * f);
  }
  const ease = cf.ease ? { ...cf.ease, weights: alignNeighbours(cf.ease.weights, toNew, n) } : cf.ease;
  return { ...cf, itemFactors, ease };
}

function alignNeighbours(nb: ItemNeighbours, toNew: Int32Array, n: number): ItemNeighbours {
  const rows: { idx: number[]; score: number[] }[] = Array.from({ length: n }, () => ({ idx: [], score: [] }));
  for (let old = 0; old < toNew.length; old++) {
    const j = toNew[old];
    if (j < 0) continue;
    for (let k = nb.indptr[old]; k < nb.indptr[old + 1]; k++) {
      const c = toNew[nb.indices[k]];
      if (c < 0) continue;
      rows[j].idx.push(c);
      rows[j].score.push(nb.scores[k]);
    }
  }
  const indptr = new Int32Array(n + 1);
  for (let j = 0; j < n; j++) indptr[j + 1] = indptr[j] + rows[j].idx.length;
  const indices = new Int32Array(indptr[n]);
  const scores = new Float32Array(indptr[n]);
  for (let j = 0; j < n; j++) {
    indices.set(rows[j].idx, indptr[j]);
    scores.set(rows[j].score, indptr[j]);
  }
  return { indptr, indices, scores };
}
