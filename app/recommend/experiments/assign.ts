/**
 * Sticky, deterministic assignment of shoppers to experiment variants: a hash of the experiment
 * id and the shopper's key (customer id, or the anonymous client id) picks a point in [0, 1),
 * and the variants' traffic shares cut [0, 1) into consecutive slices. The same shopper always
 * lands in the same variant of the same experiment (no cross-over), and experiments are
 * independent of each other because the experiment id is part of the hash.
 */
import { hashText32 } from "../hash";

export interface VariantShare {
  id: string;
  /** Relative traffic share (any positive numbers; normalised here). */
  weight: number;
}

/** The shopper's point in [0, 1) for this experiment. */
export function bucketPoint(experimentId: string, shopperKey: string): number {
  return hashText32(`${experimentId}\u0000${shopperKey}`) / 2 ** 32;
}

export function assignVariant(experimentId: string, shopperKey: string, variants: VariantShare[]): string {
  if (variants.length === 0) throw new Error("an experiment needs at least one variant");
  const total = variants.reduce((s, v) => s + Math.max(0, v.weight), 0);
  if (!(total > 0)) throw new Error("variant weights must add up to more than 0");
  const point = bucketPoint(experimentId, shopperKey) * total;
  let edge = 0;
  for (const v of variants) {
    edge += Math.max(0, v.weight);
    if (point < edge) return v.id;
  }
  return variants[variants.length - 1].id;
}
