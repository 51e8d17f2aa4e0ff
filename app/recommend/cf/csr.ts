/**
 * Compressed sparse rows in typed arrays: the storage of every interaction matrix in the core.
 * Rows are customers (or products, for the transpose); column indices are sorted within a row
 * and unique (duplicates are summed when built from triplets).
 */
export interface CsrMatrix {
  rows: number;
  cols: number;
  indptr: Int32Array; // length rows + 1
  indices: Int32Array; // length nnz, sorted within each row
  data: Float32Array; // length nnz
}

export function nnz(m: CsrMatrix): number {
  return m.indptr[m.rows];
}

/**
 * Builds a CSR matrix from (row, col, value) triplets in O(nnz + rows + cols): a stable counting
 * sort by column, then by row, so columns come out sorted within each row; duplicate (row, col)
 * pairs are summed; entries whose sum is <= `dropAtOrBelow` are left out.
 */
export function csrFromTriplets(
  rows: number,
  cols: number,
  rowIdx: Int32Array,
  colIdx: Int32Array,
  values: Float32Array | Float64Array,
  count = rowIdx.length,
  dropAtOrBelow = -Infinity,
): CsrMatrix {
  // Pass 1: order triplets by column (stable).
  const byCol = countingOrder(colIdx, cols, count, null);
  // Pass 2: order that permutation by row (stable): rows, then columns ascending.
  const order = countingOrder(rowIdx, rows, count, byCol);
  const indptr = new Int32Array(rows + 1);
  const indices = new Int32Array(count);
  const sums = new Float64Array(count);
  let out = 0;
  let k = 0;
  for (let r = 0; r < rows; r++) {
    indptr[r] = out;
    const rowStart = out;
    while (k < count && rowIdx[order[k]] === r) {
      const t = order[k++];
      const c = colIdx[t];
      if (out > rowStart && indices[out - 1] === c) sums[out - 1] += values[t];
      else {
        indices[out] = c;
        sums[out++] = values[t];
      }
    }
    // Drop non-positive sums in place (e.g. a purchase cancelled out by its return).
    let w = rowStart;
    for (let j = rowStart; j < out; j++) {
      if (sums[j] > dropAtOrBelow) {
        indices[w] = indices[j];
        sums[w++] = sums[j];
      }
    }
    out = w;
  }
  indptr[rows] = out;
  return { rows, cols, indptr, indices: indices.slice(0, out), data: Float32Array.from(sums.subarray(0, out)) };
}

/** A stable counting-sort permutation of `keys` (optionally of a prior permutation `within`). */
function countingOrder(keys: Int32Array, nKeys: number, count: number, within: Int32Array | null): Int32Array {
  const starts = new Int32Array(nKeys + 1);
  for (let t = 0; t < count; t++) {
    const key = keys[t];
    if (key < 0 || key >= nKeys) throw new RangeError(`csrFromTriplets: index ${key} at triplet ${t} is outside 0..${nKeys - 1}`);
    starts[key + 1]++;
  }
  for (let i = 0; i < nKeys; i++) starts[i + 1] += starts[i];
  const order = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    const t = within ? within[k] : k;
    order[starts[keys[t]]++] = t;
  }
  return order;
}

/** The transpose (CSR of the columns), with sorted indices, in O(nnz). */
export function transpose(m: CsrMatrix): CsrMatrix {
  const n = nnz(m);
  const indptr = new Int32Array(m.cols + 1);
  for (let k = 0; k < n; k++) indptr[m.indices[k] + 1]++;
  for (let c = 0; c < m.cols; c++) indptr[c + 1] += indptr[c];
  const next = indptr.slice(0, m.cols);
  const indices = new Int32Array(n);
  const data = new Float32Array(n);
  for (let r = 0; r < m.rows; r++) {
    for (let k = m.indptr[r]; k < m.indptr[r + 1]; k++) {
      const dst = next[m.indices[k]]++;
      indices[dst] = r;
      data[dst] = m.data[k];
    }
  }
  return { rows: m.cols, cols: m.rows, indptr, indices, data };
}

/** The entries of one row as (column, value) pairs. */
export function rowEntries(m: CsrMatrix, r: number): { item: number; confidence: number }[] {
  const out: { item: number; confidence: number }[] = [];
  for (let k = m.indptr[r]; k < m.indptr[r + 1]; k++) out.push({ item: m.indices[k], confidence: m.data[k] });
  return out;
}

/** The value at (r, c), 0 when absent (binary search within the row). */
export function valueAt(m: CsrMatrix, r: number, c: number): number {
  let lo = m.indptr[r];
  let hi = m.indptr[r + 1] - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = m.indices[mid];
    if (v === c) return m.data[mid];
    if (v < c) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}
