/**
 * Vector helpers: L2 normalisation, pooling several images of a product into one product vector,
 * and the weighted concatenation of two visual signals.
 */

export function l2normalise(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const n = Math.sqrt(s);
  if (n === 0) return v;
  const inv = 1 / n;
  for (let i = 0; i < v.length; i++) v[i] *= inv;
  return v;
}

/**
 * The primary image counts twice: it is the packshot the shop chose; additional images are often
 * worn-on-model or detail shots, useful but less typical of the product's look.
 */
export const PRIMARY_IMAGE_WEIGHT = 2;

/**
 * One product vector from its images' (L2-normalised) vectors: the weighted mean, L2-normalised.
 * `positions[i]` is the image's position (0 = primary). Returns null when there is no vector.
 */
export function poolProductVector(vectors: Float32Array[], positions: number[]): Float32Array | null {
  if (vectors.length === 0) return null;
  const out = new Float32Array(vectors[0].length);
  vectors.forEach((v, i) => {
    const w = positions[i] === 0 ? PRIMARY_IMAGE_WEIGHT : 1;
    for (let j = 0; j < v.length; j++) out[j] += w * v[j];
  });
  return l2normalise(out);
}

/**
 * Concatenates L2-normalised parts scaled by sqrt(weight): with weights summing to 1 the cosine of
 * two concatenations is the weighted sum of the parts' cosines. A missing part is zeros (it then
 * contributes nothing, and the vector is renormalised).
 */
export function concatWeighted(parts: (Float32Array | null)[], dims: number[], weights: number[]): Float32Array {
  const out = new Float32Array(dims.reduce((a, b) => a + b, 0));
  let o = 0;
  parts.forEach((p, i) => {
    if (p) {
      const s = Math.sqrt(weights[i]);
      for (let j = 0; j < dims[i]; j++) out[o + j] = p[j] * s;
    }
    o += dims[i];
  });
  return l2normalise(out);
}
