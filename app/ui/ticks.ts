/**
 * "Nice" axis ticks (pure): steps of 1, 2, 2.5 or 5 times a power of ten, from 0 to the first
 * step at or above the largest value, about `count` of them; and the decimals a percent label of
 * that step needs.
 */
export function niceTicks(max: number, count = 5): { ticks: number[]; max: number; step: number } {
  if (!(max > 0) || !Number.isFinite(max)) return { ticks: [0, 1], max: 1, step: 1 };
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
  const n = Math.max(1, Math.ceil(max / step - 1e-9));
  const ticks = Array.from({ length: n + 1 }, (_, i) => Number((i * step).toPrecision(12)));
  return { ticks, max: ticks[ticks.length - 1], step };
}

/** Decimals a percent label needs so that every tick of `step` (a fraction) reads differently. */
export function percentDigits(step: number): number {
  let digits = 0;
  while (digits < 4 && Math.abs(Math.round(step * 100 * 10 ** digits) - step * 100 * 10 ** digits) > 1e-6) digits++;
  return digits;
}
