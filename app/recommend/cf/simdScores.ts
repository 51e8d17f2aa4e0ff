/**
 * Scores of one customer vector against every product's factors, in WebAssembly SIMD: the serving
 * path's collaborative source scores the whole catalogue per request (50,000 x 64 = 3.2 million
 * multiply-adds), which plain JavaScript does at about 1 multiply-add per nanosecond.
 *
 * Bit-identical to topKForUser (score.ts): the products are formed in float64 (exact for float32
 * inputs) and summed in the same four accumulators in the same order (lane p mod 4), then
 * ((s0 + s1) + s2) + s3, so a list never depends on which path computed it.
 *
 * The module is assembled here from its bytes (about 200; no toolchain, no file): one function
 *   scores(items, user, out, n, f)   out[i] = sum_p user[p] * items[i * f + p]   (f a multiple of 4)
 * Each scorer owns one instance whose memory holds a copy of the item factors, the query and the
 * n float64 scores; `itemFactors` is a view of that copy (the World serves from it, so the factors
 * are in memory once).
 */
import { TopK, topKForUser, type Scored } from "./score";

const FN_SCORES = [
  // locals: 4 x i32 (i, p, row, fb), 4 x v128 (acc01, acc23, u, x)
  0x02, 0x04, 0x7f, 0x04, 0x7b,
  // fb = f * 4; row = items
  0x20, 0x04, 0x41, 0x04, 0x6c, 0x21, 0x08,
  0x20, 0x00, 0x21, 0x07,
  0x02, 0x40, // block (exit of the row loop)
  0x03, 0x40, // loop over rows
  0x20, 0x05, 0x20, 0x03, 0x4e, 0x0d, 0x01, // if i >= n: break
  // acc01 = acc23 = 0
  0xfd, 0x0c, ...new Array(16).fill(0), 0x22, 0x09, 0x21, 0x0a,
  0x41, 0x00, 0x21, 0x06, // p = 0
  0x02, 0x40,
  0x03, 0x40,
  0x20, 0x06, 0x20, 0x08, 0x4e, 0x0d, 0x01, // if p >= fb: break
  // u = load(user + p); x = load(row + p)
  0x20, 0x01, 0x20, 0x06, 0x6a, 0xfd, 0x00, 0x00, 0x00, 0x21, 0x0b,
  0x20, 0x07, 0x20, 0x06, 0x6a, 0xfd, 0x00, 0x00, 0x00, 0x21, 0x0c,
  // acc01 += promote_low(u) * promote_low(x)
  0x20, 0x09,
  0x20, 0x0b, 0xfd, 0x5f, 0x20, 0x0c, 0xfd, 0x5f, 0xfd, 0xf2, 0x01,
  0xfd, 0xf0, 0x01, 0x21, 0x09,
  // acc23 += promote_low(high half of u) * promote_low(high half of x)
  0x20, 0x0a,
  0x20, 0x0b, 0x20, 0x0b, 0xfd, 0x0d, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7, 0xfd, 0x5f,
  0x20, 0x0c, 0x20, 0x0c, 0xfd, 0x0d, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7, 0xfd, 0x5f,
  0xfd, 0xf2, 0x01,
  0xfd, 0xf0, 0x01, 0x21, 0x0a,
  // p += 16
  0x20, 0x06, 0x41, 0x10, 0x6a, 0x21, 0x06,
  0x0c, 0x00,
  0x0b, 0x0b,
  // out[i] = ((acc01[0] + acc01[1]) + acc23[0]) + acc23[1]
  0x20, 0x02, 0x20, 0x05, 0x41, 0x03, 0x74, 0x6a,
  0x20, 0x09, 0xfd, 0x21, 0x00, 0x20, 0x09, 0xfd, 0x21, 0x01, 0xa0,
  0x20, 0x0a, 0xfd, 0x21, 0x00, 0xa0, 0x20, 0x0a, 0xfd, 0x21, 0x01, 0xa0,
  0x39, 0x03, 0x00,
  // i += 1; row += fb
  0x20, 0x05, 0x41, 0x01, 0x6a, 0x21, 0x05,
  0x20, 0x07, 0x20, 0x08, 0x6a, 0x21, 0x07,
  0x0c, 0x00,
  0x0b, 0x0b,
  0x0b,
];

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
const name = (s: string) => [...leb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

function moduleBytes(): Uint8Array<ArrayBuffer> {
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, 0x60, 0x05, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x00]), // type: (i32 x 5) -> ()
    ...section(3, [0x01, 0x00]), // one function of type 0
    ...section(5, [0x01, 0x00, 0x01]), // one memory, at least 1 page
    ...section(7, [0x02, ...name("scores"), 0x00, 0x00, ...name("memory"), 0x02, 0x00]),
    ...section(10, [0x01, ...leb(FN_SCORES.length), ...FN_SCORES]),
  ]);
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is unavailable. */
function simdModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(moduleBytes());
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

export interface FactorScorer {
  /** The item factors this scorer reads (a view of its own copy when it uses WebAssembly). */
  readonly itemFactors: Float32Array;
  /** The k best products for a customer vector, as topKForUser(userVec, itemFactors, f, k). */
  topK(userVec: Float32Array, k: number): Scored[];
}

/** A scorer over these item factors: WebAssembly SIMD when available and f is a multiple of 4, else plain JavaScript. */
export function factorScorer(itemFactors: Float32Array, factors: number): FactorScorer {
  const f = factors;
  const n = Math.floor(itemFactors.length / Math.max(1, f));
  const mod = f > 0 && f % 4 === 0 && n > 0 ? simdModule() : null;
  if (!mod) return { itemFactors, topK: (u, k) => topKForUser(u, itemFactors, f, k) };
  // Layout: items (n f float32) | user (f float32) | out (n float64, 8-aligned).
  const itemsAt = 0;
  const userAt = n * f * 4;
  const outAt = Math.ceil((userAt + f * 4) / 8) * 8;
  const bytes = outAt + n * 8;
  const instance = new WebAssembly.Instance(mod);
  const memory = instance.exports.memory as WebAssembly.Memory;
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
  // The memory never grows again, so these views stay valid.
  const items = new Float32Array(memory.buffer, itemsAt, n * f);
  items.set(itemFactors.subarray(0, n * f));
  const user = new Float32Array(memory.buffer, userAt, f);
  const out = new Float64Array(memory.buffer, outAt, n);
  const scores = instance.exports.scores as (items: number, user: number, out: number, n: number, f: number) => void;
  return {
    itemFactors: items,
    topK(userVec, k) {
      user.set(userVec.subarray(0, f));
      scores(itemsAt, userAt, outAt, n, f);
      const heap = new TopK(k);
      for (let i = 0; i < n; i++) heap.push(i, out[i]);
      return heap.sorted();
    },
  };
}
