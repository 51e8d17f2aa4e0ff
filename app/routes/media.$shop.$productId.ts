/**
 * GET /media/<shop>/<productId>: a product's primary photo when the shop was imported from files
 * (the stored image is a local path). Only a file inside the shop's import folder is ever read
 * (app/http/media.server.ts); anything else is 404.
 */
import fs from "node:fs";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { mediaFor } from "../http/media.server";

export async function loader({ params }: LoaderFunctionArgs) {
  const m = mediaFor(params.shop ?? "", params.productId ?? "");
  if ("redirect" in m) return new Response(null, { status: 302, headers: { Location: m.redirect } });
  if ("missing" in m) throw new Response(m.missing, { status: 404 });
  return new Response(fs.readFileSync(m.file), { headers: { "Content-Type": m.type, "Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff" } });
}
