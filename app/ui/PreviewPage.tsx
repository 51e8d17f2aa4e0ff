/**
 * Preview: choose a customer (or an anonymous shopper), a product and a placement, and see the list
 * the storefront would show: photos, prices, scores and the reasons, in order.
 */
import { Badge, BlockStack, Button, Card, InlineGrid, InlineStack, Layout, Page, Select, Text, Thumbnail } from "@shopify/polaris";
import { Form, useNavigation } from "@remix-run/react";
import { useEffect, useState } from "react";
import { useI18n } from "../i18n/react";
import type { PreviewData, PreviewProduct } from "./types";

const PLACEMENTS = ["product", "home", "cart", "email", "general"] as const;

function ProductTile({ p, rank }: { p: PreviewProduct; rank: number }) {
  const { t, fmt } = useI18n();
  return (
    <Card padding="300">
      <div data-preview-product={p.id}>
        <BlockStack gap="200">
          <div style={{ aspectRatio: "1 / 1", background: "#f3f3f3", borderRadius: 8, overflow: "hidden" }}>
            {p.image ? <img src={p.image} alt={p.title} loading="lazy" style={{ width: "100%", height: "100%", objectFit: "cover" }} /> : null}
          </div>
          <InlineStack align="space-between" blockAlign="center">
            <Badge>{`#${rank}`}</Badge>
            <Text as="span" variant="bodySm" tone="subdued">{t("preview.score", { score: fmt.fixed(p.score, 3) })}</Text>
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

/** The product being viewed or in the cart, above the list. */
function AnchorCard({ anchor, inCart }: { anchor: NonNullable<PreviewData["anchor"]>; inCart: boolean }) {
  const { t } = useI18n();
  return (
    <Layout.Section>
      <Card>
        <div data-preview-anchor>
        <InlineStack gap="300" blockAlign="center">
          {anchor.image ? <Thumbnail source={anchor.image} alt={anchor.title} size="large" /> : null}
          <BlockStack>
            <Text as="p" tone="subdued">{inCart ? t("preview.inCart") : t("preview.viewing")}</Text>
            <Text as="h2" variant="headingMd">{anchor.title}</Text>
            <Text as="p">{anchor.price}</Text>
          </BlockStack>
        </InlineStack>
        </div>
      </Card>
    </Layout.Section>
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
  const { t } = useI18n();

  return (
    <Page title={t("title.preview")} subtitle={t("preview.subtitle")}>
      <Layout>
        <Layout.Section>
          <Card>
            <Form method="get">
              <InlineGrid columns={{ xs: 1, md: 4 }} gap="300" alignItems="end">
                <Select label={t("preview.placement")} name="placement" options={PLACEMENTS.map((value) => ({ value, label: t(`preview.placement.${value}`) }))} value={placement} onChange={(v) => setPlacement(v as PreviewData["placement"])} />
                <Select
                  label={t("preview.customer")}
                  name="customer"
                  options={[{ value: "", label: t("preview.anonymous") }, ...data.customers.map((c) => ({ value: c.id, label: c.label }))]}
                  value={customer}
                  onChange={setCustomer}
                />
                <Select
                  label={needsProduct ? t("preview.product") : t("preview.productUnused")}
                  name="product"
                  options={[{ value: "", label: t("preview.none") }, ...data.products.map((p) => ({ value: p.id, label: p.label }))]}
                  value={product}
                  onChange={setProduct}
                />
                <Button submit variant="primary" loading={loading}>{t("preview.show")}</Button>
              </InlineGrid>
            </Form>
          </Card>
        </Layout.Section>
        {data.error ? (
          <Layout.Section>
            <Card><Text as="p" tone="critical">{data.error}</Text></Card>
          </Layout.Section>
        ) : null}
        {data.anchor ? <AnchorCard anchor={data.anchor} inCart={data.placement === "cart"} /> : null}
        {data.result ? (
          <Layout.Section>
            <BlockStack gap="300">
              <Text as="p" tone="subdued">
                {data.result.modelVersion ? t("preview.model", { version: data.result.modelVersion }) : t("preview.modelNone")} · {t("preview.recId", { id: data.result.recommendationId })}
              </Text>
              <div data-preview-list>
                <InlineGrid columns={{ xs: 2, md: 4 }} gap="300">
                  {data.result.products.map((p, i) => (
                    <ProductTile key={p.id} p={p} rank={i + 1} />
                  ))}
                </InlineGrid>
              </div>
              {data.result.products.length === 0 ? <Text as="p">{t("preview.empty")}</Text> : null}
            </BlockStack>
          </Layout.Section>
        ) : null}
      </Layout>
    </Page>
  );
}
