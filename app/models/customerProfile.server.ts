/**
 * Customer profiles as the recommender sees them (app/recommend/types.ts CustomerProfile), one raw
 * read per shop, and the personalisation opt-out.
 */
import { rawDb } from "../db.server";
import type { CustomerProfile } from "../recommend/types";
import { systemClock } from "../clock";

interface Row {
  id: string;
  gender: string | null;
  ageGroup: string | null;
  country: string | null;
  avgOrderValue: number | null;
  segment: string | null;
  lifetimeValue: number | null;
  personalizationOptOut: number;
  marketingConsent: number | null;
}

export function loadCustomerProfiles(shop: string): CustomerProfile[] {
  const rows = rawDb()
    .prepare(
      `SELECT id, gender, ageGroup, country, avgOrderValue, segment, lifetimeValue, personalizationOptOut, marketingConsent
       FROM Customer WHERE shop = ? ORDER BY id`,
    )
    .all(shop) as Row[];
  return rows.map((r) => ({
    id: r.id,
    gender: r.gender,
    ageGroup: r.ageGroup,
    country: r.country,
    avgOrderValue: r.avgOrderValue,
    segment: r.segment,
    lifetimeValue: r.lifetimeValue,
    optOut: r.personalizationOptOut === 1,
    marketingConsent: r.marketingConsent === null ? null : r.marketingConsent === 1,
  }));
}

/**
 * Records a customer's choice about personalisation. Returns false when the customer is unknown.
 * The serving snapshot picks the change up at its next freshness check (servingStamp).
 */
export function setPersonalizationOptOut(shop: string, customerId: string, optOut: boolean): boolean {
  const r = rawDb()
    .prepare(`UPDATE Customer SET personalizationOptOut = ?, updatedAt = ? WHERE shop = ? AND id = ?`)
    .run(optOut ? 1 : 0, systemClock.now().toISOString(), shop, customerId);
  return r.changes > 0;
}
