/**
 * The demo storefront's own words (its header, product page, cart, checkout note) in the four
 * languages the theme blocks speak: en, de, fr, it. In a real shop these come from the merchant's
 * theme; the demo stands in for one, so they live in the app's catalogue (app/i18n) too.
 */
export const STOREFRONT_LANGUAGES = ["en", "de", "fr", "it"] as const;
export type StorefrontLanguage = (typeof STOREFRONT_LANGUAGES)[number];

const en = {
  skip: "Skip to content",
  home: "Home",
  cart: "Cart",
  cartCount: "Cart ({count})",
  admin: "Admin",
  shoppingAs: "Shopping as",
  guest: "Guest (not logged in)",
  switch: "Switch",
  language: "Language",
  country: "Country / region",
  addToCart: "Add to cart",
  emptyCart: "Your cart is empty.",
  checkout: "Check out",
  heroTitle: "Jewellery that suits you",
  heroText: "Rings, necklaces, earrings and bracelets from the demo catalogue.",
  thanks: "Thank you! Order {order} ({items}, {total}) is placed. Facet received it the way Shopify sends it, as an orders/create webhook:",
  thanksLink: "see it on the dashboard",
  item: "1 item",
  items: "{count} items",
  footer: "Demo storefront: Facet's theme app blocks rendered from extensions/facet-theme with LiquidJS.",
  events: "{count} events",
  notFound: "Product not found in the demo shop.",
  "category.rings": "Rings",
  "category.necklaces": "Necklaces",
  "category.earrings": "Earrings",
  "category.bracelets": "Bracelets",
  "category.pendants": "Pendants",
  "category.charms": "Charms",
  "category.brooches": "Brooches",
  "category.anklets": "Anklets",
  "category.watches": "Watches",
  "category.chains": "Chains",
};
type Key = keyof typeof en;

const de: Record<Key, string> = {
  skip: "Zum Inhalt springen",
  home: "Start",
  cart: "Warenkorb",
  cartCount: "Warenkorb ({count})",
  admin: "Verwaltung",
  shoppingAs: "Einkaufen als",
  guest: "Gast (nicht angemeldet)",
  switch: "Wechseln",
  language: "Sprache",
  country: "Land / Region",
  addToCart: "In den Warenkorb",
  emptyCart: "Ihr Warenkorb ist leer.",
  checkout: "Zur Kasse",
  heroTitle: "Schmuck, der zu Ihnen passt",
  heroText: "Ringe, Ketten, Ohrringe und Armbänder aus dem Demo-Sortiment.",
  thanks: "Vielen Dank! Die Bestellung {order} ({items}, {total}) ist aufgegeben. Facet hat sie so erhalten, wie Shopify sie schickt, als orders/create-Webhook:",
  thanksLink: "in der Übersicht ansehen",
  item: "1 Artikel",
  items: "{count} Artikel",
  footer: "Demo-Shop: Facets Theme-App-Blöcke, aus extensions/facet-theme mit LiquidJS gerendert.",
  events: "{count} Ereignisse",
  notFound: "Dieses Produkt gibt es im Demo-Shop nicht.",
  "category.rings": "Ringe",
  "category.necklaces": "Ketten",
  "category.earrings": "Ohrringe",
  "category.bracelets": "Armbänder",
  "category.pendants": "Anhänger",
  "category.charms": "Charms",
  "category.brooches": "Broschen",
  "category.anklets": "Fußkettchen",
  "category.watches": "Uhren",
  "category.chains": "Ketten",
};

const fr: Record<Key, string> = {
  skip: "Aller au contenu",
  home: "Accueil",
  cart: "Panier",
  cartCount: "Panier ({count})",
  admin: "Administration",
  shoppingAs: "Acheter en tant que",
  guest: "Invité (non connecté)",
  switch: "Changer",
  language: "Langue",
  country: "Pays / région",
  addToCart: "Ajouter au panier",
  emptyCart: "Votre panier est vide.",
  checkout: "Passer la commande",
  heroTitle: "Des bijoux qui vous ressemblent",
  heroText: "Bagues, colliers, boucles d'oreilles et bracelets du catalogue de démonstration.",
  thanks: "Merci ! La commande {order} ({items}, {total}) est passée. Facet l'a reçue comme Shopify l'envoie, en webhook orders/create :",
  thanksLink: "la voir dans le tableau de bord",
  item: "1 article",
  items: "{count} articles",
  footer: "Boutique de démonstration : les blocs d'application de Facet, rendus depuis extensions/facet-theme avec LiquidJS.",
  events: "{count} événements",
  notFound: "Ce produit n'existe pas dans la boutique de démonstration.",
  "category.rings": "Bagues",
  "category.necklaces": "Colliers",
  "category.earrings": "Boucles d'oreilles",
  "category.bracelets": "Bracelets",
  "category.pendants": "Pendentifs",
  "category.charms": "Charms",
  "category.brooches": "Broches",
  "category.anklets": "Chaînes de cheville",
  "category.watches": "Montres",
  "category.chains": "Chaînes",
};

const it: Record<Key, string> = {
  skip: "Vai al contenuto",
  home: "Home",
  cart: "Carrello",
  cartCount: "Carrello ({count})",
  admin: "Amministrazione",
  shoppingAs: "Acquisti come",
  guest: "Ospite (non connesso)",
  switch: "Cambia",
  language: "Lingua",
  country: "Paese / regione",
  addToCart: "Aggiungi al carrello",
  emptyCart: "Il tuo carrello è vuoto.",
  checkout: "Vai alla cassa",
  heroTitle: "Gioielli che ti somigliano",
  heroText: "Anelli, collane, orecchini e bracciali dal catalogo dimostrativo.",
  thanks: "Grazie! L'ordine {order} ({items}, {total}) è stato effettuato. Facet l'ha ricevuto come lo invia Shopify, come webhook orders/create:",
  thanksLink: "vederlo nella dashboard",
  item: "1 articolo",
  items: "{count} articoli",
  footer: "Negozio dimostrativo: i blocchi app di Facet, resi da extensions/facet-theme con LiquidJS.",
  events: "{count} eventi",
  notFound: "Questo prodotto non esiste nel negozio dimostrativo.",
  "category.rings": "Anelli",
  "category.necklaces": "Collane",
  "category.earrings": "Orecchini",
  "category.bracelets": "Bracciali",
  "category.pendants": "Ciondoli",
  "category.charms": "Charm",
  "category.brooches": "Spille",
  "category.anklets": "Cavigliere",
  "category.watches": "Orologi",
  "category.chains": "Catenine",
};

const CATALOGUES: Record<StorefrontLanguage, Record<Key, string>> = { en, de, fr, it };

export function storefrontText(lang: StorefrontLanguage, key: Key, vars: Record<string, string | number> = {}): string {
  return CATALOGUES[lang][key].replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/** A category in the shopper's language ("rings" -> "Bagues"); an unknown one as it is. */
export function categoryName(lang: StorefrontLanguage, category: string): string {
  const key = `category.${category.toLowerCase()}` as Key;
  return key in en ? CATALOGUES[lang][key] : category;
}

export const storefrontCatalogues = CATALOGUES;
