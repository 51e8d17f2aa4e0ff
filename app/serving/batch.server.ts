/**
 * Batch recommendations: one CSV of `customer_id,rank,product_id,score,reasons` for every customer
 * (or a segment), through the very `respond` the API uses, so a row equals the API's answer for
 * that customer at the same time. Email placements skip customers without marketing consent.
 * Written to a temporary file and renamed into place: a crashed or repeated run never leaves a half
 * file under the final name.
 */
import fs from "node:fs";
import path from "node:path";
import type { CustomerProfile, Placement } from "../recommend/types";
import { respond } from "./recommend.server";
import type { Snapshot } from "./snapshot.server";

export const BATCH_PLACEMENTS: Placement[] = ["home", "email", "general"];
export const CSV_HEADER = "customer_id,rank,product_id,score,reasons";

/**
 * A customer segment. Text form: conditions separated by commas or semicolons; each is `key=value`
 * with alternatives separated by `|` (or, in the semicolon form, by commas), or a lifetime-value
 * bound `ltv>=500` / `ltv<=2000` (also `lifetime_value>=`, `>`, `<`). Keys: gender, age_group (age),
 * country, segment. Examples: "gender=female,country=AT|CH" and
 * "segment=vip;gender=female;age=26-35,36-45;country=DE;ltv>=500". In the comma form a bare value
 * after a condition is one more alternative of it ("age=26-35,36-45").
 */
export type SegmentFilter = Partial<Record<"gender" | "ageGroup" | "country" | "segment", string[]>> & {
  /** Lifetime value bounds, inclusive (a strict "ltv>500" is stored a hair inside), in the shop's currency. */
  ltvMin?: number;
  ltvMax?: number;
};

type ListKey = "gender" | "ageGroup" | "country" | "segment";
const FILTER_KEYS: Record<string, ListKey> = {
  gender: "gender",
  age_group: "ageGroup",
  agegroup: "ageGroup",
  age: "ageGroup",
  country: "country",
  segment: "segment",
  customer_segment: "segment",
};
const LTV_KEYS = new Set(["ltv", "lifetime_value", "lifetimevalue"]);
const FILTER_HELP =
  'keys: gender, age_group, country, segment, and ltv>=N / ltv<=N (e.g. "gender=female,age_group=26-35,country=AT|CH" or "segment=vip;gender=female;age=26-35,36-45;ltv>=500")';

export function parseSegmentFilter(text: string): SegmentFilter {
  const out: SegmentFilter = {};
  const semicolons = text.includes(";");
  let last: ListKey | null = null;
  for (const part of text.split(semicolons ? ";" : ",").map((s) => s.trim()).filter(Boolean)) {
    const bound = /^([a-z_]+)\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)$/i.exec(part);
    if (bound) {
      if (!LTV_KEYS.has(bound[1].toLowerCase())) throw new Error(`--segment: "${part}": only ltv (lifetime value) takes >= or <=; ${FILTER_HELP}`);
      const n = Number(bound[3]);
      const eps = bound[2].length === 1 ? 1e-9 : 0; // strict bounds as inclusive ones a hair inside
      if (bound[2].startsWith(">")) out.ltvMin = Math.max(out.ltvMin ?? -Infinity, n + eps);
      else out.ltvMax = Math.min(out.ltvMax ?? Infinity, n - eps);
      last = null;
      continue;
    }
    const eq = part.indexOf("=");
    if (eq < 0 && !semicolons && last && /^[\w-]+$/.test(part)) {
      out[last]!.push(part.toLowerCase()); // "age=26-35,36-45": another alternative of the previous key
      continue;
    }
    const key = FILTER_KEYS[part.slice(0, eq).trim().toLowerCase()];
    const values = part
      .slice(eq + 1)
      .split(semicolons ? /[|,]/ : "|")
      .map((v) => v.trim().toLowerCase())
      .filter(Boolean);
    if (eq < 0 || !key || values.length === 0) throw new Error(`--segment: "${part}" is not key=value; ${FILTER_HELP}`);
    out[key] = values;
    last = key;
  }
  return out;
}

export function matchesSegment(p: CustomerProfile | undefined, f: SegmentFilter): boolean {
  for (const key of Object.values(FILTER_KEYS)) {
    const values = f[key];
    if (!values) continue;
    const v = p?.[key];
    if (typeof v !== "string" || !values.includes(v.toLowerCase())) return false;
  }
  if (f.ltvMin !== undefined || f.ltvMax !== undefined) {
    const ltv = p?.lifetimeValue;
    if (typeof ltv !== "number" || !Number.isFinite(ltv)) return false;
    if (f.ltvMin !== undefined && ltv < f.ltvMin) return false;
    if (f.ltvMax !== undefined && ltv > f.ltvMax) return false;
  }
  return true;
}

