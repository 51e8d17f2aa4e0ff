/**
 * Customer groups for per-segment metrics and the fairness report: age group, gender, country
 * (from the profile) and value tier (terciles of lifetime value, else average order value, among the evaluated customers).
 * A missing attribute is its own group ("unknown"), so every customer is counted once per dimension.
 */
import type { CustomerProfile } from "../types";
import { quantileSorted } from "./bootstrap";

export type SegmentDimension = "age_group" | "gender" | "country" | "value_tier";
export const SEGMENT_DIMENSIONS: SegmentDimension[] = ["age_group", "gender", "country", "value_tier"];
export type ValueTier = "low" | "mid" | "high" | "unknown";

export const UNKNOWN = "unknown";

/** Customer value: lifetime value when known, else average order value, else null. */
export function customerValue(p: CustomerProfile | undefined): number | null {
  if (!p) return null;
  if (p.lifetimeValue !== null && Number.isFinite(p.lifetimeValue)) return p.lifetimeValue;
  if (p.avgOrderValue !== null && Number.isFinite(p.avgOrderValue)) return p.avgOrderValue;
  return null;
}

/** Tercile bounds of customer value over the given profiles ([low/mid, mid/high]). */
export function valueTierBounds(profiles: Iterable<CustomerProfile>): [number, number] | null {
  const values: number[] = [];
  for (const p of profiles) {
    const v = customerValue(p);
    if (v !== null) values.push(v);
  }
  if (values.length < 3) return null;
  values.sort((a, b) => a - b);
  return [quantileSorted(values, 1 / 3), quantileSorted(values, 2 / 3)];
}

export function valueTier(p: CustomerProfile | undefined, bounds: [number, number] | null): ValueTier {
  const v = customerValue(p);
  if (v === null || bounds === null) return "unknown";
  if (v <= bounds[0]) return "low";
  if (v <= bounds[1]) return "mid";
  return "high";
}

function clean(v: string | null | undefined): string {
  const s = (v ?? "").trim().toLowerCase();
  return s === "" ? UNKNOWN : s;
}

/** The customer's group on each dimension. */
export function segmentsOf(p: CustomerProfile | undefined, bounds: [number, number] | null): Record<SegmentDimension, string> {
  return {
    age_group: clean(p?.ageGroup),
    gender: clean(p?.gender),
    country: p?.country ? p.country.trim().toUpperCase() : UNKNOWN,
    value_tier: valueTier(p, bounds),
  };
}

/** dimension -> group -> the positions (in `users`) of its members. */
export function groupUsers(
  users: readonly string[],
  profiles: ReadonlyMap<string, CustomerProfile>,
  bounds: [number, number] | null,
): Map<SegmentDimension, Map<string, number[]>> {
  const out = new Map<SegmentDimension, Map<string, number[]>>();
  for (const d of SEGMENT_DIMENSIONS) out.set(d, new Map());
  users.forEach((id, pos) => {
    const seg = segmentsOf(profiles.get(id), bounds);
    for (const d of SEGMENT_DIMENSIONS) {
      const groups = out.get(d)!;
      let list = groups.get(seg[d]);
      if (!list) groups.set(seg[d], (list = []));
      list.push(pos);
    }
  });
  return out;
}
