/**
 * The statistics of online experiments: rates get a two-proportion z-test and Wilson intervals;
 * revenue (heavy-tailed, many zeros) gets Welch's t-test and a seeded bootstrap interval; a
 * minimum sample size per arm guards against calling a winner on noise.
 * Special functions are implemented here (no dependency): erfc (Numerical Recipes' Chebyshev fit,
 * |error| < 1.2e-7), the normal quantile (Acklam, refined by one Halley step), and the regularised
 * incomplete beta function (Lentz continued fraction) for Student's t.
 */
import { mulberry32 } from "../random";

export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** Inverse of the standard normal CDF. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`normalQuantile needs 0 < p < 1 (got ${p})`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  let x: number;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - lo) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

function logGamma(x: number): number {
  // Lanczos coefficients as published (Numerical Recipes gammln); their last digits round to the nearest double.
  // eslint-disable-next-line no-loss-of-precision
  const g = [76.18009172947146, -86.50532032941677, 24.01409824083091, -1.231739572450155, 0.1208650973866179e-2, -0.5395239384953e-5];
  let y = x;
  const tmp = x + 5.5 - (x + 0.5) * Math.log(x + 5.5);
  let ser = 1.000000000190015;
  for (const gj of g) ser += gj / ++y;
  // eslint-disable-next-line no-loss-of-precision
  return -tmp + Math.log((2.5066282746310005 * ser) / x);
}

function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-14) break;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(a, b, x)) / a : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

export function studentTCdf(t: number, df: number): number {
  const x = df / (df + t * t);
  const tail = 0.5 * incompleteBeta(x, df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

export function studentTQuantile(p: number, df: number): number {
  let lo = -1e3;
  let hi = 1e3;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export interface TestResult {
  /** B minus A (rates: absolute difference; revenue: difference of means). */
  difference: number;
  ci: [number, number];
  statistic: number;
  pValue: number;
}

/** Two-sided two-proportion z-test (pooled standard error), with an unpooled Wald interval of the difference. */
export function twoProportionTest(successA: number, trialsA: number, successB: number, trialsB: number, confidence = 0.95): TestResult {
  if (trialsA <= 0 || trialsB <= 0) return { difference: 0, ci: [0, 0], statistic: 0, pValue: 1 };
  const pa = successA / trialsA;
  const pb = successB / trialsB;
  const pooled = (successA + successB) / (trialsA + trialsB);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / trialsA + 1 / trialsB));
  const z = se > 0 ? (pb - pa) / se : 0;
  const seDiff = Math.sqrt((pa * (1 - pa)) / trialsA + (pb * (1 - pb)) / trialsB);
  const q = normalQuantile(1 - (1 - confidence) / 2);
  return { difference: pb - pa, ci: [pb - pa - q * seDiff, pb - pa + q * seDiff], statistic: z, pValue: se > 0 ? 2 * (1 - normalCdf(Math.abs(z))) : 1 };
}

/** Wilson score interval of a proportion. */
export function wilsonInterval(successes: number, trials: number, confidence = 0.95): [number, number] {
  if (trials <= 0) return [0, 0];
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = successes / trials;
  const denom = 1 + (z * z) / trials;
  const centre = (p + (z * z) / (2 * trials)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + (z * z) / (4 * trials * trials))) / denom;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

export function meanAndVariance(xs: ArrayLike<number>): { mean: number; variance: number; n: number } {
  const n = xs.length;
  if (n === 0) return { mean: 0, variance: 0, n };
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < n; i++) {
    const d = xs[i] - mean;
    mean += d / (i + 1);
    m2 += d * (xs[i] - mean);
  }
  return { mean, variance: n > 1 ? m2 / (n - 1) : 0, n };
}

/** Welch's unequal-variance t-test of B's mean minus A's. */
export function welchTest(a: ArrayLike<number>, b: ArrayLike<number>, confidence = 0.95): TestResult & { df: number } {
  const A = meanAndVariance(a);
  const B = meanAndVariance(b);
  if (A.n < 2 || B.n < 2) return { difference: B.mean - A.mean, ci: [-Infinity, Infinity], statistic: 0, pValue: 1, df: 0 };
  const va = A.variance / A.n;
  const vb = B.variance / B.n;
  const se = Math.sqrt(va + vb);
  const diff = B.mean - A.mean;
  if (se === 0) return { difference: diff, ci: [diff, diff], statistic: 0, pValue: diff === 0 ? 1 : 0, df: A.n + B.n - 2 };
  const df = (va + vb) ** 2 / (va ** 2 / (A.n - 1) + vb ** 2 / (B.n - 1));
  const t = diff / se;
  const q = studentTQuantile(1 - (1 - confidence) / 2, df);
  return { difference: diff, ci: [diff - q * se, diff + q * se], statistic: t, pValue: 2 * (1 - studentTCdf(Math.abs(t), df)), df };
}

/** Percentile bootstrap interval of mean(B) - mean(A). */
export function bootstrapDifference(a: ArrayLike<number>, b: ArrayLike<number>, iterations = 2000, seed = 1, confidence = 0.95): [number, number] {
  if (a.length === 0 || b.length === 0) return [0, 0];
  const rnd = mulberry32(seed);
  const resampledMean = (xs: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < xs.length; i++) s += xs[Math.floor(rnd() * xs.length)];
    return s / xs.length;
  };
  const diffs = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) diffs[i] = resampledMean(b) - resampledMean(a);
  diffs.sort();
  const lo = diffs[Math.floor(((1 - confidence) / 2) * (iterations - 1))];
  const hi = diffs[Math.ceil((1 - (1 - confidence) / 2) * (iterations - 1))];
  return [lo, hi];
}

/**
 * Shoppers (or impressions) needed per arm to detect an absolute lift `mde` over a baseline rate
 * with a two-sided test at `alpha` and the given power.
 */
export function minimumSampleSize(baselineRate: number, mde: number, alpha = 0.05, power = 0.8): number {
  const p1 = baselineRate;
  const p2 = Math.min(1 - 1e-9, baselineRate + mde);
  const pBar = (p1 + p2) / 2;
  const za = normalQuantile(1 - alpha / 2);
  const zb = normalQuantile(power);
  const n = (za * Math.sqrt(2 * pBar * (1 - pBar)) + zb * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / (p2 - p1) ** 2;
  return Math.ceil(n);
}
