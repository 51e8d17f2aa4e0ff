/**
 * An image embedding model in ONNX, run with onnxruntime-node. Everything that differs between
 * exports is configuration: input/output names, layout (NHWC from tf2onnx/TFLite, NCHW from
 * PyTorch), input size, and input range ("0..255", "-1..1" for Keras MobileNetV2, "imagenet" for
 * PyTorch). Unset values are read from the graph where it says them (names, layout, size); the
 * model is checked with one white image at load, so a model that does not fit fails at once with
 * the names and shapes it has, not in the middle of a batch.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import * as ort from "onnxruntime-node";
import { INPUT_RANGES, LAYOUTS, toTensor, type InputRange, type Layout, type TensorSpec } from "./preprocess";
import { l2normalise } from "./pool";

export interface ImageModelConfig {
  path: string;
  /** Stable id under which vectors are stored; default `<basename>-<sha256 prefix>`. */
  id?: string;
  inputName?: string;
  outputName?: string;
  layout?: Layout;
  size?: number;
  range?: InputRange;
  /** onnxruntime intra-op threads; default: all cores. */
  threads?: number;
  /**
   * Let onnxruntime's idle threads spin (busy-wait) for work. Off by default: in the pipeline the
   * spinning threads would take the cores that sharp needs to decode the next batch.
   */
  spinning?: boolean;
  /** Run the session on a worker thread (default true; false runs it on the calling thread). */
  worker?: boolean;
}

export class ModelMismatchError extends Error {}

export interface ImageModel {
  id: string;
  path: string;
  inputName: string;
  outputName: string;
  spec: TensorSpec;
  dim: number;
  /** Notes on values that were inferred rather than configured (logged once by the caller). */
  notes: string[];
  /** Runs `n` images laid out in `batch`; returns one L2-normalised vector per image. */
  embed(batch: Float32Array, n: number): Promise<Float32Array[]>;
  close(): Promise<void>;
}

/** `<basename>-<first 12 hex of sha256>`: a retrained file under the same name gets a new id. */
export function modelIdFor(file: string): string {
  const hash = crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex").slice(0, 12);
  return `${path.basename(file).replace(/\.onnx$/i, "").replace(/[^A-Za-z0-9._-]+/g, "_")}-${hash}`;
}

/** A JSON file beside the model (`<model>.onnx.json`) may carry its config: the merchant ships both. */
export function readSidecarConfig(file: string): Partial<ImageModelConfig> {
  const side = `${file}.json`;
  if (!fs.existsSync(side)) return {};
  try {
    return validateConfig(JSON.parse(fs.readFileSync(side, "utf8")), side);
  } catch (e) {
    throw new ModelMismatchError(`${side}: ${(e as Error).message}`);
  }
}

/** Checks a partial config (from settings, a sidecar file or flags); `where` names its source in errors. */
export function validateConfig(raw: unknown, where: string): Partial<ImageModelConfig> {
  if (raw === null || typeof raw !== "object") throw new ModelMismatchError(`${where}: the image model config must be a JSON object`);
  const c = raw as Record<string, unknown>;
  const out: Partial<ImageModelConfig> = {};
  const str = (k: string) => {
    if (c[k] === undefined || c[k] === null) return undefined;
    if (typeof c[k] !== "string" || !c[k]) throw new ModelMismatchError(`${where}: "${k}" must be a non-empty string`);
    return c[k] as string;
  };
  out.path = str("path");
  out.id = str("id");
  out.inputName = str("inputName");
  out.outputName = str("outputName");
  const layout = str("layout");
  if (layout !== undefined) {
    if (!LAYOUTS.includes(layout.toUpperCase() as Layout)) throw new ModelMismatchError(`${where}: "layout" must be NHWC or NCHW (got "${layout}")`);
    out.layout = layout.toUpperCase() as Layout;
  }
  const range = str("range");
  if (range !== undefined) {
    if (!INPUT_RANGES.includes(range as InputRange)) throw new ModelMismatchError(`${where}: "range" must be one of ${INPUT_RANGES.join(", ")} (got "${range}")`);
    out.range = range as InputRange;
  }
  for (const k of ["size", "threads"] as const) {
    if (c[k] === undefined || c[k] === null) continue;
    const n = Number(c[k]);
    if (!Number.isInteger(n) || n < 1 || n > 4096) throw new ModelMismatchError(`${where}: "${k}" must be a positive integer (got ${JSON.stringify(c[k])})`);
    out[k] = n;
  }
  for (const k of Object.keys(out) as (keyof ImageModelConfig)[]) if (out[k] === undefined) delete out[k];
  return out;
}

