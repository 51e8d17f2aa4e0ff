/**
 * The shop's catalogue as columns (app/recommend/types.ts Catalog): one raw read, no per-row ORM
 * objects, so that 50,000 products load in milliseconds. Deleted products are left out.
 */
import { rawDb } from "../db.server";
import type { Catalog } from "../recommend/types";

interface Row {
  id: string;
  title: string;
  category: string;
  brand: string;
  collection: string | null;
  material: string;
  color: string | null;
  gender: string | null;
  stoneType: string | null;
  price: number;
  salePrice: number | null;
  stockStatus: string;
  createdDate: string | null;
  tags: string | null;
  imageUrl: string;
  handle: string | null;
}

export function loadCatalog(shop: string): Catalog {
  const rows = rawDb()
    .prepare(
      `SELECT id, title, category, brand, collection, material, color, gender, stoneType, price, salePrice,
              stockStatus, createdDate, tags, imageUrl, handle
       FROM Product WHERE shop = ? AND deletedAt IS NULL ORDER BY id`,
    )
    .all(shop) as Row[];
  const n = rows.length;
  const catalog: Catalog = {
    ids: new Array(n),
    index: new Map(),
    title: new Array(n),
    category: new Array(n),
    brand: new Array(n),
    collection: new Array(n),
    material: new Array(n),
    color: new Array(n),
    gender: new Array(n),
    stoneType: new Array(n),
    price: new Float64Array(n),
    inStock: new Uint8Array(n),
    createdAt: new Float64Array(n),
    tags: new Array(n),
    imageUrl: new Array(n),
    handle: new Array(n),
  };
  rows.forEach((r, i) => {
    catalog.ids[i] = r.id;
    catalog.index.set(r.id, i);
    catalog.title[i] = r.title;
    catalog.category[i] = r.category;
    catalog.brand[i] = r.brand;
    catalog.collection[i] = r.collection;
    catalog.material[i] = r.material;
    catalog.color[i] = r.color;
    catalog.gender[i] = r.gender;
    catalog.stoneType[i] = r.stoneType;
    // The price a shopper pays: the sale price when there is one.
    catalog.price[i] = r.salePrice ?? r.price;
    catalog.inStock[i] = r.stockStatus === "out_of_stock" ? 0 : 1;
    catalog.createdAt[i] = r.createdDate ? Date.parse(r.createdDate) : NaN;
    catalog.tags[i] = r.tags ? r.tags.split(",").map((t) => t.trim().toLowerCase()).filter(Boolean) : [];
    catalog.imageUrl[i] = r.imageUrl;
    catalog.handle[i] = r.handle;
  });
  return catalog;
}
