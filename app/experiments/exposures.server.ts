/**
 * First exposures of shoppers to experiments, off the request path: the serving path adds to an
 * in-memory buffer (a Set lookup for shoppers already recorded by this process), and the buffer is
 * written in one transaction at most FLUSH_MS later (INSERT ... ON CONFLICT DO NOTHING keeps the
 * first variant and time, so several processes and repeated flushes agree). A crash loses at most
 * FLUSH_MS of first exposures; those shoppers are recorded again at their next request (assignment
 * is a pure hash, so their variant does not change).
 */
import { recordExposures } from "../models/experiment.server";

export const FLUSH_MS = 1000;
const MAX_BUFFER = 5000;
const MAX_SEEN = 200_000;

interface Pending {
  shop: string;
  experimentId: string;
  shopper: string;
  variant: string;
  at: Date;
}

let pending: Pending[] = [];
let seen = new Set<string>();
let timer: NodeJS.Timeout | null = null;
let failures = 0;

export function bufferExposure(shop: string, experimentId: string, shopper: string, variant: string, at: number): void {
  const key = `${shop}\u0000${experimentId}\u0000${shopper}`;
  if (seen.has(key)) return;
  if (seen.size >= MAX_SEEN) seen = new Set(); // forget, do not grow: a re-insert is a no-op in the database
  seen.add(key);
  pending.push({ shop, experimentId, shopper, variant, at: new Date(at) });
  if (pending.length >= MAX_BUFFER) flushExposures();
  else if (!timer) {
    timer = setTimeout(flushExposures, FLUSH_MS);
    timer.unref();
  }
}

/** Writes the buffered exposures now (tests, shutdown). Returns how many were written. */
export function flushExposures(): number {
  if (timer) clearTimeout(timer);
  timer = null;
  const rows = pending;
  pending = [];
  try {
    recordExposures(rows);
    failures = 0;
  } catch (e) {
    // Keep them for the next flush (a locked database, say), three tries; then the shoppers'
    // next requests record them again.
    failures++;
    console.error(`[experiments] writing ${rows.length} exposures failed (try ${failures}): ${(e as Error).message}`);
    if (failures < 3) {
      pending = rows.concat(pending);
      timer = setTimeout(flushExposures, FLUSH_MS * 5);
      timer.unref();
    } else {
      failures = 0;
      for (const r of rows) seen.delete(`${r.shop}\u0000${r.experimentId}\u0000${r.shopper}`);
    }
    return 0;
  }
  return rows.length;
}

/** Tests: forget what this process has recorded (a fresh database). */
export function resetExposureBuffer(): void {
  if (timer) clearTimeout(timer);
  timer = null;
  pending = [];
  seen = new Set();
}
