/**
 * What the storefront shows of a recommendation list: the cards of the app blocks, the app proxy's
 * JSON, and the admin's preview all use this shape (built from app/serving's answer).
 */
export interface StorefrontProduct {
  id: string;
  title: string;
  /** In the shop's currency (the catalogue's prices). */
  price: number;
  image: string | null;
  /** Storefront path, e.g. /products/silver-ring (already prefixed with the locale's root). */
  url: string;
  score: number;
  /** Why, readable by a shopper, in the request's language; strongest first. */
  reasons: string[];
}

export interface StorefrontList {
  recommendationId: string;
  placement: string;
  modelVersion: string | null;
  currency: string;
  /** BCP 47 locale used for prices, e.g. de-DE. */
  locale: string;
  products: StorefrontProduct[];
  /** The running experiment and the shopper's variant this list was served under (null outside experiments). */
  experiment?: { id: string; variant: string } | null;
}