type Dim = number | string;
const fmt = (shape: readonly Dim[] | undefined) => (shape ? `[${shape.join(", ")}]` : "[unknown]");

interface IoMeta {
  name: string;
  isTensor: boolean;
  type?: string;
  shape?: readonly Dim[];
}

function metadata(session: ort.InferenceSession, which: "input" | "output"): IoMeta[] {
  const meta = (which === "input" ? session.inputMetadata : session.outputMetadata) as unknown as IoMeta[] | undefined;
  const names = which === "input" ? session.inputNames : session.outputNames;
  return names.map((name, i) => meta?.[i] ?? { name, isTensor: true });
}

function describe(file: string, inputs: IoMeta[], outputs: IoMeta[]): string {
  const io = (m: IoMeta) => `"${m.name}" ${m.type ?? ""}${fmt(m.shape)}`;
  return `${file} has inputs ${inputs.map(io).join(", ")} and outputs ${outputs.map(io).join(", ")}`;
}

/** Chooses names, layout and size from the config and the graph; throws ModelMismatchError when they disagree. */
function resolveIo(config: ImageModelConfig, inputs: IoMeta[], outputs: IoMeta[]) {
  const about = describe(config.path, inputs, outputs);
  const notes: string[] = [];
  const input = config.inputName ? inputs.find((m) => m.name === config.inputName) : inputs.length === 1 ? inputs[0] : undefined;
  if (!input) {
    throw new ModelMismatchError(
      config.inputName
        ? `the model has no input "${config.inputName}": ${about}. Set inputName to one of these.`
        : `the model has ${inputs.length} inputs; say which is the image (inputName): ${about}`,
    );
  }
  const output = config.outputName
    ? outputs.find((m) => m.name === config.outputName)
    : outputs.find((m) => m.name === "embedding") ?? (outputs.length === 1 ? outputs[0] : undefined);
  if (!output) {
    throw new ModelMismatchError(
      config.outputName
        ? `the model has no output "${config.outputName}": ${about}. Set outputName to one of these.`
        : `the model has ${outputs.length} outputs and none is called "embedding"; say which (outputName): ${about}`,
    );
  }
  if (input.type && input.type !== "float32") throw new ModelMismatchError(`input "${input.name}" is ${input.type}; Facet feeds float32: ${about}`);
  const shape = input.shape;
  if (shape && shape.length !== 4) throw new ModelMismatchError(`input "${input.name}" has rank ${shape.length} ${fmt(shape)}; an image input is [N,H,W,3] or [N,3,H,W]: ${about}`);
  let layout = config.layout;
  if (!layout && shape) {
    if (shape[3] === 3) layout = "NHWC";
    else if (shape[1] === 3) layout = "NCHW";
  }
  if (!layout) {
    layout = "NHWC";
    notes.push(`layout not in the graph or config; assuming NHWC`);
  }
  if (shape) {
    const channels = layout === "NHWC" ? shape[3] : shape[1];
    if (typeof channels === "number" && channels !== 3) {
      throw new ModelMismatchError(`input "${input.name}" ${fmt(shape)} does not have 3 channels where ${layout} puts them: ${about}. Check "layout".`);
    }
  }
  const [h, w] = shape ? (layout === "NHWC" ? [shape[1], shape[2]] : [shape[2], shape[3]]) : [undefined, undefined];
  let size = config.size;
  if (typeof h === "number" && typeof w === "number") {
    if (h !== w) throw new ModelMismatchError(`input "${input.name}" ${fmt(shape)} is not square; Facet feeds square images: ${about}`);
    if (size && size !== h) throw new ModelMismatchError(`configured size ${size} but input "${input.name}" is ${fmt(shape)}: ${about}`);
    size = h;
  }
  if (!size) {
    size = 224;
    notes.push(`input size not fixed in the graph or config; using 224`);
  }
  let range = config.range;
  if (!range) {
    // The common exports: PyTorch (NCHW) normalises with ImageNet mean/std; graphs converted from
    // TFLite/Keras with scaling inside take 0..255. A Keras model exported with tf2onnx needs "-1..1".
    range = layout === "NCHW" ? "imagenet" : "0..255";
    notes.push(`input range not configured; assuming "${range}" (set range to "0..255", "-1..1" or "imagenet")`);
  }
  return { inputName: input.name, outputName: output.name, spec: { size, layout, range } as TensorSpec, notes };
}

