/**
 * The deployment files the README's "Production" section gives (Procfile, docker-compose.yml) start
 * what the fleet test starts: `npm start` for web and `npm run worker` for workers, two of each
 * beside PostgreSQL and Redis, with settings the configuration module knows and accepts.
 */
import fs from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { parseEnv } from "../../app/env.server";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const read = (f: string) => fs.readFileSync(path.join(ROOT, f), "utf8");
const scripts = JSON.parse(read("package.json")).scripts as Record<string, string>;
/** `npm start` / `npm run x` name package.json scripts that exist. */
const npmScript = (cmd: string) => (cmd.trim() === "npm start" ? "start" : /^npm run (\S+)$/.exec(cmd.trim())?.[1]);

it("Procfile: a web and a worker process type, each an npm script of package.json", () => {
  const types = Object.fromEntries(read("Procfile").split("\n").filter((l) => /^\w+:/.test(l)).map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()]));
  expect(Object.keys(types).sort()).toEqual(["web", "worker"]);
  expect(npmScript(types.web)).toBe("start");
  expect(npmScript(types.worker)).toBe("worker");
  for (const t of Object.values(types)) expect(scripts[npmScript(t)!], t).toBeDefined();
});

it("docker-compose.yml: web x2, worker x2, PostgreSQL and Redis, sharing settings the app accepts", () => {
  const yml = read("docker-compose.yml");
  const services = [...yml.split(/^services:$/m)[1].split(/^\S/m)[0].matchAll(/^ {2}(\w+):$/gm)].map((m) => m[1]);
  expect(services.sort()).toEqual(["postgres", "redis", "web1", "web2", "worker1", "worker2"]);
  const commandOf = (svc: string) => {
    const block = yml.split(new RegExp(`^ {2}${svc}:$`, "m"))[1].split(/^ {2}\w+:$/m)[0];
    return (JSON.parse(/command: (\[.*\])/.exec(block)![1]) as string[]).join(" ");
  };
  for (const w of ["web1", "web2"]) expect(commandOf(w)).toBe("npm start");
  for (const w of ["worker1", "worker2"]) expect(commandOf(w)).toBe("npm run worker");
  // The shared environment (x-facet's anchor), with the operator's Shopify values filled in.
  const shared = yml.split(/environment: &facet-env\n/)[1].split(/\n(?! {4})/)[0];
  const vars = Object.fromEntries([...shared.matchAll(/^ {4}(\w+): (.*)$/gm)].map((m) => [m[1], m[2].startsWith("${") ? (m[1].endsWith("_URL") ? "https://facet.example.com" : "set-by-operator") : m[2]]));
  expect(Object.keys(vars)).toEqual(expect.arrayContaining(["DATABASE_URL", "REDIS_URL", "FACET_ARTIFACT_STORE", "FACET_DATA_DIR"]));
  const parsed = parseEnv(vars) as Record<string, unknown>;
  for (const k of Object.keys(vars)) if (k !== "NODE_ENV") expect(parsed, `${k} is a setting of app/env.server.ts`).toHaveProperty(k);
  expect(parsed.DATABASE_URL).toMatch(/^postgresql:\/\//);
  expect(parsed.FACET_ARTIFACT_STORE).toBe("database");
});
