import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { fetchImage, ImageFetcher, resolveLocalPath } from "../../app/embedding/fetch";

let png: Buffer;
let server: http.Server;
let base = "";
const hits = new Map<string, number>();
let slowActive = 0;
let slowMaxActive = 0;
/** The slow host answers only once the test releases it (no timing window on a loaded machine). */
let releaseSlow: () => void = () => undefined;
const slowGate = new Promise<void>((r) => (releaseSlow = r));

beforeAll(async () => {
  png = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 150, b: 50 } } }).png().toBuffer();
  server = http.createServer((req, res) => {
    const url = req.url ?? "/";
    hits.set(url, (hits.get(url) ?? 0) + 1);
    if (url === "/ok.png") return res.writeHead(200, { "content-type": "image/png" }).end(png);
    if (url === "/flaky.png") {
      if (hits.get(url)! < 3) return res.writeHead(503).end("busy");
      return res.writeHead(200, { "content-type": "image/png" }).end(png);
    }
    if (url === "/missing.png") return res.writeHead(404).end("no");
    if (url === "/page.html") return res.writeHead(200, { "content-type": "text/html" }).end("<html>hello</html>");
    if (url === "/wrong-type.png") return res.writeHead(200, { "content-type": "text/plain" }).end(png);
    if (url === "/huge.png") {
      res.writeHead(200, { "content-type": "image/png" }); // no content-length: the cap must stop the stream
      res.write(png);
      const chunk = Buffer.alloc(64 * 1024, 1);
      let sent = 0;
      const t = setInterval(() => {
        if (sent++ > 50 || res.destroyed) { clearInterval(t); res.end(); return; }
        res.write(chunk);
      }, 1);
      return;
    }
    if (url.startsWith("/slow")) {
      slowActive++;
      slowMaxActive = Math.max(slowMaxActive, slowActive);
      let answered = false;
      void slowGate.then(() => {
        if (res.destroyed) return; // the client gave up (the timeout test)
        answered = true;
        slowActive--;
        res.writeHead(200, { "content-type": "image/png" }).end(png);
      });
      res.on("close", () => { if (!answered) slowActive--; });
      return;
    }
    res.writeHead(500).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe("fetchImage over http", () => {
  it("fetches an image and hashes its bytes", async () => {
    const r = await fetchImage(`${base}/ok.png`);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.bytes.equals(png)).toBe(true);
  });

  it("retries 5xx with backoff and then succeeds", async () => {
    const r = await fetchImage(`${base}/flaky.png`, { retries: 3, backoffMs: 10 });
    expect(r.ok).toBe(true);
    expect(hits.get("/flaky.png")).toBe(3);
  });

  it("does not retry a 404 and says why", async () => {
    const r = await fetchImage(`${base}/missing.png`, { retries: 3, backoffMs: 10 });
    expect(r).toMatchObject({ ok: false, reason: "HTTP 404" });
    expect(hits.get("/missing.png")).toBe(1);
  });

  it("refuses what is not an image, trusting the bytes over the header", async () => {
    expect(await fetchImage(`${base}/page.html`)).toMatchObject({ ok: false, reason: expect.stringContaining("not an image") });
    expect((await fetchImage(`${base}/wrong-type.png`)).ok).toBe(true);
  });

  it("stops reading beyond the size cap", async () => {
    const r = await fetchImage(`${base}/huge.png`, { maxBytes: 200_000 });
    expect(r).toMatchObject({ ok: false, reason: expect.stringContaining("too large") });
  });

  it("times out a slow server per attempt and reports the attempts", async () => {
    const r = await fetchImage(`${base}/slow-timeout`, { timeoutMs: 150, retries: 1, backoffMs: 10 });
    expect(r).toMatchObject({ ok: false, reason: "timeout after 150 ms (after 2 attempts)" });
  });

  it("a slow host holds at most its per-host slots: other images keep flowing", async () => {
    const f = new ImageFetcher({ concurrency: 4, perHost: 2, timeoutMs: 60_000, retries: 0 });
    const slow = Array.from({ length: 6 }, (_, i) => f.fetch(`${base}/slow-${i}`));
    await vi.waitFor(() => expect(slowActive).toBe(2), { timeout: 30_000, interval: 10 }); // its two slots are taken
    // Same server, other host name: not held up behind the slow queue.
    const other = await f.fetch(`${base.replace("127.0.0.1", "localhost")}/ok.png`);
    expect(other.ok).toBe(true);
    expect(slowActive).toBe(2); // answered while the slow host's first two requests were still in flight
    expect(slowMaxActive).toBe(2);
    releaseSlow();
    const done = await Promise.all(slow);
    expect(done.every((d) => d.ok)).toBe(true);
  });
});

describe("local images", () => {
  it("resolves relative paths against the import folder, absolute paths and file:// URLs as they are", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "facet-fetch-"));
    fs.mkdirSync(path.join(dir, "img"));
    fs.writeFileSync(path.join(dir, "img", "a.png"), png);
    expect((await fetchImage("img/a.png", { baseDir: dir })).ok).toBe(true);
    expect((await fetchImage(path.join(dir, "img", "a.png"))).ok).toBe(true);
    expect((await fetchImage(`file://${path.join(dir, "img", "a.png")}`)).ok).toBe(true);
    expect(await fetchImage("img/b.png", { baseDir: dir })).toMatchObject({ ok: false, reason: expect.stringContaining("file not found") });
    expect(resolveLocalPath("img/a.png", null)).toMatchObject({ error: expect.stringContaining("FACET_IMAGE_BASE_DIR") });
    fs.writeFileSync(path.join(dir, "img", "c.png"), "text");
    expect(await fetchImage("img/c.png", { baseDir: dir })).toMatchObject({ ok: false, reason: expect.stringContaining("not an image") });
    fs.rmSync(dir, { recursive: true });
  });
});