/** Where a session runs: on a worker thread (default) or on the calling thread. */
interface Runner {
  inputs: IoMeta[];
  outputs: IoMeta[];
  run(input: string, output: string, data: Float32Array, dims: number[]): Promise<{ data: Float32Array; dims: number[]; type: string }>;
  close(): Promise<void>;
}

class WorkerUnavailable extends Error {}

function sessionOptions(c: ImageModelConfig): ort.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: c.threads ?? Math.max(1, os.availableParallelism()),
    graphOptimizationLevel: "all",
    extra: c.spinning ? {} : { session: { intra_op: { allow_spinning: "0" }, inter_op: { allow_spinning: "0" } } },
  };
}

async function inThreadRunner(file: string, options: ort.InferenceSession.SessionOptions): Promise<Runner> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(file, options);
  } catch (e) {
    throw new ModelMismatchError(`cannot load ${file} as an ONNX model: ${(e as Error).message}`);
  }
  return {
    inputs: metadata(session, "input"),
    outputs: metadata(session, "output"),
    async run(input, output, data, dims) {
      const result = await session.run({ [input]: new ort.Tensor("float32", data, dims) }, [output]);
      const out = result[output] as ort.Tensor;
      return { data: out.data as Float32Array, dims: [...out.dims], type: out.type };
    },
    close: () => session.release(),
  };
}

const WORKER_FILE = new URL("./onnxWorker.mjs", import.meta.url);

/**
 * The session on a worker thread: onnxruntime-node's run() blocks its calling thread for the whole
 * batch, which would stop the main thread from reading and decoding the next batch meanwhile.
 */
