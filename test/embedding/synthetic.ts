/**
 * Synthetic product vectors for index tests and the index benchmark: kinds of products (cluster
 * centres) with variation inside a kind along a few latent directions, plus a little isotropic
 * noise. Like real image embeddings, most of the energy lies in a low-dimensional subspace.
 */
import { l2normalise } from "../../app/embedding/pool";

export function syntheticVectors(n: number, dim: number, opts: { clusters?: number; latent?: number; noise?: number; seed?: number } = {}): Float32Array[] {
  const clusters = opts.clusters ?? 50, latent = opts.latent ?? 48, noise = opts.noise ?? 0.05;
  let s = (opts.seed ?? 7) >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const centres = Array.from({ length: clusters }, () => l2normalise(Float32Array.from({ length: dim }, gauss)));
  // Latent directions with decaying strength (a spectrum like real embeddings').
  const dirs = Array.from({ length: latent }, (_, k) => {
    const d = l2normalise(Float32Array.from({ length: dim }, gauss));
    const strength = 0.9 / Math.sqrt(1 + k);
    return d.map((x) => x * strength);
  });
  const out: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    const v = Float32Array.from(centres[i % clusters]);
    for (const d of dirs) {
      const z = gauss() * 0.5;
      for (let j = 0; j < dim; j++) v[j] += z * d[j];
    }
    const e = noise / Math.sqrt(dim) * 3;
    for (let j = 0; j < dim; j++) v[j] += e * gauss();
    out.push(l2normalise(v));
  }
  return out;
}
