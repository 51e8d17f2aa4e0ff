/**
 * /auth/login: the shop-domain form for installs that do not start from the Shopify admin
 * (App Store installs go straight to /auth). `login` validates the domain and redirects into OAuth.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";

type LoginErrors = { shop?: string };

async function loginErrors(request: Request): Promise<LoginErrors> {
  const { login } = await import("../shopify.server");
  let result: { shop?: string } | Response;
  try {
    result = (await login(request)) as { shop?: string } | Response;
  } catch (e) {
    if (e instanceof Response) throw e;
    // login() reads POSTs as a form: any other body (or method) is the client's error, not the server's.
    throw new Response("Send the shop domain as a form field (shop=example.myshopify.com).", { status: 400 });
  }
  if (result instanceof Response) throw result;
  const messages: Record<string, string> = { MISSING_SHOP: "Enter your shop domain", INVALID_SHOP: "Enter a valid shop domain (example.myshopify.com)" };
  return result.shop ? { shop: messages[result.shop] ?? result.shop } : {};
}

export const loader = async ({ request }: LoaderFunctionArgs) => ({ errors: await loginErrors(request) });
export const action = async ({ request }: ActionFunctionArgs) => ({ errors: await loginErrors(request) });

export default function AuthLogin() {
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors = actionData?.errors ?? loaderData.errors;
  return (
    <main style={{ fontFamily: "system-ui", maxWidth: 420, margin: "4rem auto" }}>
      <h1>Facet: log in</h1>
      <Form method="post">
        <label>
          Shop domain
          <input name="shop" type="text" autoComplete="on" placeholder="example.myshopify.com" style={{ display: "block", width: "100%" }} />
        </label>
        {errors.shop ? <p role="alert">{errors.shop}</p> : null}
        <button type="submit">Log in</button>
      </Form>
    </main>
  );
}
