/** The Polaris not-found page (unknown admin or demo addresses). */
import { BlockStack, Button, Card, Page, Text } from "@shopify/polaris";
import { useI18n } from "../i18n/react";

export function NotFound({ path, home }: { path: string; home: string }) {
  const { t } = useI18n();
  return (
    <Page narrowWidth>
      <Card>
        <div data-not-found>
          <BlockStack gap="300" inlineAlign="start">
            <Text as="h1" variant="headingLg">{t("notFound.heading")}</Text>
            <Text as="p">{t("notFound.body", { path })}</Text>
            <Button variant="primary" url={home}>{t("notFound.action")}</Button>
          </BlockStack>
        </div>
      </Card>
    </Page>
  );
}
