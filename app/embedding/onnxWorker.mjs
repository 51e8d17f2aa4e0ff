// Runs an onnxruntime-node session on a worker thread. onnxruntime-node's run() blocks the thread
// that calls it; here it blocks this worker instead, so the main thread keeps reading and decoding
// the next batch (and a server process keeps answering) while the current batch is in inference.
// Plain JavaScript on purpose: a worker does not inherit the TypeScript loader of its parent.
// Protocol (see onnxModel.ts): {op:"open", path, options} -> {ok, inputs, outputs} | {error};
// {op:"run", id, input, output, data, dims} -> {id, data, dims, type} | {id, error}; {op:"close"}.
import { parentPort } from "node:worker_threads";
import * as ort from "onnxruntime-node";

let session = null;

const describe = (names, meta) =>
  names.map((name, i) => {
    const m = meta?.[i];
    return m ? { name: m.name ?? name, isTensor: m.isTensor !== false, type: m.type, shape: m.shape ? Array.from(m.shape) : undefined } : { name, isTensor: true };
  });

parentPort.on("message", async (msg) => {
  if (msg.op === "open") {
    try {
      session = await ort.InferenceSession.create(msg.path, msg.options);
      parentPort.postMessage({ ok: true, inputs: describe(session.inputNames, session.inputMetadata), outputs: describe(session.outputNames, session.outputMetadata) });
    } catch (e) {
      parentPort.postMessage({ error: String(e?.message ?? e) });
    }
  } else if (msg.op === "run") {
    try {
      const result = await session.run({ [msg.input]: new ort.Tensor("float32", msg.data, msg.dims) }, [msg.output]);
      const out = result[msg.output];
      const data = out.data instanceof Float32Array ? out.data : Float32Array.from(out.data);
      parentPort.postMessage({ id: msg.id, data, dims: Array.from(out.dims), type: out.type }, [data.buffer]);
    } catch (e) {
      parentPort.postMessage({ id: msg.id, error: String(e?.message ?? e) });
    }
  } else if (msg.op === "close") {
    await session?.release();
    session = null;
    parentPort.close();
  }
});
