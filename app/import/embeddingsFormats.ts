/**
 * Precomputed product embeddings in the three formats of SEED.md, read row by row:
 * - NumPy: product_embeddings.npy (float32/float64, shape [n, d]) + product_ids.txt (one id a line)
 * - CSV: product_embeddings.csv with product_id, emb_0 .. emb_{d-1} (or one embedding_vector
 *   column holding "[0.1, 0.2, ...]"), optionally embedding_model
 * - HDF5: product_embeddings.h5 / .hdf5 with datasets `embeddings` [n, d] and `product_ids`, and
 *   optionally an `embedding_model` attribute (on the file or the dataset)
 * The model id is that embedding_model, else `imported-<d>d`.
 */
import fs from "node:fs";
import path from "node:path";
import { readCsvSync, detectEncoding } from "./csv";
import { normaliseHeader } from "./validate";
import type { ImportProblem } from "./problems";

export interface EmbeddingRow {
  productId: string;
  vector: Float32Array;
  /** Where the row came from, for messages. */
  file: string;
  line: number;
}

export interface EmbeddingSource {
  kind: "npy" | "csv" | "h5";
  /** The file name vector problems are reported against. */
  file: string;
  /** Where the product ids are, when not in `file` (product_ids.txt for .npy). */
  idFile?: string;
  modelId: string;
  dim: number;
  count: number;
  /** Streams the rows in batches (synchronously); structural problems are reported through onProblem. */
  read(batchSize: number, onBatch: (rows: EmbeddingRow[]) => void, onProblem: (p: ImportProblem) => void): void;
  close(): void;
}

export const EMBEDDING_FILES = ["product_embeddings.npy", "product_embeddings.csv", "embeddings.csv", "product_embeddings.h5", "product_embeddings.hdf5"];

/** Opens the embeddings of a folder, or returns undefined when there are none. */
export async function openEmbeddings(dir: string, problems: (p: ImportProblem) => void): Promise<EmbeddingSource | undefined> {
  const has = (n: string) => fs.existsSync(path.join(dir, n));
  if (has("product_embeddings.npy")) return openNpy(dir, problems);
  if (has("product_embeddings.csv")) return openCsv(path.join(dir, "product_embeddings.csv"), problems);
  if (has("embeddings.csv")) return openCsv(path.join(dir, "embeddings.csv"), problems);
  for (const n of ["product_embeddings.h5", "product_embeddings.hdf5"]) if (has(n)) return openH5(path.join(dir, n), problems);
  return undefined;
}

export function defaultModelId(dim: number): string {
  return `imported-${dim}d`;
}

// ---------------------------------------------------------------------------------------------
// NumPy .npy (format versions 1-3, C order, little- or big-endian float32/float64)

export interface NpyHeader {
  dtype: "f4" | "f8";
  littleEndian: boolean;
  shape: number[];
  dataOffset: number;
}

export function parseNpyHeader(head: Buffer): NpyHeader | string {
  if (head.length < 10 || head[0] !== 0x93 || head.toString("latin1", 1, 6) !== "NUMPY") return "not a NumPy .npy file (no \\x93NUMPY magic); save it with numpy.save";
  const major = head[6];
  const lenBytes = major === 1 ? 2 : 4;
  const headerLen = major === 1 ? head.readUInt16LE(8) : head.readUInt32LE(8);
  const start = 8 + lenBytes;
  if (head.length < start + headerLen) return "the .npy header is truncated; save the file again";
  const dict = head.toString("latin1", start, start + headerLen);
  const descr = /'descr'\s*:\s*'([<>|=]?)([a-z])(\d+)'/.exec(dict);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(dict);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(dict);
  if (!descr || !fortran || !shape) return `cannot read the .npy header ${JSON.stringify(dict.trim())}; save it with numpy.save`;
  const kind = descr[2] + descr[3];
  if (kind !== "f4" && kind !== "f8") return `the array has dtype ${descr[1]}${kind}; save it as float32 (array.astype("float32"))`;
  if (fortran[1] === "True") return "the array is in Fortran order; save numpy.ascontiguousarray(array)";
  const dims = shape[1].split(",").map((s) => s.trim()).filter(Boolean).map(Number);
  if (dims.length !== 2) return `the array has shape (${dims.join(", ")}); it must be 2-dimensional (products x dimensions)`;
  return { dtype: kind, littleEndian: descr[1] !== ">", shape: dims, dataOffset: start + headerLen };
}

