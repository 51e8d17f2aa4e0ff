/**
 * Preview: choose a customer (or an anonymous shopper), a product and a placement, and see the list
 * the storefront would show: photos, prices, scores and the reasons, in order.
 */
import { Badge, BlockStack, Button, Card, InlineGrid, InlineStack, Layout, Page, Select, Text, Thumbnail } from "@shopify/polaris";
import { Form, useNavigation } from "@remix-run/react";
import { useEffect, useState } from "react";
import type { PreviewData, PreviewProduct } from "./types";

const PLACEMENTS = [
  { value: "product", label: "Product page: You may also like" },
  { value: "home", label: "Home: Recommended for you" },
  { value: "cart", label: "Cart: Complete your look" },
  { value: "email", label: "Email: New arrivals you'll love" },
  { value: "general", label: "General hybrid" },
];

function ProductTile({ p, rank }: { p: PreviewProduct; rank: number }) {
  return (
    <Card padding="300">
      <div data-preview-product={p.id}>
        <BlockStack gap="200">
          <div style={{ aspectRatio: "1 / 1", background: "#f3f3f3", borderRadius: 8, overflow: "hidden" }}>
            {p.image ? <img src={p.image} alt={p.title} loading="lazy" style={{ width: "100%", height: "100%", objectFit: "cover" }} /> : null}
          </div>
          <InlineStack align="space-between" blockAlign="center">
            <Badge>{`#${rank}`}</Badge>
            <Text as="span" variant="bodySm" tone="subdued">score {p.score.toFixed(3)}</Text>
          </InlineStack>
          <Text as="h3" variant="headingSm">{p.title}</Text>
          <Text as="p" fontWeight="semibold">{p.price}</Text>
          <BlockStack gap="100">
            {p.reasons.map((r, i) => (
              <Text key={i} as="p" variant="bodySm" tone="subdued">{r}</Text>
            ))}
          </BlockStack>
        </BlockStack>
      </div>
    </Card>
  );
}

export function PreviewPage({ data }: { data: PreviewData }) {
  const [placement, setPlacement] = useState(data.placement);
  const [customer, setCustomer] = useState(data.customerId ?? "");
  const [product, setProduct] = useState(data.productId ?? "");
  useEffect(() => {
    setPlacement(data.placement);
    setCustomer(data.customerId ?? "");
    setProduct(data.productId ?? "");
  }, [data.placement, data.customerId, data.productId]);
  const loading = useNavigation().state === "loading";
  const needsProduct = placement === "product" || placement === "cart";

  return (
    <Page title="Preview" subtitle="What a shopper sees, with the scores and reasons behind each product.">
      <Layout>
        <Layout.Section>
          <Card>
            <Form method="get">
              <InlineGrid columns={{ xs: 1, md: 4 }} gap="300" alignItems="end">
                <Select label="Placement" name="placement" options={PLACEMENTS} value={placement} onChange={(v) => setPlacement(v as PreviewData["placement"])} />
                <Select
                  label="Customer"
                  name="customer"
                  options={[{ value: "", label: "Anonymous shopper" }, ...data.customers.map((c) => ({ value: c.id, label: c.label }))]}
                  value={customer}
                  onChange={setCustomer}
                />
                <Select
                  label={needsProduct ? "Product (viewed or in the cart)" : "Product (not used by this placement)"}
                  name="product"
                  options={[{ value: "", label: "None" }, ...data.products.map((p) => ({ value: p.id, label: p.label }))]}
                  value={product}
                  onChange={setProduct}
                />
                <Button submit variant="primary" loading={loading}>Show recommendations</Button>
              </InlineGrid>
            </Form>
          </Card>
        </Layout.Section>
        {data.error ? (
          <Layout.Section>
            <Card><Text as="p" tone="critical">{data.error}</Text></Card>
          </Layout.Section>
        ) : null}
        {data.anchor ? (
          <Layout.Section>
            <Card>
              <InlineStack gap="300" blockAlign="center">
                {data.anchor.image ? <Thumbnail source={data.anchor.image} alt={data.anchor.title} size="large" /> : null}
                <BlockStack>
                  <Text as="p" tone="subdued">{data.placement === "cart" ? "In the cart" : "Viewing"}</Text>
                  <Text as="h2" variant="headingMd">{data.anchor.title}</Text>
                  <Text as="p">{data.anchor.price}</Text>
                </BlockStack>
              </InlineStack>
            </Card>
          </Layout.Section>
        ) : null}
        {data.result ? (
          <Layout.Section>
            <BlockStack gap="300">
              <Text as="p" tone="subdued">
                Model {data.result.modelVersion ?? "(none: popularity and content only)"} · recommendation id {data.result.recommendationId}
              </Text>
              <div data-preview-list>
                <InlineGrid columns={{ xs: 2, md: 4 }} gap="300">
                  {data.result.products.map((p, i) => (
                    <ProductTile key={p.id} p={p} rank={i + 1} />
                  ))}
                </InlineGrid>
              </div>
              {data.result.products.length === 0 ? <Text as="p">No products passed the rules for this request.</Text> : null}
            </BlockStack>
          </Layout.Section>
        ) : null}
      </Layout>
    </Page>
  );
}
