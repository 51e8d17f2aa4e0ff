/**
 * Which file GET /media/<shop>/<productId> may send: the product's primary image when it is a local
 * file INSIDE the shop's import folder (Setting "import.dir", else FACET_IMAGE_BASE_DIR). Both the
 * file and the folder are resolved with realpath, so a symlink inside the folder that points out
 * of it (to /etc/passwd) and an absolute path a webhook recorded (images[0].src = "/etc/shadow")
 * are refused like a missing file. Only image extensions are served.
 */
import fs from "node:fs";
import path from "node:path";
import { resolveLocalPath } from "../embedding/fetch";
import { imageBaseDir } from "../models/productImage.server";
import { productImageLocation } from "../models/storefrontShop.server";

const TYPES: Record<string, string> = { ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp", ".gif": "image/gif" };

export type MediaAnswer = { redirect: string } | { file: string; type: string } | { missing: string };

function realpathOrNull(p: string): string | null {
  try {
    return fs.realpathSync(p);
  } catch {
    return null;
  }
}

/** `file` (already real) lies inside `root` (already real): equal prefixes up to a separator. */
export const isInside = (file: string, root: string) => file.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

/** No shop domain or product id holds a control character; PostgreSQL cannot even compare one (NUL). */
const hasControl = (s: string) => [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

export function mediaFor(shop: string, productId: string): MediaAnswer {
  if (hasControl(shop) || hasControl(productId)) return { missing: "No such product image" };
  const stored = productImageLocation(shop, productId);
  if (!stored) return { missing: "No such product image" };
  if (/^https?:\/\//i.test(stored)) return { redirect: stored };
  const base = imageBaseDir(shop);
  const root = base ? realpathOrNull(base) : null;
  if (!root) return { missing: "No image folder is known for this shop" };
  const where = resolveLocalPath(stored, root);
  if ("error" in where) return { missing: "The image file is missing" };
  const real = realpathOrNull(where.file);
  const type = real ? TYPES[path.extname(real).toLowerCase()] : undefined;
  if (!real || !type || !isInside(real, root) || !fs.statSync(real).isFile()) return { missing: "The image file is missing" };
  return { file: real, type };
}
