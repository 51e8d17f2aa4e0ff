import { PassThrough } from "node:stream";
import { renderToPipeableStream } from "react-dom/server";
import { RemixServer } from "@remix-run/react";
import { createReadableStreamFromReadable, type EntryContext } from "@remix-run/node";
import { isbot } from "isbot";
import { env } from "./env.server";
import { jobFunction } from "./jobs/registry.server";
import { provideJobs } from "./queues/index.server";

// Validate the configuration when the server loads this module (at start-up), not at the first
// request: a missing or malformed variable stops the server with a message naming it.
env();
// The server is an entry point: it gives the in-process queue its job registry (app/queues never imports app/jobs).
provideJobs(jobFunction);

const ABORT_DELAY = 5000;

export default async function handleRequest(request: Request, responseStatusCode: number, responseHeaders: Headers, remixContext: EntryContext) {
  // Shopify's document headers (frame-ancestors for the embedded admin) when the app is configured.
  if (process.env.SHOPIFY_API_KEY) {
    const { addDocumentResponseHeaders } = await import("./shopify.server");
    addDocumentResponseHeaders(request, responseHeaders);
  }
  const callbackName = isbot(request.headers.get("user-agent") ?? "") ? "onAllReady" : "onShellReady";
  return new Promise((resolve, reject) => {
    const { pipe, abort } = renderToPipeableStream(<RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} />, {
      [callbackName]: () => {
        const body = new PassThrough();
        const stream = createReadableStreamFromReadable(body);
        responseHeaders.set("Content-Type", "text/html");
        resolve(new Response(stream, { headers: responseHeaders, status: responseStatusCode }));
        pipe(body);
      },
      onShellError(error) {
        reject(error);
      },
      onError(error) {
        responseStatusCode = 500;
        console.error(error);
      },
    });
    setTimeout(abort, ABORT_DELAY);
  });
}

// The production start-up (scripts/start.mjs) reaches these through the server build's
// `entry.module`, so it shares the routes' database handle and queue.
export { prepareStartup, readiness, shutdown } from "./server/lifecycle.server";
// scripts/start.mjs puts the storefront's lean path in front of Remix (app/http/front.server.ts).
export { createFrontHandler } from "./http/front.server";