function openNpy(dir: string, report: (p: ImportProblem) => void): EmbeddingSource | undefined {
  const file = path.join(dir, "product_embeddings.npy");
  const idsFile = path.join(dir, "product_ids.txt");
  const fd = fs.openSync(file, "r");
  const head = Buffer.alloc(Math.min(fs.fstatSync(fd).size, 65536 + 12));
  fs.readSync(fd, head, 0, head.length, 0);
  const h = parseNpyHeader(head);
  if (typeof h === "string") {
    report({ file: "product_embeddings.npy", line: 1, message: h });
    fs.closeSync(fd);
    return undefined;
  }
  if (!fs.existsSync(idsFile)) {
    report({ file: "product_ids.txt", line: 1, message: "missing: product_embeddings.npy needs product_ids.txt beside it (one product_id per line, in the order of the array's rows)" });
    fs.closeSync(fd);
    return undefined;
  }
  const [n, dim] = h.shape;
  const item = h.dtype === "f4" ? 4 : 8;
  const expected = h.dataOffset + n * dim * item;
  const size = fs.fstatSync(fd).size;
  if (size < expected) {
    report({ file: "product_embeddings.npy", line: Math.floor((size - h.dataOffset) / (dim * item)) + 1, message: `the file ends early (${size} of ${expected} bytes; truncated copy?); write it again` });
    fs.closeSync(fd);
    return undefined;
  }
  const ids = readIdLines(idsFile);
  if (ids.length !== n) {
    report({ file: "product_ids.txt", line: Math.min(ids.length, n) + 1, message: `has ${ids.length} ids but product_embeddings.npy has ${n} rows; write one product_id per row, in the array's order` });
  }
  return {
    kind: "npy",
    file: "product_embeddings.npy",
    idFile: "product_ids.txt",
    modelId: defaultModelId(dim),
    dim,
    count: n,
    read(batchSize, onBatch) {
      const rowBytes = dim * item;
      const buf = Buffer.alloc(rowBytes * batchSize);
      for (let start = 0; start < Math.min(n, ids.length); start += batchSize) {
        const m = Math.min(batchSize, n - start, ids.length - start);
        fs.readSync(fd, buf, 0, m * rowBytes, h.dataOffset + start * rowBytes);
        const dv = new DataView(buf.buffer, buf.byteOffset, m * rowBytes);
        const rows: EmbeddingRow[] = [];
        for (let r = 0; r < m; r++) {
          const v = new Float32Array(dim);
          for (let j = 0; j < dim; j++) {
            const off = r * rowBytes + j * item;
            v[j] = item === 4 ? dv.getFloat32(off, h.littleEndian) : dv.getFloat64(off, h.littleEndian);
          }
          rows.push({ productId: ids[start + r], vector: v, file: "product_embeddings.npy", line: start + r + 1 });
        }
        onBatch(rows);
      }
    },
    close: () => fs.closeSync(fd),
  };
}

