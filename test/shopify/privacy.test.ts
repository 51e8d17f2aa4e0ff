/** Model files under redaction: a crash half-way through a rewrite is finished by the next run. */
import fs from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { useTempDatabase } from "../helpers/db";
import { dataDir } from "../../app/env.server";
import { redactModelFiles } from "../../app/models/privacy.server";

useTempDatabase();
const SHOP = "facet-privacy.myshopify.com";
const f32 = (file: string) => [...new Float32Array(new Uint8Array(fs.readFileSync(file)).buffer)];

it("finishes a rewrite interrupted after the factors and before the ids", () => {
  const dir = path.join(dataDir(), "models", SHOP, "v1");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "user_ids.json"), JSON.stringify(["a", "victim", "b"]));
  const original = new Uint8Array(Float32Array.from([1, 1, 2, 2, 3, 3]).buffer);
  // The crash: the marker was written and the factor file rewritten, user_ids.json not yet.
  fs.writeFileSync(path.join(dir, "redact.pending.json"), JSON.stringify({ index: 1, n: 3, sizes: { "user_factors.f32": original.byteLength } }));
  fs.writeFileSync(path.join(dir, "user_factors.f32"), new Uint8Array(Float32Array.from([1, 1, 3, 3]).buffer));
  const touched = redactModelFiles(SHOP, ["victim"]);
  expect(JSON.parse(fs.readFileSync(path.join(dir, "user_ids.json"), "utf8"))).toEqual(["a", "b"]);
  expect(f32(path.join(dir, "user_factors.f32"))).toEqual([1, 1, 3, 3]);
  expect(fs.existsSync(path.join(dir, "redact.pending.json"))).toBe(false);
  expect(touched).toEqual([]);
  // Id maps (id -> row) are renumbered.
  const dir2 = path.join(dataDir(), "models", SHOP, "v2");
  fs.mkdirSync(dir2, { recursive: true });
  fs.writeFileSync(path.join(dir2, "user_ids.json"), JSON.stringify({ a: 0, victim: 1, b: 2 }));
  fs.writeFileSync(path.join(dir2, "user_factors.f32"), original);
  expect(redactModelFiles(SHOP, ["victim"])).toEqual([dir2]);
  expect(JSON.parse(fs.readFileSync(path.join(dir2, "user_ids.json"), "utf8"))).toEqual({ a: 0, b: 1 });
  expect(f32(path.join(dir2, "user_factors.f32"))).toEqual([1, 1, 3, 3]);
});
