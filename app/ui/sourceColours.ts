/**
 * One colour per recommender across every chart of the admin (evaluation): the same source is the
 * same colour in each chart; every blend of Facet shares one colour, the baselines are greys.
 */
const COLOURS: Record<string, string> = {
  random: "#b5b5b5",
  popularity: "#7a7a7a",
  visual: "#8051ff",
  collaborative: "#005bd3",
  "bought-together": "#00a0ac",
  demographic: "#b98900",
  recency: "#29845a",
  "cross-sell": "#e56f00",
  "recent-popularity": "#5c5f62",
  "new-arrivals": "#6b4f00",
};
export const BLEND_COLOUR = "#c4368c";

export function sourceColour(name: string): string {
  if (name.startsWith("blend")) return BLEND_COLOUR;
  return COLOURS[name] ?? "#303030";
}
