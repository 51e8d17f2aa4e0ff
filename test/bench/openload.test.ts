/**
 * The open-model load generator (scripts/bench/openload.mts): every due request is sent whatever the
 * server does, and a server stall shows as latency of the requests due during it (counted from their
 * intended send time), not hidden as a pause in sending. Only lower bounds on time are asserted (a
 * busy machine can make latencies larger, never smaller).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLoad, quantile } from "../../scripts/bench/openload.mts";

let server: http.Server;
let url = "";
let seen = 0;
const STALL_MS = 400;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen++;
    if (req.url === "/stall" ) {
      // Holds the event loop, as a synchronous rebuild would: every request due meanwhile waits.
      const until = performance.now() + STALL_MS;
      while (performance.now() < until);
    }
    res.statusCode = req.url === "/missing" ? 404 : 200;
    res.end("ok");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("openLoad", () => {
  it("sends exactly rate x seconds requests and counts non-2xx answers", async () => {
    seen = 0;
    const r = await openLoad({ url, rate: 200, seconds: 1, paths: ["/a", "/missing"] });
    expect(r.requests).toBe(200);
    expect(seen).toBe(200);
    expect(r.non2xx).toBe(100);
    expect(r.errors).toBe(0);
    expect(r.p50).toBeGreaterThan(0);
    expect(r.max).toBeGreaterThanOrEqual(r.p99);
  });

  it("a stall of the server shows as latency of the requests due during it (no coordinated omission)", async () => {
    // One stalling request among 100/s for 2 s: the requests due in the next 400 ms all wait for it,
    // so about 40 requests (2 %) see latency near the stall; p99 must show it.
    const paths = Array.from({ length: 200 }, (_, i) => (i === 20 ? "/stall" : "/a"));
    const r = await openLoad({ url, rate: 100, seconds: 2, paths });
    expect(r.requests).toBe(200);
    expect(r.max).toBeGreaterThanOrEqual(STALL_MS * 0.9);
    expect(r.p99).toBeGreaterThanOrEqual(STALL_MS * 0.5);
  });

  it("counts requests not answered within the timeout as errors at the timeout", async () => {
    const hang = http.createServer(() => {}); // never answers
    await new Promise<void>((res) => hang.listen(0, "127.0.0.1", () => res()));
    const r = await openLoad({ url: `http://127.0.0.1:${(hang.address() as AddressInfo).port}`, rate: 20, seconds: 0.5, paths: ["/"], timeoutMs: 200 });
    hang.closeAllConnections();
    await new Promise<void>((res) => hang.close(() => res()));
    expect(r.requests).toBe(10);
    expect(r.timeouts).toBe(10);
    expect(r.errors).toBe(10);
    expect(r.max).toBe(200);
  });

  it("quantile is nearest-rank", () => {
    const a = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(quantile(a, 0.5)).toBe(5);
    expect(quantile(a, 0.99)).toBe(10);
    expect(quantile(a, 0.1)).toBe(1);
    expect(quantile(new Float64Array(0), 0.5)).toBe(0);
  });
});