function readIdLines(file: string): string[] {
  const { encoding } = detectEncoding(file);
  const text = new TextDecoder(encoding).decode(fs.readFileSync(file));
  const lines = text.split(/\r?\n/).map((s) => s.trim());
  while (lines.length && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Writes a float32 .npy file (tests, fixtures, `facet convert`). */
export function writeNpy(file: string, rows: Float32Array[], dim: number): void {
  let dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows.length}, ${dim}), }`;
  const total = 10 + dict.length + 1;
  dict = dict.padEnd(dict.length + ((64 - (total % 64)) % 64), " ") + "\n";
  const head = Buffer.alloc(10);
  head.write("\x93NUMPY", 0, "latin1");
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(dict.length, 8);
  const data = Buffer.alloc(rows.length * dim * 4);
  rows.forEach((r, i) => Buffer.from(r.buffer, r.byteOffset, dim * 4).copy(data, i * dim * 4));
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(dict, "latin1"), data]));
}

// ---------------------------------------------------------------------------------------------
// CSV: product_id, emb_0..emb_{d-1} [, embedding_model]

function openCsv(file: string, report: (p: ImportProblem) => void): EmbeddingSource | undefined {
  const name = path.basename(file);
  let header: string[] | undefined;
  readCsvSync(file, (batch) => {
    if (!header && batch.records.length) header = batch.records[0].fields.map(normaliseHeader);
  }, { chunkSize: 64 * 1024 });
  if (!header) {
    report({ file: name, line: 1, message: "the file is empty; write a header product_id,emb_0,emb_1,... and one row per product" });
    return undefined;
  }
  const idAt = header.indexOf("product_id");
  const modelAt = header.indexOf("embedding_model");
  const vectorAt = header.indexOf("embedding_vector");
  const embAt: number[] = [];
  for (let j = 0; header.includes(`emb_${j}`); j++) embAt.push(header.indexOf(`emb_${j}`));
  if (idAt === -1) report({ file: name, line: 1, column: "product_id", message: "required column is missing; add it" });
  if (embAt.length === 0 && vectorAt === -1) report({ file: name, line: 1, column: "emb_0", message: "no embedding columns; name them emb_0, emb_1, ... (or one embedding_vector column)" });
  const extraEmb = header.filter((hd) => /^emb_\d+$/.test(hd)).length;
  if (extraEmb !== embAt.length) report({ file: name, line: 1, column: `emb_${embAt.length}`, message: `the emb_ columns skip emb_${embAt.length}; number them emb_0 .. emb_${extraEmb - 1} without gaps` });
  if (idAt === -1 || (embAt.length === 0 && vectorAt === -1)) return undefined;

  // The dimension: the emb_ columns, or the first row's embedding_vector.
  let dim = embAt.length;
  let modelId: string | undefined;
  let count = 0;
  let headerSkipped = false;
  readCsvSync(file, (batch) => {
    for (const rec of batch.records) {
      if (!headerSkipped) {
        headerSkipped = true;
        continue;
      }
      count++;
      if (count === 1) {
        if (modelAt !== -1) modelId = rec.fields[modelAt]?.trim() || undefined;
        if (!dim && vectorAt !== -1) dim = parseVectorText(rec.fields[vectorAt] ?? "").length;
      }
    }
  });
  const source: EmbeddingSource = {
    kind: "csv",
    file: name,
    modelId: modelId ?? defaultModelId(dim),
    dim,
    count,
    read(batchSize, onBatch, onProblem) {
      let first = true;
      let rows: EmbeddingRow[] = [];
      readCsvSync(file, (batch) => {
        for (const rec of batch.records) {
          if (first) {
            first = false;
            continue;
          }
          if (rec.fields.length !== header!.length) {
            onProblem({ file: name, line: rec.line, message: `the row has ${rec.fields.length} values but the header has ${header!.length} columns; complete the line` });
            continue;
          }
          const rowModel = modelAt === -1 ? undefined : rec.fields[modelAt].trim() || undefined;
          if ((rowModel ?? source.modelId) !== source.modelId && modelAt !== -1) {
            onProblem({ file: name, line: rec.line, column: "embedding_model", message: `${JSON.stringify(rowModel ?? "")} differs from ${JSON.stringify(source.modelId)} on the first row; import one model per file` });
            continue;
          }
          const vector = vectorAt !== -1 && embAt.length === 0 ? Float32Array.from(parseVectorText(rec.fields[vectorAt])) : csvVector(rec.fields, embAt);
          rows.push({ productId: rec.fields[idAt].trim(), vector, file: name, line: rec.line });
          if (rows.length >= batchSize) {
            onBatch(rows);
            rows = [];
          }
        }
      });
      if (rows.length) onBatch(rows);
    },
    close: () => undefined,
  };
  return source;
}

function csvVector(fields: string[], at: number[]): Float32Array {
  const v = new Float32Array(at.length);
  for (let j = 0; j < at.length; j++) {
    const s = fields[at[j]].trim();
    v[j] = s === "" || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|infinity)$/i.test(s) ? NaN : Number(s.replace(/^([+-]?)inf$/i, "$1Infinity"));
  }
  return v;
}

function parseVectorText(text: string): number[] {
  return text.replace(/^\s*\[|\]\s*$/g, "").split(/[\s,;]+/).filter(Boolean).map((s) => (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) ? Number(s) : NaN));
}

// ---------------------------------------------------------------------------------------------
// HDF5 through h5wasm (a WebAssembly build of the HDF5 library: no native install)

type H5File = { get(name: string): unknown; keys(): string[]; attrs: Record<string, { value: unknown }>; close(): void };
type H5Dataset = { shape: number[]; dtype: string; value: unknown; attrs: Record<string, { value: unknown }>; slice(ranges: number[][]): unknown };

async function openH5(file: string, report: (p: ImportProblem) => void): Promise<EmbeddingSource | undefined> {
  const name = path.basename(file);
  if (!hasHdf5Signature(file)) {
    report({ file: name, line: 1, message: "cannot open as HDF5 (no HDF5 signature); write it with h5py or h5wasm" });
    return undefined;
  }
  const h5wasm = (await import("h5wasm/node")).default;
  await h5wasm.ready;
  let f: H5File;
  let keys: string[];
  try {
    f = new h5wasm.File(path.resolve(file), "r") as unknown as H5File;
    keys = f.keys();
  } catch (e) {
    report({ file: name, line: 1, message: `cannot open as HDF5 (${(e as Error).message}); write it with h5py or h5wasm` });
    return undefined;
  }
  const dsName = ["embeddings", "embedding", "vectors", "embedding_vector"].find((k) => keys.includes(k));
  const idName = ["product_ids", "product_id", "ids"].find((k) => keys.includes(k));
  if (!dsName || !idName) {
    report({ file: name, line: 1, column: dsName ? "product_ids" : "embeddings", message: `the file has datasets ${JSON.stringify(keys)}; it needs "embeddings" (products x dimensions) and "product_ids"` });
    f.close();
    return undefined;
  }
  const ds = f.get(dsName) as H5Dataset;
  if (ds.shape.length !== 2) {
    report({ file: name, line: 1, column: dsName, message: `has shape [${ds.shape.join(", ")}]; it must be 2-dimensional (products x dimensions)` });
    f.close();
    return undefined;
  }
  const [n, dim] = ds.shape;
  const rawIds = (f.get(idName) as H5Dataset).value as ArrayLike<unknown>;
  const ids = Array.from(rawIds, (x) => (x instanceof Uint8Array ? Buffer.from(x).toString("utf8") : String(x)).trim());
  if (ids.length !== n) report({ file: name, line: Math.min(ids.length, n) + 1, column: idName, message: `has ${ids.length} ids but ${dsName} has ${n} rows; give one id per row` });
  const model = (f.attrs["embedding_model"]?.value ?? ds.attrs["embedding_model"]?.value) as unknown;
  return {
    kind: "h5",
    file: name,
    modelId: typeof model === "string" && model.trim() ? model.trim() : defaultModelId(dim),
    dim,
    count: n,
    read(batchSize, onBatch) {
      for (let start = 0; start < Math.min(n, ids.length); start += batchSize) {
        const end = Math.min(n, ids.length, start + batchSize);
        const flat = ds.slice([[start, end], []]) as ArrayLike<number>;
        const rows: EmbeddingRow[] = [];
        for (let r = 0; r < end - start; r++) {
          const v = new Float32Array(dim);
          for (let j = 0; j < dim; j++) v[j] = Number(flat[r * dim + j]);
          rows.push({ productId: ids[start + r], vector: v, file: name, line: start + r + 1 });
        }
        onBatch(rows);
      }
    },
    close: () => f.close(),
  };
}

/** The HDF5 superblock signature, at offset 0 or 512 * 2^k (files with a user block). */
function hasHdf5Signature(file: string): boolean {
  const sig = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
  const fd = fs.openSync(file, "r");
  try {
    const size = fs.fstatSync(fd).size;
    const buf = Buffer.alloc(8);
    for (let off = 0; off + 8 <= size; off = off === 0 ? 512 : off * 2) {
      fs.readSync(fd, buf, 0, 8, off);
      if (buf.equals(sig)) return true;
      if (off > 1 << 20) break;
    }
    return false;
  } finally {
    fs.closeSync(fd);
  }
}

/** What is wrong with one vector, or undefined. */
export function vectorProblem(v: Float32Array, dim: number): string | undefined {
  if (v.length !== dim) return `has ${v.length} dimensions but the others have ${dim}; every vector must have the same length`;
  let norm = 0;
  for (let j = 0; j < v.length; j++) {
    if (!Number.isFinite(v[j])) return `value ${j} (emb_${j}) is ${Number.isNaN(v[j]) ? "NaN or not a number" : "infinite"}; recompute the embedding or remove the row`;
    norm += v[j] * v[j];
  }
  if (norm === 0) return "the vector is all zeros (no direction to compare); recompute the embedding or remove the row";
  return undefined;
}
