/**
 * Bulk JSONL reconstruction: Shopify's reference files (../shared, when present) and ours, in
 * order and out of order, 100,000-line files, and the malformed file rejected with its line.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { JsonlError, childrenOf, gidId, reconstruct, reconstructFile, type BulkNode } from "../../app/shopify/jsonl";
import { describeIf, hasShared, sharedPath } from "../helpers/requires";
import { fixturePath } from "./helpers";

const BULK = "fixtures/shopify/bulk-operation-jsonl";

/** A tree as plain data: root id -> sorted child ids per type. */
function shape(roots: BulkNode[]): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  for (const r of roots) {
    out[r.id] = {};
    for (const [type, kids] of r.children) out[r.id][type] = kids.map((k) => k.id).sort();
  }
  return out;
}

describeIf(hasShared(BULK), "../shared Shopify fixtures", "bulk JSONL: Shopify's reference files", () => {
  it("rebuilds the ordered file", async () => {
    const r = await reconstructFile(sharedPath(BULK, "test_with_nested_children_connections_ordered.jsonl"));
    expect(shape(r.roots)).toEqual({
      "gid://shopify/Product/1921569226808": { ProductVariant: ["gid://shopify/ProductVariant/194354589324927", "gid://shopify/ProductVariant/19435458986123"] },
      "gid://shopify/Product/1921569325112": { ProductVariant: ["gid://shopify/ProductVariant/19435459084344"] },
    });
  });

  it("rebuilds the unordered file (children before and after other parents)", async () => {
    const r = await reconstructFile(sharedPath(BULK, "test_with_nested_children_connections_unordered.jsonl"));
    expect(r.roots.map((x) => x.id)).toEqual(["gid://shopify/Product/1921569226808", "gid://shopify/Product/1921569325112", "gid://shopify/Product/1921569325342"]);
    expect(childrenOf(r.roots[2], "ProductVariant").map((v) => v.data.title)).toEqual(["99"]);
    expect(childrenOf(r.roots[1], "ProductVariant").map((v) => v.data.title)).toEqual(["36"]);
  });

  it("rebuilds the mixed file: a late variant joins its product", async () => {
    const r = await reconstructFile(sharedPath(BULK, "test_with_nested_children_connections_mixed_ordered.jsonl"));
    const first = r.roots.find((x) => x.id === "gid://shopify/Product/1921569226808")!;
    expect(childrenOf(first, "ProductVariant").map((v) => v.data.title)).toEqual(["66", "70", "52"]);
    expect(r.roots).toHaveLength(4);
    expect(childrenOf(r.roots[0], "ProductVariant")).toEqual([]);
  });

  it("reads the README example", async () => {
    const r = await reconstructFile(sharedPath(BULK, "readme_products_variants.jsonl"));
    expect(r.roots).toHaveLength(5);
    expect(childrenOf(r.roots[0], "ProductVariant").map((v) => v.data.title)).toEqual(["70", "52"]);
  });

  it("rejects the malformed file naming line 2", async () => {
    const file = sharedPath(BULK, "test_with_raises_error_with_bad_json.jsonl");
    const err = await reconstructFile(file).catch((e) => e);
    expect(err).toBeInstanceOf(JsonlError);
    expect(err.line).toBe(2);
    expect(err.message).toContain(`${file}:2:`);
    expect(err.message).toMatch(/malformed JSON/);
  });
});

