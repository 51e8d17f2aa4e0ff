/** A small shop in the temporary database: products (a few new), customers with profiles and consent, interactions. */
import { rawDb } from "../../app/db.server";

export const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString();

export interface ShopFixture {
  shop: string;
  now: number;
  /** Products created within the last 10 days. */
  newProducts: string[];
}

export function seedShop(shop: string, now: number): ShopFixture {
  const db = rawDb();
  db.prepare(`INSERT INTO Shop (id, currency, locale, updatedAt) VALUES (?, 'EUR', 'de-DE', ?) ON CONFLICT DO NOTHING`).run(shop, iso(now));
  const product = db.prepare(
    `INSERT INTO Product (shop, id, title, category, brand, collection, price, imageUrl, material, gender, stockStatus, createdDate, handle)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const cats = ["rings", "necklaces", "earrings"];
  const newProducts: string[] = [];
  for (let i = 0; i < 30; i++) {
    const ageDays = i % 3 === 0 ? 2 + (i % 7) : 120 + i; // every third product is new (2-8 days old)
    if (ageDays <= 10) newProducts.push(`P${i}`);
    product.run(shop, `P${i}`, `Schmuck ${i}`, cats[i % 3], "Facet", i % 2 ? "Luna" : "Sol", 20 + i * 9, `https://img.example/P${i}.jpg`, ["Silber", "Gold"][i % 2], i % 5 === 0 ? "male" : "female", "in_stock", iso(now - ageDays * DAY), `p-${i}`);
  }
  const customer = db.prepare(
    `INSERT INTO Customer (shop, id, email, gender, ageGroup, country, segment, lifetimeValue, marketingConsent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (let u = 0; u < 12; u++) {
    // C3, C7, C11: no consent. Even customers: female. C0, C4, C8: vip with LTV 900; others regular with 100.
    customer.run(shop, `C${u}`, `c${u}@example.com`, u % 2 ? "male" : "female", ["26-35", "36-45", "18-25"][u % 3], ["DE", "AT", "CH"][u % 3], u % 4 === 0 ? "vip" : "regular", u % 4 === 0 ? 900 : 100, u % 4 === 3 ? 0 : 1);
  }
  const interaction = db.prepare(`INSERT INTO Interaction (shop, id, customerId, productId, type, timestamp) VALUES (?, ?, ?, ?, ?, ?)`);
  let n = 0;
  for (let u = 0; u < 12; u++) {
    for (let j = 0; j < 6; j++) {
      interaction.run(shop, `I${n++}`, `C${u}`, `P${(u * 5 + j * 7) % 30}`, ["view", "click", "add_to_cart", "view", "add_to_wishlist", "purchase"][j], iso(now - (30 - j) * DAY + u * 3_600_000));
    }
  }
  return { shop, now, newProducts };
}
