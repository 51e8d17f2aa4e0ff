#!/usr/bin/env node
// `npm start`: the production server. Loads the built app (build/server), runs its start-up
// (configuration, migrations, Redis, resuming in-process jobs: app/server/lifecycle.server.ts)
// BEFORE the port opens, serves build/client and every route over HTTP, and on SIGTERM/SIGINT
// stops taking connections, lets requests and jobs end, and exits within 10 s.
//
// The storefront's hot routes (/api/recommendations, the app proxy, /ingest, /healthz, /readyz) are
// answered by a plain node:http handler in front of Express + Remix (app/http/front.server.ts);
// everything else (the admin, pages, assets, webhooks) goes to Remix.
//
// Processes: WEB_CONCURRENCY server processes on one port (node:cluster; default with REDIS_URL:
// one per core, os.availableParallelism(); without Redis 1, since the embedded default keeps rate
// limits and jobs in the process). The first one starts alone (configuration, migrations, resuming
// in-process jobs), the others once it listens; a process that dies later is replaced. SIGTERM or
// SIGINT to the primary drains every process (each within 10 s). WEB_CONCURRENCY=1: one process, no
// cluster primary. FACET_LEAN_PATH=0 sends every request through Remix (for comparisons).
import cluster from "node:cluster";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import url from "node:url";
import express from "express";
import { createRequestHandler } from "@remix-run/express";

process.env.NODE_ENV ??= "production";
const root = path.resolve(path.dirname(url.fileURLToPath(import.meta.url)), "..");
const buildFile = path.join(root, "build", "server", "index.js");
const DRAIN_MS = 9000;

const log = (m) => console.error(`[facet] ${m}`);

function webConcurrency() {
  const raw = process.env.WEB_CONCURRENCY;
  // Without Redis, rate limits and jobs live in the process: one process unless told otherwise.
  if (raw === undefined || raw === "") return process.env.REDIS_URL ? os.availableParallelism() : 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    log(`WEB_CONCURRENCY must be a whole number of server processes from 1 to 64 (got ${JSON.stringify(raw)}); unset it for the default (one per core with REDIS_URL, else 1).`);
    process.exit(78);
  }
  return n;
}
const processes = cluster.isPrimary ? webConcurrency() : 1;
if (cluster.isPrimary && processes > 1) await runPrimary(processes);
else await runServer();