describe("bulk JSONL: our fixtures and edge cases", () => {
  it("attaches images, variants, collections and metafields that come before or after their product", async () => {
    const r = await reconstructFile(fixturePath("bulk-products.jsonl"));
    expect(r.roots.map((n) => gidId(n.id))).toEqual(["8000000000001", "8000000000002", "8000000000003"]);
    const ring = r.roots[0];
    expect(childrenOf(ring, "ProductVariant").map((v) => gidId(v.id))).toEqual(["9000000000101", "9000000000102"]);
    expect(childrenOf(ring, "ProductImage")).toHaveLength(2);
    expect(childrenOf(ring, "Collection").map((c) => c.data.title)).toEqual(["Classic"]);
    expect(childrenOf(ring, "Metafield").map((m) => m.data.value)).toEqual(["Gold"]);
    expect(ring.data.__parentId).toBeUndefined();
  });

  it("names line and column of our malformed file", async () => {
    const err = await reconstructFile(fixturePath("bulk-malformed.jsonl")).catch((e) => e);
    expect(err).toBeInstanceOf(JsonlError);
    expect(err.line).toBe(3);
    expect(err.column).toBeGreaterThan(1);
  });

  it("rejects a child whose parent never appears, or drops it when asked", async () => {
    const lines = ['{"id":"gid://shopify/Product/1"}', '{"id":"gid://shopify/ProductVariant/2","__parentId":"gid://shopify/Product/9"}'];
    await expect(reconstruct(lines)).rejects.toThrow(/:2: __parentId gid:\/\/shopify\/Product\/9 names no node/);
    const r = await reconstruct(lines, { orphans: "drop" });
    expect(r.dropped).toBe(1);
  });

  it("rejects a line that is JSON but not an object, and duplicate nodes", async () => {
    await expect(reconstruct(['{"id":"gid://shopify/Product/1"}', "[1,2]"])).rejects.toThrow(/:2:1: expected one JSON object/);
    await expect(reconstruct(['{"id":"gid://shopify/Product/1"}', '{"id":"gid://shopify/Product/1"}'])).rejects.toThrow(/duplicate node/);
  });
});

describe("bulk JSONL: 100,000 lines", () => {
  const products = 20_000;
  const perProduct = 4; // 1 product + 4 variants = 5 lines each -> 100,000 lines
  function lines(): string[] {
    const out: string[] = [];
    for (let p = 0; p < products; p++) {
      out.push(JSON.stringify({ id: `gid://shopify/Product/${p + 1}`, title: `P${p}` }));
      for (let v = 0; v < perProduct; v++) out.push(JSON.stringify({ id: `gid://shopify/ProductVariant/${p * 10 + v + 1}`, title: `V${v}`, __parentId: `gid://shopify/Product/${p + 1}` }));
    }
    return out;
  }
  /** Deterministic shuffle (LCG), so a failure reproduces. */
  function shuffled(a: string[]): string[] {
    const b = a.slice();
    let s = 42;
    for (let i = b.length - 1; i > 0; i--) {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      const j = s % (i + 1);
      [b[i], b[j]] = [b[j], b[i]];
    }
    return b;
  }

  it("parses the ordered and the shuffled file into the same trees, streaming from disk", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "facet-jsonl-"));
    try {
      const ordered = lines();
      expect(ordered).toHaveLength(100_000);
      fs.writeFileSync(path.join(dir, "ordered.jsonl"), ordered.join("\n") + "\n");
      fs.writeFileSync(path.join(dir, "shuffled.jsonl"), shuffled(ordered).join("\n") + "\n");
      let progressCalls = 0;
      const a = await reconstructFile(path.join(dir, "ordered.jsonl"), { onLines: () => progressCalls++ });
      const b = await reconstructFile(path.join(dir, "shuffled.jsonl"));
      expect(a.lines).toBe(100_000);
      expect(b.lines).toBe(100_000);
      expect(a.roots).toHaveLength(products);
      expect(progressCalls).toBe(10);
      const sa = shape(a.roots);
      const sb = shape(b.roots);
      expect(Object.keys(sb).sort()).toEqual(Object.keys(sa).sort());
      for (const id of Object.keys(sa)) expect(sb[id]).toEqual(sa[id]);
      expect(sa["gid://shopify/Product/20000"].ProductVariant).toHaveLength(4);
      // A malformed line deep in a big file is reported with its number.
      const broken = ordered.slice();
      broken[76_542] = broken[76_542].slice(0, -3);
      fs.writeFileSync(path.join(dir, "broken.jsonl"), broken.join("\n"));
      const err = await reconstructFile(path.join(dir, "broken.jsonl")).catch((e) => e);
      expect(err).toBeInstanceOf(JsonlError);
      expect(err.line).toBe(76_543);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
