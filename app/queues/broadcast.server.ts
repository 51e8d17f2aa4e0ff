/**
 * Serving changes across machines (issue 16 point 4): Redis pub/sub on the channel
 * `${FACET_QUEUE_PREFIX}:serving-changes`. A process that changed what a shop serves (a worker that
 * published a model version or a serving bundle, an admin that saved settings or an experiment, a
 * redaction) announces it; every web process subscribed rebuilds that shop's snapshot at once
 * (app/serving/snapshot.server.ts startChangeWatch). Without REDIS_URL announcing does nothing and
 * the web processes read the change counters instead (one query per poll for all the shops they
 * serve). Delivery is at most once: a message lost while a subscriber reconnects is caught by that
 * counter read, which also runs with Redis, less often.
 */
import crypto from "node:crypto";
import type IORedis from "ioredis";
import { env } from "../env.server";
import { redisConnection, webRedisConnection } from "./bullmq.server";

export type ServingChangeKind = "models" | "bundle" | "settings" | "experiments" | "customer-redacted" | "shop-redacted";

export interface ServingChangeMessage {
  shop: string;
  what: ServingChangeKind;
  /** The announcing process (a subscriber ignores its own announcements: it applied them already). */
  origin: string;
}

/** This process's id in announcements. */
export const PROCESS_ID = crypto.randomBytes(8).toString("hex");

const channel = () => `${env().FACET_QUEUE_PREFIX}:serving-changes`;

let publisher: { url: string; redis: IORedis } | undefined;

/** Tells every subscribed web process that the shop serves something new. Never throws: the counters are the fallback. */
export async function announceServingChange(shop: string, what: ServingChangeKind): Promise<boolean> {
  const url = env().REDIS_URL;
  if (!url) return false;
  if (publisher?.url !== url) {
    publisher?.redis.disconnect();
    publisher = { url, redis: webRedisConnection(url) };
  }
  const message: ServingChangeMessage = { shop, what, origin: PROCESS_ID };
  try {
    await publisher.redis.publish(channel(), JSON.stringify(message));
    return true;
  } catch (e) {
    console.error(`[serving] could not announce ${what} of ${shop} on Redis (${(e as Error).message}): other machines see it at their next change-counter read`);
    return false;
  }
}

/**
 * Subscribes to announcements (own ones excluded); resolves once subscribed. Returns the function
 * that unsubscribes and closes the connection. Null without REDIS_URL.
 */
export async function subscribeServingChanges(onChange: (m: ServingChangeMessage) => void): Promise<(() => Promise<void>) | null> {
  const url = env().REDIS_URL;
  if (!url) return null;
  const sub = redisConnection(url);
  const name = channel();
  sub.on("message", (ch: string, text: string) => {
    if (ch !== name) return;
    let m: ServingChangeMessage;
    try {
      m = JSON.parse(text) as ServingChangeMessage;
    } catch {
      return;
    }
    if (typeof m?.shop === "string" && m.origin !== PROCESS_ID) onChange(m);
  });
  await sub.subscribe(name);
  return async () => {
    await sub.unsubscribe(name).catch(() => undefined);
    sub.disconnect();
  };
}

/** Closes the announcing connection (shutdown, tests). */
export function closeAnnouncer(): void {
  publisher?.redis.disconnect();
  publisher = undefined;
}
