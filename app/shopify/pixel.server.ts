/**
 * Activates the web pixel (extensions/facet-pixel) for a shop: webPixelCreate with the ingest URL
 * as its setting, or webPixelUpdate when the shop already has it (a re-install or re-auth).
 * Called from hooks.afterAuth with the library's admin GraphQL client.
 */
type AdminGraphql = (query: string, options?: { variables?: Record<string, unknown> }) => Promise<Response>;

interface PixelResult {
  webPixel?: { id: string; settings: string } | null;
  userErrors: { code?: string; field?: string[]; message: string }[];
}

export async function activatePixel(graphql: AdminGraphql, ingestUrl: string): Promise<{ id: string | null; created: boolean }> {
  const settings = JSON.stringify({ ingestUrl });
  const created = (await (
    await graphql(`mutation FacetPixelCreate($settings: JSON!) { webPixelCreate(webPixel: { settings: $settings }) { webPixel { id settings } userErrors { code field message } } }`, {
      variables: { settings },
    })
  ).json()) as { data?: { webPixelCreate: PixelResult } };
  const c = created.data?.webPixelCreate;
  if (c?.webPixel) return { id: c.webPixel.id, created: true };
  if (!c?.userErrors.some((e) => e.code === "TAKEN" || /already/i.test(e.message))) {
    throw new Error(`webPixelCreate failed: ${c?.userErrors.map((e) => e.message).join("; ") ?? "no answer"}`);
  }
  const existing = (await (await graphql(`query FacetPixel { webPixel { id } }`)).json()) as { data?: { webPixel?: { id: string } | null } };
  const id = existing.data?.webPixel?.id;
  if (!id) throw new Error("webPixelCreate said the pixel exists, but webPixel returned none");
  const updated = (await (
    await graphql(`mutation FacetPixelUpdate($id: ID!, $settings: JSON!) { webPixelUpdate(id: $id, webPixel: { settings: $settings }) { webPixel { id } userErrors { code field message } } }`, {
      variables: { id, settings },
    })
  ).json()) as { data?: { webPixelUpdate: PixelResult } };
  const u = updated.data?.webPixelUpdate;
  if (u?.userErrors.length) throw new Error(`webPixelUpdate failed: ${u.userErrors.map((e) => e.message).join("; ")}`);
  return { id, created: false };
}
