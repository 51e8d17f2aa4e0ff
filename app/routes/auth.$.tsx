/**
 * /auth/*: the OAuth dance (install, re-auth, callback), handled by shopify-app-remix. On success
 * the library stores the offline session in Prisma and runs hooks.afterAuth (app/shopify.server.ts),
 * which starts the first sync.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { authenticate } = await import("../shopify.server");
  await authenticate.admin(request);
  return null;
};
