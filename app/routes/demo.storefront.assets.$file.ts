/** The theme app extension's assets for the demo storefront (Shopify serves them from its CDN). */
import fs from "node:fs";
import path from "node:path";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireDemo } from "../storefront/demoMode.server";
import { extensionDir } from "../storefront/liquid.server";

const TYPES: Record<string, string> = { ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml" };

export async function loader({ params }: LoaderFunctionArgs) {
  requireDemo();
  const name = params.file ?? "";
  const dir = path.join(extensionDir(), "assets");
  if (!/^[\w.-]+$/.test(name) || !fs.readdirSync(dir).includes(name)) throw new Response("Not found", { status: 404 });
  return new Response(fs.readFileSync(path.join(dir, name)), {
    headers: { "Content-Type": TYPES[path.extname(name)] ?? "application/octet-stream", "Cache-Control": "no-cache" },
  });
}
