/**
 * A minimal ONNX model writer for tests (no onnx package offline): just enough protobuf to encode
 * a graph of a few nodes, typed inputs/outputs and float initializers.
 * The model: image -> [Transpose to NCHW] -> GlobalAveragePool -> Flatten -> MatMul(W) -> "embedding",
 * so its output is the per-channel mean of the input tensor times W: easy to predict in a test.
 */
type Field = Uint8Array;

function varint(n: number | bigint): number[] {
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n;
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}
const cat = (parts: (Uint8Array | number[])[]) => {
  const len = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const key = (field: number, wire: number) => varint((field << 3) | wire);
const int = (field: number, v: number | bigint): Field => cat([key(field, 0), varint(v)]);
const bytes = (field: number, b: Uint8Array): Field => cat([key(field, 2), varint(b.length), b]);
const str = (field: number, s: string): Field => bytes(field, new TextEncoder().encode(s));
const msg = (field: number, ...parts: Field[]): Field => bytes(field, cat(parts));

type Dim = number | string;
function valueInfo(field: number, name: string, shape: Dim[]): Field {
  const dims = shape.map((d) => msg(1, typeof d === "number" ? int(1, d) : str(2, d)));
  return msg(field, str(1, name), msg(2, msg(1, int(1, 1 /* FLOAT */), msg(2, ...dims))));
}

function node(op: string, inputs: string[], outputs: string[], attrs: Field[] = []): Field {
  return msg(1, ...inputs.map((i) => str(1, i)), ...outputs.map((o) => str(2, o)), str(3, `${op}_${outputs[0]}`), str(4, op), ...attrs);
}
const attrInt = (name: string, v: number) => msg(5, str(1, name), int(20, 2), int(3, v));
const attrInts = (name: string, vs: number[]) => msg(5, str(1, name), int(20, 7), ...vs.map((v) => int(8, v)));

function floatTensor(field: number, name: string, dims: number[], values: number[]): Field {
  const raw = new Uint8Array(new Float32Array(values).buffer);
  return msg(field, ...dims.map((d) => int(1, d)), int(2, 1), str(8, name), bytes(9, raw));
}

export interface TinyModelSpec {
  layout: "NHWC" | "NCHW";
  size: number;
  inputName?: string;
  outputName?: string;
  /** 3 x D weights, row-major. */
  weights: number[][];
  /** Symbolic H/W (size not in the graph). */
  symbolicSize?: boolean;
}

/** Bytes of an ONNX model (opset 13) computing mean-per-channel(image) x W. */
export function tinyEmbeddingModel(spec: TinyModelSpec): Uint8Array {
  const input = spec.inputName ?? "image";
  const output = spec.outputName ?? "embedding";
  const hw: Dim = spec.symbolicSize ? "H" : spec.size;
  const shape: Dim[] = spec.layout === "NHWC" ? ["N", hw, hw, 3] : ["N", 3, hw, hw];
  const d = spec.weights[0].length;
  const nodes: Field[] = [];
  let x = input;
  if (spec.layout === "NHWC") {
    nodes.push(node("Transpose", [x], ["nchw"], [attrInts("perm", [0, 3, 1, 2])]));
    x = "nchw";
  }
  nodes.push(node("GlobalAveragePool", [x], ["pooled"]));
  nodes.push(node("Flatten", ["pooled"], ["flat"], [attrInt("axis", 1)]));
  nodes.push(node("MatMul", ["flat", "W"], [output]));
  const graph = msg(
    7,
    ...nodes,
    str(2, "tiny"),
    floatTensor(5, "W", [3, d], spec.weights.flat()),
    valueInfo(11, input, shape),
    valueInfo(12, output, ["N", d]),
  );
  return cat([int(1, 8), str(2, "facet-test"), graph, msg(8, str(1, ""), int(2, 13))]);
}