async function workerRunner(file: string, options: ort.InferenceSession.SessionOptions): Promise<Runner> {
  if (WORKER_FILE.protocol !== "file:" || !fs.existsSync(fileURLToPath(WORKER_FILE))) throw new WorkerUnavailable("worker file not found");
  const worker = new Worker(WORKER_FILE);
  const waiting = new Map<number, { resolve: (v: WorkerReply) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let failed: Error | null = null;
  type WorkerReply = { id?: number; ok?: boolean; error?: string; inputs?: IoMeta[]; outputs?: IoMeta[]; data?: Float32Array; dims?: number[]; type?: string };
  const settle = (id: number, reply: WorkerReply) => {
    const w = waiting.get(id);
    waiting.delete(id);
    if (waiting.size === 0) worker.unref(); // an idle worker never keeps the process alive
    w?.resolve(reply);
  };
  worker.on("message", (m: WorkerReply) => settle(m.id ?? 0, m));
  worker.on("error", (e) => {
    failed = e;
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
  });
  const request = (id: number, msg: object, transfer: ArrayBuffer[] = []): Promise<WorkerReply> =>
    new Promise((resolve, reject) => {
      if (failed) return reject(failed);
      waiting.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage(msg, transfer);
    });
  let opened: WorkerReply;
  try {
    opened = await request(0, { op: "open", path: file, options });
  } catch (e) {
    await worker.terminate();
    throw new WorkerUnavailable((e as Error).message);
  }
  if (opened.error) {
    await worker.terminate();
    throw new ModelMismatchError(`cannot load ${file} as an ONNX model: ${opened.error}`);
  }
  return {
    inputs: opened.inputs ?? [],
    outputs: opened.outputs ?? [],
    async run(input, output, data, dims) {
      const id = nextId++;
      // A copy goes to the worker (transferred, not cloned): the caller may refill its buffer at once.
      const copy = data.slice();
      const reply = await request(id, { op: "run", id, input, output, data: copy, dims }, [copy.buffer as ArrayBuffer]);
      if (reply.error) throw new Error(reply.error);
      return { data: reply.data!, dims: reply.dims!, type: reply.type! };
    },
    async close() {
      worker.postMessage({ op: "close" });
      await new Promise<void>((r) => {
        const t = setTimeout(() => void worker.terminate().then(() => r()), 2000);
        worker.once("exit", () => {
          clearTimeout(t);
          r();
        });
      });
    },
  };
}

/** Loads and checks a model; throws ModelMismatchError with the model's names and shapes when it does not fit. */
export async function loadImageModel(config: ImageModelConfig): Promise<ImageModel> {
  if (!fs.existsSync(config.path)) throw new ModelMismatchError(`image model not found: ${config.path}`);
  const merged = { ...readSidecarConfig(config.path), ...stripUndefined(config), path: config.path } as ImageModelConfig;
  const options = sessionOptions(merged);
  let runner: Runner;
  if (merged.worker === false) runner = await inThreadRunner(merged.path, options);
  else {
    try {
      runner = await workerRunner(merged.path, options);
    } catch (e) {
      if (!(e instanceof WorkerUnavailable)) throw e;
      runner = await inThreadRunner(merged.path, options); // e.g. inside a bundle without the worker file
    }
  }
  const { inputs, outputs } = runner;
  let io: ReturnType<typeof resolveIo>;
  try {
    io = resolveIo(merged, inputs, outputs);
  } catch (e) {
    await runner.close();
    throw e;
  }
  const about = describe(merged.path, inputs, outputs);

  const run = async (batch: Float32Array, n: number): Promise<Float32Array[]> => {
    const { size, layout } = io.spec;
    const dims = layout === "NHWC" ? [n, size, size, 3] : [n, 3, size, size];
    const data = batch.length === n * 3 * size * size ? batch : batch.subarray(0, n * 3 * size * size);
    let out: { data: Float32Array; dims: number[]; type: string };
    try {
      out = await runner.run(io.inputName, io.outputName, data, dims);
    } catch (e) {
      throw new ModelMismatchError(`running the model on ${fmt(dims)} failed: ${(e as Error).message}. ${about}`);
    }
    const od = out.dims;
    // [N, D] or a pooled [N, D, 1, 1] / [N, 1, 1, D].
    const dim = od.slice(1).reduce((a, b) => a * b, 1);
    if (od[0] !== n || od.slice(1).filter((d) => d !== 1).length > 1 || out.type !== "float32") {
      throw new ModelMismatchError(`output "${io.outputName}" is ${out.type}${fmt(od)} for a batch of ${n}; an embedding is float32 [N, D]. ${about}`);
    }
    const flat = out.data;
    const rows: Float32Array[] = [];
    for (let i = 0; i < n; i++) rows.push(l2normalise(flat.slice(i * dim, (i + 1) * dim)));
    return rows;
  };

  // One white image: proves names, shapes and output rank before any real work.
  const white = { size: io.spec.size, pixels: new Uint8Array(io.spec.size * io.spec.size * 3).fill(255) };
  let probe: Float32Array[];
  try {
    probe = await run(toTensor(white, io.spec), 1);
  } catch (e) {
    await runner.close();
    throw e;
  }
  return {
    id: merged.id ?? modelIdFor(merged.path),
    path: merged.path,
    inputName: io.inputName,
    outputName: io.outputName,
    spec: io.spec,
    dim: probe[0].length,
    notes: io.notes,
    embed: run,
    close: () => runner.close(),
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
