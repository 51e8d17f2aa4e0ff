/**
 * Revenue attribution: an order line counts for a recommendation when the same shopper clicked
 * that product in a recommendation list within the attribution window before the order (last
 * click wins). Repeated webhook deliveries of the same order line count once; refunds reduce the
 * attributed revenue of the line they refund. Pure: the caller resolves anonymous client ids to
 * customers (ClientLink) before calling, so a click made before logging in still counts.
 */

export interface RecClick {
  shopper: string;
  productId: string;
  recommendationId: string;
  placement: string;
  experimentId?: string | null;
  variant?: string | null;
  at: number; // epoch ms
}

export interface OrderLine {
  orderId: string;
  lineId: string; // unique per order line: repeats of the same delivery share it
  shopper: string;
  productId: string;
  quantity: number;
  revenue: number; // paid for the line, after discounts
  at: number;
  cancelled?: boolean;
}

export interface Refund {
  lineId: string;
  amount: number;
}

export interface AttributedLine {
  orderId: string;
  lineId: string;
  productId: string;
  shopper: string;
  revenue: number; // net of refunds
  click: RecClick;
}

export interface AttributionResult {
  lines: AttributedLine[];
  /** Orders (deduplicated) split by whether any of their lines was attributed, for AOV with/without. */
  orders: { orderId: string; shopper: string; total: number; attributed: boolean; variant: string | null }[];
}

export const DEFAULT_ATTRIBUTION_WINDOW_DAYS = 7;

export function attribute(clicks: RecClick[], lines: OrderLine[], refunds: Refund[] = [], windowDays = DEFAULT_ATTRIBUTION_WINDOW_DAYS): AttributionResult {
  const windowMs = windowDays * 86_400_000;
  const clicksByKey = new Map<string, RecClick[]>();
  for (const c of clicks) {
    const key = `${c.shopper}\u0000${c.productId}`;
    const list = clicksByKey.get(key) ?? [];
    list.push(c);
    clicksByKey.set(key, list);
  }
  for (const list of clicksByKey.values()) list.sort((a, b) => a.at - b.at);

  const refunded = new Map<string, number>();
  for (const r of refunds) refunded.set(r.lineId, (refunded.get(r.lineId) ?? 0) + r.amount);

  const seen = new Set<string>();
  const attributed: AttributedLine[] = [];
  const orders = new Map<string, { orderId: string; shopper: string; total: number; attributed: boolean; variant: string | null }>();
  for (const line of lines) {
    if (seen.has(line.lineId)) continue; // a repeated webhook delivery
    seen.add(line.lineId);
    if (line.cancelled) continue;
    const net = Math.max(0, line.revenue - (refunded.get(line.lineId) ?? 0));
    const order = orders.get(line.orderId) ?? { orderId: line.orderId, shopper: line.shopper, total: 0, attributed: false, variant: null };
    order.total += net;
    orders.set(line.orderId, order);
    const click = lastClickBefore(clicksByKey.get(`${line.shopper}\u0000${line.productId}`), line.at, windowMs);
    if (!click) continue;
    attributed.push({ orderId: line.orderId, lineId: line.lineId, productId: line.productId, shopper: line.shopper, revenue: net, click });
    order.attributed = true;
    order.variant ??= click.variant ?? null;
  }
  return { lines: attributed, orders: [...orders.values()] };
}

function lastClickBefore(list: RecClick[] | undefined, at: number, windowMs: number): RecClick | null {
  if (!list) return null;
  for (let i = list.length - 1; i >= 0; i--) {
    const c = list[i];
    if (c.at > at) continue;
    return at - c.at <= windowMs ? c : null;
  }
  return null;
}
