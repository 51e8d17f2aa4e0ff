/**
 * GET /media/<shop>/<productId>: a product's primary photo when the shop was imported from files
 * (the stored image is a local path). Only the file recorded for that product is ever read.
 */
import fs from "node:fs";
import path from "node:path";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { productImageLocation } from "../models/storefrontShop.server";

const TYPES: Record<string, string> = { ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp", ".gif": "image/gif" };

export async function loader({ params }: LoaderFunctionArgs) {
  const stored = productImageLocation(params.shop ?? "", params.productId ?? "");
  if (!stored) throw new Response("No such product image", { status: 404 });
  if (/^https?:\/\//i.test(stored)) return new Response(null, { status: 302, headers: { Location: stored } });
  const type = TYPES[path.extname(stored).toLowerCase()];
  if (!type || !path.isAbsolute(stored) || !fs.existsSync(stored)) throw new Response("The image file is missing", { status: 404 });
  return new Response(fs.readFileSync(stored), { headers: { "Content-Type": type, "Cache-Control": "public, max-age=86400" } });
}
