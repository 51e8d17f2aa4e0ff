import { Link } from "@remix-run/react";

// Landing page outside the Shopify admin: where the demo and a newcomer start.
export default function Index() {
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 720, margin: "3rem auto", lineHeight: 1.5 }}>
      <h1>Facet</h1>
      <p>Personalised recommendations for jewelry stores: what products look like, what customers do, and who they are.</p>
      <ul>
        <li><Link to="/demo">Demo admin</Link></li>
        <li><Link to="/demo/storefront">Demo storefront</Link></li>
      </ul>
    </main>
  );
}