/** The cluster primary: starts the server processes, forwards signals, reports one listening line. */
async function runPrimary(n) {
  // The kernel hands connections to the processes (they accept on the shared socket). Round-robin
  // through the primary (Node's default) stalled under the bench's load: the primary held 14,600
  // accepted sockets in CLOSE-WAIT while both server processes sat idle with none (every request
  // timed out, /healthz included).
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  let stopping = false;
  let port;
  let startInfo = "";
  const listening = new Set();
  const fork = (index) => {
    const w = cluster.fork({ FACET_PROCESS_INDEX: String(index), FACET_RESUME_JOBS: index === 0 ? "1" : "0" });
    w.on("message", (m) => {
      if (m?.type === "facet:listening") {
        port ??= m.port;
        if (index === 0) startInfo = m.info;
        listening.add(w.id);
        if (index === 0) for (let i = 1; i < n; i++) fork(i);
        if (listening.size === n) log(`listening on http://localhost:${port} (${n} processes; ${startInfo})`);
      }
    });
    w.on("exit", (code, signal) => {
      const was = listening.delete(w.id);
      if (stopping) {
        if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
        return;
      }
      if (!was) {
        // it never listened: a start-up failure (configuration, database), the first process's exit code
        log(`server process ${index + 1} exited (${code ?? signal}) before listening`);
        stopping = true;
        for (const other of Object.values(cluster.workers ?? {})) other?.process.kill("SIGTERM");
        process.exit(code || 1);
      }
      log(`server process ${index + 1} exited (${code ?? signal}): starting another`);
      const again = cluster.fork({ FACET_PROCESS_INDEX: String(index), FACET_RESUME_JOBS: "0" });
      again.on("message", (m) => m?.type === "facet:listening" && listening.add(again.id));
    });
  };
  fork(0);
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: draining ${Object.keys(cluster.workers ?? {}).length} server processes (at most ${DRAIN_MS / 1000} s)`);
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(signal);
    setTimeout(() => {
      log("drain timed out: exiting");
      process.exit(1);
    }, DRAIN_MS + 1000).unref();
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

/** One server process (the only one, or a cluster worker). */
async function runServer() {
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
    prepared = await life.prepareStartup({ resumeJobs: process.env.FACET_RESUME_JOBS !== "0" });
  } catch (e) {
    log(e.message);
    process.exit(78); // EX_CONFIG
  }

  // Routes that take cross-origin unsafe requests on purpose (resource routes: Remix does not apply its
  // CSRF check to them); to the page routes, Remix answers a foreign Origin with a 500, and a path
  // that is not valid percent-encoding with a URIError 500: both are the client's error (403, 400).
  const CROSS_ORIGIN_OK = /^\/(ingest|webhooks|proxy\/|apps\/|api\/)/;
  // An answer written before the request body was read to its end (Remix's 404 or 405 to a POST
  // with a body it never reads): Node then stops reading the connection, and the next request a
  // client sends on it hangs until the keep-alive timeout resets it (test/prod/fuzz.test.ts: GET
  // /healthz after a 3 MB PUT to /readyz). Such an answer closes the connection, and the rest of
  // the body is read and dropped until then.
  function closeWhenBodyUnread(req, res, next) {
    const writeHead = res.writeHead;
    res.writeHead = function (...args) {
      if (!req.complete && !res.headersSent) {
        res.setHeader("Connection", "close");
        req.resume();
      }
      return writeHead.apply(this, args);
    };
    next();
  }

  function refuseWhatRemixWouldCrashOn(req, res, next) {
    let decoded;
    try {
      decoded = decodeURIComponent(req.path);
    } catch {
      return void res.status(400).type("text/plain").send("The path is not valid percent-encoding.");
    }
    // "/\" or "//host": read as a URL, a path that names another host (React Router's server
    // rendering throws on "/\", found by test/prod/fuzz.test.ts: 500).
    let sameOrigin;
    try {
      sameOrigin = new URL(decoded, "http://facet.invalid").host === "facet.invalid";
    } catch {
      sameOrigin = false;
    }
    if (!sameOrigin) return void res.status(400).type("text/plain").send("The path is not a path on this server (it starts with // or a backslash).");
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
  app.use(closeWhenBodyUnread);
  // The caller's address for per-IP limits (app/shopify/ingest.server.ts clientIp): from the socket,
  // or through FACET_TRUST_PROXY hops of X-Forwarded-For behind a load balancer (Express's req.ip).
  // Always overwritten, so a client cannot choose it. The lean path computes it the same way.
  const trust = process.env.FACET_TRUST_PROXY;
  if (trust) app.set("trust proxy", /^\d+$/.test(trust) ? Number(trust) : trust);
  const trustFn = app.get("trust proxy fn");
  // Express's req.ip (proxy-addr): the socket's address, then X-Forwarded-For from the nearest hop
  // while the trust function trusts the address before it.
  const clientIp = (req) => {
    const xff = String(req.headers["x-forwarded-for"] ?? "").split(",").map((a) => a.trim()).filter(Boolean).reverse();
    const addrs = [req.socket.remoteAddress ?? "unknown", ...xff];
    for (let i = 0; i < addrs.length - 1; i++) if (!trustFn(addrs[i], i)) return addrs[i];
    return addrs[addrs.length - 1];
  };
  app.use((req, _res, next) => {
    req.headers["x-facet-client-ip"] = req.ip ?? req.socket.remoteAddress ?? "unknown";
    next();
  });
  app.use("/assets", express.static(path.join(root, "build/client/assets"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(root, "build/client"), { maxAge: "1h" }));
  app.use(refuseWhatRemixWouldCrashOn);
  app.all("*", createRequestHandler({ build, mode: "production" }));

  // FACET_LEAN_PATH=0: every request through Express + Remix (comparisons: test/prod/front.test.ts).
  const server = http.createServer(process.env.FACET_LEAN_PATH === "0" ? app : life.createFrontHandler(app, { clientIp }));
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  const port = Number(process.env.PORT ?? 3000);
  server.listen(port, process.env.HOST, () => {
    const addr = server.address();
    const at = typeof addr === "object" && addr ? addr.port : port;
    const info = `queue: ${prepared.queue}; resumed jobs: ${prepared.resumedJobs.length}`;
    if (cluster.isWorker) process.send({ type: "facet:listening", port: at, info });
    else log(`listening on http://localhost:${at} (${info})`);
  });

  let stopping = false;
  async function stop(signal) {
    if (stopping) return;
    stopping = true;
    log(`${signal}: draining${cluster.isWorker ? ` process ${Number(process.env.FACET_PROCESS_INDEX) + 1}` : ""} (at most ${DRAIN_MS / 1000} s)`);
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
}
