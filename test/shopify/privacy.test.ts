/**
 * Model versions under redaction (app/artifacts/modelVersion.server.ts redactUsers, through the
 * artifact store's atomic rewrite): a crash half-way through is finished, or forgotten, by the next
 * reader; the rewritten version stays aligned (ids, factor rows, manifest).
 */
import fs from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { useTempDatabase } from "../helpers/db";
import { dataDir } from "../../app/env.server";
import { loadModelFolder, redactUsers } from "../../app/artifacts/modelVersion.server";
import { artifactStore } from "../../app/artifacts/store.server";

useTempDatabase();
const SHOP = "facet-privacy.myshopify.com";
const f32 = (file: string) => [...new Float32Array(new Uint8Array(fs.readFileSync(file)).buffer)];

function writeVersion(name: string, users: string[], factors: number[]): string {
  const dir = path.join(dataDir(), "models", SHOP, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "user_ids.json"), JSON.stringify(users));
  fs.writeFileSync(path.join(dir, "item_ids.json"), JSON.stringify(["p1"]));
  fs.writeFileSync(path.join(dir, "user_factors.f32"), new Uint8Array(Float32Array.from(factors).buffer));
  fs.writeFileSync(path.join(dir, "item_factors.f32"), new Uint8Array(Float32Array.from([5, 5]).buffer));
  const files = Object.fromEntries(fs.readdirSync(dir).map((f) => [f, { bytes: fs.statSync(path.join(dir, f)).size, sha256: "" }]));
  const manifest = { format: 1, version: name, created: new Date(0).toISOString(), shop: SHOP, parameters: null, metrics: {}, items: 1, users: users.length, factors: 2, regularization: 0.1, alpha: 1, files };
  fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify(manifest));
  return dir;
}

it("drops the customer's id and factor row from every version, keeping the others aligned", async () => {
  const v1 = writeVersion("v1", ["a", "victim", "b"], [1, 1, 2, 2, 3, 3]);
  const v2 = writeVersion("v2", ["a", "b"], [1, 1, 3, 3]);
  expect(redactUsers(SHOP, ["victim"])).toEqual(["local:v1"]);
  expect(JSON.parse(fs.readFileSync(path.join(v1, "user_ids.json"), "utf8"))).toEqual(["a", "b"]);
  expect(f32(path.join(v1, "user_factors.f32"))).toEqual([1, 1, 3, 3]);
  const loaded = await loadModelFolder(v1);
  expect(loaded.cf!.userIds).toEqual(["a", "b"]);
  expect(JSON.parse(fs.readFileSync(path.join(v1, "manifest.json"), "utf8")).users).toBe(2);
  expect(f32(path.join(v2, "user_factors.f32"))).toEqual([1, 1, 3, 3]);
  expect(redactUsers(SHOP, ["victim"])).toEqual([]); // twice: nothing left
});

it("a rewrite interrupted after its commit marker is finished by the next reader; one interrupted before it is forgotten", () => {
  const dir = writeVersion("v3", ["a", "victim", "b"], [1, 1, 2, 2, 3, 3]);
  // Crash after the commit: the new files and the marker exist, the renames did not happen.
  fs.writeFileSync(path.join(dir, "user_ids.json.rewrite-new"), JSON.stringify(["a", "b"]));
  fs.writeFileSync(path.join(dir, "user_factors.f32.rewrite-new"), new Uint8Array(Float32Array.from([1, 1, 3, 3]).buffer));
  fs.writeFileSync(path.join(dir, "rewrite.pending.json"), JSON.stringify(["user_ids.json", "user_factors.f32"]));
  expect(artifactStore().fetch({ shop: SHOP, kind: "model", name: "v3" })).toBe(dir);
  expect(JSON.parse(fs.readFileSync(path.join(dir, "user_ids.json"), "utf8"))).toEqual(["a", "b"]);
  expect(f32(path.join(dir, "user_factors.f32"))).toEqual([1, 1, 3, 3]);
  expect(fs.existsSync(path.join(dir, "rewrite.pending.json"))).toBe(false);
  // Crash before the commit: a half-written new file and no marker: the version is as before.
  fs.writeFileSync(path.join(dir, "user_ids.json.rewrite-new"), "[\"a\"");
  expect(artifactStore().fetch({ shop: SHOP, kind: "model", name: "v3" })).toBe(dir);
  expect(fs.readdirSync(dir).filter((f) => f.includes("rewrite"))).toEqual([]);
  expect(JSON.parse(fs.readFileSync(path.join(dir, "user_ids.json"), "utf8"))).toEqual(["a", "b"]);
});
