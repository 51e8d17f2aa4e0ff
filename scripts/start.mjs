#!/usr/bin/env node
// `npm start`: the production server. Loads the built app (build/server), runs its start-up
// (configuration, migrations, Redis, resuming in-process jobs: app/server/lifecycle.server.ts)
// BEFORE the port opens, serves build/client and every route over HTTP, and on SIGTERM/SIGINT
// stops taking connections, lets requests and jobs end, and exits within 10 s.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import url from "node:url";
import express from "express";
import { createRequestHandler } from "@remix-run/express";

process.env.NODE_ENV ??= "production";
const root = path.resolve(path.dirname(url.fileURLToPath(import.meta.url)), "..");
const buildFile = path.join(root, "build", "server", "index.js");
const DRAIN_MS = 9000;

const log = (m) => console.error(`[facet] ${m}`);

if (!fs.existsSync(buildFile)) {
  log(`${path.relative(root, buildFile)} is missing: run \`npm run build\` first.`);
  process.exit(1);
}
let build;
try {
  build = await import(url.pathToFileURL(buildFile).href);
} catch (e) {
  log(e.message); // the configuration check runs as the build loads (app/entry.server.tsx)
  process.exit(e.constructor?.name === "ConfigError" ? 78 : 1);
}
const life = build.entry.module;
let prepared;
try {
  prepared = await life.prepareStartup();
} catch (e) {
  log(e.message);
  process.exit(78); // EX_CONFIG
}

// Routes that take cross-origin unsafe requests on purpose (resource routes: Remix does not apply its
// CSRF check to them); to the page routes, Remix answers a foreign Origin with a 500, and a path
// that is not valid percent-encoding with a URIError 500: both are the client's error (403, 400).
const CROSS_ORIGIN_OK = /^\/(ingest|webhooks|proxy\/|apps\/|api\/)/;
function refuseWhatRemixWouldCrashOn(req, res, next) {
  try {
    decodeURIComponent(req.path);
  } catch {
    return void res.status(400).type("text/plain").send("The path is not valid percent-encoding.");
  }
  const origin = req.headers.origin;
  if (origin && ["POST", "PUT", "PATCH", "DELETE"].includes(req.method) && !CROSS_ORIGIN_OK.test(req.path)) {
    let host;
    try {
      host = new URL(origin).host;
    } catch {
      host = undefined;
    }
    const expected = (req.headers["x-forwarded-host"] ?? req.headers.host ?? "").split(",")[0].trim();
    if (host !== expected) return void res.status(403).type("text/plain").send("Cross-origin request refused.");
  }
  next();
}

const app = express();
app.disable("x-powered-by");
// The caller's address for per-IP limits (app/shopify/ingest.server.ts clientIp): from the socket,
// or through FACET_TRUST_PROXY hops of X-Forwarded-For behind a load balancer (Express's req.ip).
// Always overwritten, so a client cannot choose it.
const trust = process.env.FACET_TRUST_PROXY;
if (trust) app.set("trust proxy", /^\d+$/.test(trust) ? Number(trust) : trust);
app.use((req, _res, next) => {
  req.headers["x-facet-client-ip"] = req.ip ?? req.socket.remoteAddress ?? "unknown";
  next();
});
app.use("/assets", express.static(path.join(root, "build/client/assets"), { immutable: true, maxAge: "1y" }));
app.use(express.static(path.join(root, "build/client"), { maxAge: "1h" }));
app.use(refuseWhatRemixWouldCrashOn);
app.all("*", createRequestHandler({ build, mode: "production" }));

const server = http.createServer(app);
server.headersTimeout = 20_000;
server.requestTimeout = 60_000;
const port = Number(process.env.PORT ?? 3000);
server.listen(port, process.env.HOST, () => {
  const addr = server.address();
  log(`listening on http://localhost:${typeof addr === "object" && addr ? addr.port : port} (queue: ${prepared.queue}; resumed jobs: ${prepared.resumedJobs.length})`);
});

let stopping = false;
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  log(`${signal}: draining (at most ${DRAIN_MS / 1000} s)`);
  const hard = setTimeout(() => {
    log("drain timed out: exiting");
    process.exit(1);
  }, DRAIN_MS);
  hard.unref();
  server.close();
  server.closeIdleConnections();
  await new Promise((r) => setTimeout(r, 50));
  await life.shutdown().catch((e) => log(`shutdown: ${e.message}`));
  server.closeAllConnections();
  process.exit(0);
}
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));
