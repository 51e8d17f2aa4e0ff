/**
 * A constant-rate, open-model HTTP load generator (issue 17 point 6).
 *
 * Request i is due at t0 + i / rate, whatever happened to the requests before it: the generator
 * never waits for answers before sending the next one (open model, like real shoppers), and each
 * latency is counted from the request's INTENDED send time, not from when it actually left. So a
 * server stall of 2 s shows up as 2 s of latency on every request due during it (closed-model
 * generators and autocannon's per-second quotas hide that: "coordinated omission"). Requests are
 * spread evenly over the second, not sent in one burst per second.
 *
 * The generator's own lag (actual send minus intended send) is reported too: when it is large the
 * generator, not the server, was the bottleneck and the figures say so (`generatorLagP99Ms`).
 *
 * CLI (one JSON line): node --import tsx scripts/bench/openload.mts <url> <rate> <seconds> [path ...]
 */
import http from "node:http";

export interface OpenLoadOptions {
  /** Base URL, e.g. http://127.0.0.1:4700 */
  url: string;
  /** Requests per second, spaced evenly. */
  rate: number;
  seconds: number;
  /** Request paths, used in turn. */
  paths: string[];
  /** A request not answered after this long counts as an error (latency = the timeout). Default 10 s. */
  timeoutMs?: number;
  /** Headers sent with every request (e.g. the shop's API key: keys never travel in the query string). */
  headers?: Record<string, string>;
  /** Sockets to keep open at most (requests beyond wait in the agent's queue, their wait counted). Default 512. */
  maxSockets?: number;
}

/** The figures of one load run, whichever generator ran it. */
export interface LoadFigures {
  rate: number;
  seconds: number;
  /** Requests in the run (open model: rate x seconds, all of them sent). */
  requests: number;
  /** Answered requests per second. */
  achievedRate: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Network errors and timeouts. */
  errors: number;
  non2xx: number;
}

export interface OpenLoadResult extends LoadFigures {
  generator: "open-model constant rate";
  p999: number;
  mean: number;
  timeouts: number;
  /** How late the generator itself sent requests (ms): large values mean the generator was saturated. */
  generatorLagP99Ms: number;
  generatorLagMaxMs: number;
}

const r2 = (x: number) => Math.round(x * 100) / 100;

/** The p-quantile of sorted values (nearest rank). */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

export async function openLoad(o: OpenLoadOptions): Promise<OpenLoadResult> {
  if (!(o.rate > 0) || !(o.seconds > 0) || o.paths.length === 0) throw new Error("openLoad: rate, seconds and paths are required");
  const base = new URL(o.url);
  const timeoutMs = o.timeoutMs ?? 10_000;
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.maxSockets ?? 512 });
  const n = Math.round(o.rate * o.seconds);
  const interval = 1000 / o.rate;
  const latency = new Float64Array(n);
  const lag = new Float64Array(n);
  let done = 0;
  let errors = 0;
  let timeouts = 0;
  let non2xx = 0;
  let lastAnswer = 0;
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));

  const complete = (i: number, due: number) => {
    const now = performance.now();
    latency[i] = now - due;
    lastAnswer = now;
    if (++done === n) finish();
  };

  const send = (i: number, due: number) => {
    lag[i] = performance.now() - due;
    let settled = false;
    const req = http.request(
      { host: base.hostname, port: base.port, path: o.paths[i % o.paths.length], method: "GET", agent, headers: o.headers },
      (res) => {
        if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode >= 300) non2xx++;
        res.resume();
        res.on("end", () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          complete(i, due);
        });
      },
    );
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      timeouts++;
      errors++;
      req.destroy();
      latency[i] = timeoutMs;
      if (++done === n) finish();
    }, Math.max(1, due + timeoutMs - performance.now()));
    req.on("error", () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      errors++;
      complete(i, due);
    });
    req.end();
  };

  const t0 = performance.now() + 5;
  let next = 0;
  // The pacing loop: send every request whose time has come, then sleep until the next one is due.
  // setTimeout has ~1 ms granularity; requests due in the same millisecond leave together, each
  // still timed from its own due time.
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < n && t0 + next * interval <= now) {
        send(next, t0 + next * interval);
        next++;
      }
      if (next >= n) return resolve();
      setTimeout(tick, Math.max(0, t0 + next * interval - performance.now()));
    };
    setTimeout(tick, Math.max(0, t0 - performance.now()));
  });
  await finished;
  agent.destroy();
  const sorted = Float64Array.from(latency).sort();
  const lagSorted = Float64Array.from(lag).sort();
  let sum = 0;
  for (const x of latency) sum += x;
  const span = Math.max(o.seconds, (lastAnswer - t0) / 1000);
  return {
    generator: "open-model constant rate",
    rate: o.rate,
    seconds: o.seconds,
    requests: n,
    achievedRate: Math.round((n - errors) / span),
    p50: r2(quantile(sorted, 0.5)),
    p90: r2(quantile(sorted, 0.9)),
    p99: r2(quantile(sorted, 0.99)),
    p999: r2(quantile(sorted, 0.999)),
    max: r2(sorted[n - 1]),
    mean: r2(sum / n),
    errors,
    timeouts,
    non2xx,
    generatorLagP99Ms: r2(quantile(lagSorted, 0.99)),
    generatorLagMaxMs: r2(lagSorted[n - 1]),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [url, rate, seconds, ...paths] = process.argv.slice(2);
  if (!url || !rate || !seconds) {
    console.error("usage: openload.mts <url> <rate> <seconds> [path ...]");
    process.exit(2);
  }
  console.log(JSON.stringify(await openLoad({ url, rate: Number(rate), seconds: Number(seconds), paths: paths.length ? paths : ["/healthz"] })));
}
