/**
 * A dependency (Redis) that does not answer in time: requests fail fast with 503 instead of hanging
 * (Shopify gives a webhook 5 s; a storefront script less).
 */
export class ServiceUnavailable extends Error {
  readonly status = 503;
}

/** `promise`, or ServiceUnavailable naming `what` after `ms` milliseconds. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ServiceUnavailable(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const isUnavailable = (e: unknown): e is ServiceUnavailable => e instanceof ServiceUnavailable;
