import { CliError, defineCommand, intFlag } from "../command";
import { ProgressBar } from "../progress";
import { env } from "../../env.server";

export default defineCommand({
  name: "embed",
  summary: "Fetch product images, compute image embeddings and colour descriptors, update the similarity index",
  help: `
Usage: facet embed [--model <file.onnx>] [--force] [--product <id>]... [--batch 16] [--shop <domain>] [--json]

Fetches every product's image_url and additional_images (http(s), absolute paths, or paths relative to
the folder the shop was imported from), computes the colour descriptor (always) and, when an image model
is configured, its embedding; stores one vector per product and updates the nearest-neighbour index.
Unchanged images are skipped; failed images are listed and retried on the next run.

  --model <file>        ONNX image model (default: the shop's image.model setting, else $IMAGE_MODEL_PATH;
                        none: colour descriptor only)
  --input-name <name>   model input (default: the only input)
  --output-name <name>  model output (default: "embedding", or the only output)
  --layout NHWC|NCHW    default: read from the input's shape
  --range 0..255|-1..1|imagenet   input scaling (default: 0..255 for NHWC, imagenet for NCHW)
  --size <px>           input size when the graph does not fix it (default 224)
  --force               fetch and embed everything again, rebuild the index
  --product <id>        only this product (repeatable)
  --batch <n>           inference batch size (default 16)
  --json                print the result as JSON on stdout

Example: IMAGE_MODEL_PATH=../shared/models/image/mobilenet_v2_1.0_224_quant.q.onnx facet embed
`,
  options: {
    model: { type: "string" },
    "input-name": { type: "string" },
    "output-name": { type: "string" },
    layout: { type: "string" },
    range: { type: "string" },
    size: { type: "string" },
    force: { type: "boolean" },
    product: { type: "string", multiple: true },
    batch: { type: "string" },
  },
  async run({ values }) {
    const shop = (values.shop as string | undefined) ?? env().FACET_SHOP;
    const { validateConfig, ModelMismatchError } = await import("../../embedding/onnxModel");
    const { embedShop } = await import("../../jobs/embed.server");
    let modelConfig;
    try {
      modelConfig = validateConfig(
        {
          inputName: values["input-name"],
          outputName: values["output-name"],
          layout: values.layout,
          range: values.range,
          size: values.size === undefined ? undefined : intFlag(values.size, "size", 224),
        },
        "flags",
      );
    } catch (e) {
      throw new CliError((e as Error).message, 2);
    }
    const bar = new ProgressBar("embed", 0, "products");
    let result;
    try {
      result = await embedShop(
        { shop, force: values.force === true, modelPath: values.model as string | undefined, productIds: values.product as string[] | undefined },
        {
          batchSize: intFlag(values.batch, "batch", 16),
          modelConfig,
          log: (m) => process.stderr.write(`\n${m}\n`),
          onProgress: (p) =>
            bar.update(p.productsDone, p.productsTotal, `${p.imagesDone} images ${p.imagesPerSec.toFixed(1)} img/s ${p.imagesFailed} failed${p.phase === "index" ? " (index)" : ""}`),
        },
      );
    } catch (e) {
      if (e instanceof ModelMismatchError || (e as { unrecoverable?: boolean }).unrecoverable) throw new CliError((e as Error).message);
      throw e;
    }
    bar.done();
    if (values.json) {
      console.log(JSON.stringify(result, null, 2));
      return 0;
    }
    const r = result;
    console.log(`Shop ${shop}: ${r.products} products, ${r.images} images`);
    console.log(`  embedded ${r.embedded}, unchanged ${r.unchanged}, without a usable image ${r.withoutImage}`);
    console.log(`  ${r.imagesDecoded} images decoded in ${r.seconds.toFixed(1)} s (${r.imagesPerSec.toFixed(1)} images/s), ${r.imagesFailed} failed`);
    console.log(r.model ? `  image model ${r.model.id} (${r.model.dim} dims, ${r.model.layout} ${r.model.size}px, range ${r.model.range}) + ${r.colourModelId}` : `  ${r.note}`);
    if (r.index) console.log(`  index ${r.index.key}: ${r.index.total} products (${r.index.rebuilt ? "built" : `+${r.index.added} ~${r.index.updated} -${r.index.removed}`}${r.index.projected ? ", PCA-projected" : ""}) in ${r.index.ms} ms`);
    if (r.failures.length > 0) {
      const byReason = new Map<string, number>();
      for (const f of r.failures) {
        const reason = f.reason.replace(/: \/.*$/, "").replace(/ \(after.*$/, "");
        byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
      }
      console.log(`  failures by reason:`);
      for (const [reason, n] of [...byReason].sort((a, b) => b[1] - a[1])) console.log(`    ${String(n).padStart(5)}  ${reason}`);
      for (const f of r.failures.slice(0, 10)) console.log(`    ${f.productId} #${f.position} ${f.url}: ${f.reason}`);
      if (r.failures.length > 10) console.log(`    ... and ${r.failures.length - 10} more (retried on the next run)`);
    }
    return 0;
  },
});