/** RFC 4180: quote a field when it holds a comma, a quote or a line break. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export interface BatchOptions {
  placement: Placement;
  k: number;
  out: string;
  segment?: SegmentFilter;
  now: number;
  progress?: (done: number, total: number) => void;
}

export interface BatchResult {
  out: string;
  customers: number;
  rows: number;
  skippedNoConsent: number;
  skippedBySegment: number;
  modelVersion: string | null;
  seconds: number;
}

/** One block of customers' CSV rows (customerIds[from, to)), and what was skipped: the unit the batch threads share out. */
export interface BatchBlock {
  text: string;
  customers: number;
  rows: number;
  skippedNoConsent: number;
  skippedBySegment: number;
}

export function checkBatchPlacement(placement: Placement): void {
  if (!BATCH_PLACEMENTS.includes(placement)) {
    throw new Error(`batch placement must be one of ${BATCH_PLACEMENTS.join(", ")} (product and cart lists need a product or cart, not a customer)`);
  }
}

/** The rows of customers [from, to) of the snapshot's sorted customer ids, through the API's `respond`. */
export function batchBlock(snapshot: Snapshot, o: Pick<BatchOptions, "placement" | "k" | "segment" | "now">, from: number, to: number): BatchBlock {
  const w = snapshot.world;
  const ids = w.customerIds;
  let text = "";
  let customers = 0;
  let rows = 0;
  let skippedNoConsent = 0;
  let skippedBySegment = 0;
  for (let j = from; j < Math.min(to, ids.length); j++) {
    const id = ids[j];
    const profile = w.profiles.get(id);
    if (o.segment && !matchesSegment(profile, o.segment)) {
      skippedBySegment++;
      continue;
    }
    if (o.placement === "email" && profile?.marketingConsent !== true) {
      skippedNoConsent++;
      continue;
    }
    const res = respond(snapshot, { shop: snapshot.shop, placement: o.placement, customerId: id, limit: o.k, locale: "en", now: o.now, experiments: false }, "batch");
    customers++;
    res.products.forEach((p, rank) => {
      text += `${csvField(id)},${rank + 1},${csvField(p.id)},${p.score},${csvField(p.reasons.join("|"))}\n`;
      rows++;
    });
  }
  return { text, customers, rows, skippedNoConsent, skippedBySegment };
}

/** Customers per block (progress, and the unit the batch threads take turns on). */
export const BATCH_BLOCK = 512;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Writes `out` from blocks handed over in order (temporary file, renamed into place when complete). */
export class BatchFile {
  private readonly fd: number;
  private readonly tmp: string;
  private buf = CSV_HEADER + "\n";
  constructor(readonly out: string) {
    const dir = path.dirname(path.resolve(out));
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const prefix = `.${path.basename(out)}.`;
    // A run killed half-way (kill -9, power loss) left its temporary file: a half list of customers.
    for (const name of fs.readdirSync(dir)) {
      const pid = name.startsWith(prefix) && name.endsWith(".tmp") ? Number(name.slice(prefix.length, -4)) : NaN;
      if (Number.isInteger(pid) && pid !== process.pid && !processAlive(pid)) fs.rmSync(path.join(dir, name), { force: true });
    }
    this.tmp = path.join(dir, `${prefix}${process.pid}.tmp`);
    // Customer ids: readable by the owner only (the rename keeps the mode).
    this.fd = fs.openSync(this.tmp, "w", 0o600);
  }
  write(text: string): void {
    this.buf += text;
    if (this.buf.length > 1 << 20) {
      fs.writeSync(this.fd, this.buf);
      this.buf = "";
    }
  }
  /** Flushes and renames into place. */
  finish(): void {
    fs.writeSync(this.fd, this.buf);
    fs.closeSync(this.fd);
    fs.renameSync(this.tmp, this.out);
  }
  /** Leaves nothing behind (a failed run). */
  abort(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
    fs.rmSync(this.tmp, { force: true });
  }
}

export function writeBatch(snapshot: Snapshot, o: BatchOptions): BatchResult {
  const started = performance.now();
  checkBatchPlacement(o.placement);
  const ids = snapshot.world.customerIds;
  const file = new BatchFile(o.out);
  const total = { customers: 0, rows: 0, skippedNoConsent: 0, skippedBySegment: 0 };
  try {
    for (let from = 0; from < ids.length; from += BATCH_BLOCK) {
      o.progress?.(from, ids.length);
      const b = batchBlock(snapshot, o, from, from + BATCH_BLOCK);
      file.write(b.text);
      total.customers += b.customers;
      total.rows += b.rows;
      total.skippedNoConsent += b.skippedNoConsent;
      total.skippedBySegment += b.skippedBySegment;
    }
    file.finish();
  } catch (e) {
    file.abort();
    throw e;
  }
  o.progress?.(ids.length, ids.length);
  return { out: path.resolve(o.out), ...total, modelVersion: snapshot.modelVersion, seconds: (performance.now() - started) / 1000 };
}
