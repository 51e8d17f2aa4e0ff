/**
 * Fixed-window rate limits for the ingest endpoint, counted in events (not requests), per shop and
 * per client. On Redis (REDIS_URL: shared by every app process) with INCRBY + PEXPIRE in one
 * MULTI; in memory otherwise (one process, the embedded default).
 */
import type IORedis from "ioredis";
import { systemClock } from "../clock";

export interface RateLimiter {
  /** Adds `n` to the key's window; false when that goes over `limit` (nothing is counted then). */
  take(key: string, n: number, limit: number, windowMs: number, now?: number): Promise<boolean>;
  close(): Promise<void>;
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  async take(key: string, n: number, limit: number, windowMs: number, now = systemClock.nowMs()): Promise<boolean> {
    const start = Math.floor(now / windowMs) * windowMs;
    let w = this.windows.get(key);
    if (!w || w.start !== start) {
      w = { start, count: 0 };
      this.windows.set(key, w);
      if (this.windows.size > 100_000) this.evict(start);
    }
    if (w.count + n > limit) return false;
    w.count += n;
    return true;
  }
  private evict(current: number): void {
    for (const [k, w] of this.windows) if (w.start < current) this.windows.delete(k);
  }
  async close(): Promise<void> {}
}

export class RedisRateLimiter implements RateLimiter {
  constructor(private readonly redis: IORedis, private readonly prefix = "facet:rl") {}
  async take(key: string, n: number, limit: number, windowMs: number, now = systemClock.nowMs()): Promise<boolean> {
    const window = Math.floor(now / windowMs);
    const k = `${this.prefix}:${key}:${window}`;
    const res = await this.redis.multi().incrby(k, n).pexpire(k, windowMs * 2).exec();
    const count = Number(res?.[0]?.[1] ?? 0);
    if (count > limit) {
      await this.redis.decrby(k, n); // a refused batch does not eat the budget of the next one
      return false;
    }
    return true;
  }
  async close(): Promise<void> {
    await this.redis.quit();
  }
}
