import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig, type UserConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";

// The Shopify CLI sets SHOPIFY_APP_URL; HMR goes through it when the app runs inside the admin.
const host = new URL(process.env.SHOPIFY_APP_URL || "http://localhost").hostname;

export default defineConfig({
  server: {
    port: Number(process.env.PORT || 3000),
    hmr: host === "localhost" ? { protocol: "ws", host: "localhost", port: 64999, clientPort: 64999 } : { protocol: "wss", host, port: 64999, clientPort: 443 },
    fs: { allow: ["app", "node_modules"] },
  },
  plugins: [
    remix({
      ignoredRouteFiles: ["**/.*", "**/*.test.*"],
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_lazyRouteDiscovery: true,
        v3_singleFetch: false,
        v3_routeConfig: false,
      },
    }),
    tsconfigPaths(),
  ],
  build: { assetsInlineLimit: 0 },
  // Native and server-only packages stay external to the server bundle.
  ssr: { external: ["better-sqlite3", "hnswlib-node", "onnxruntime-node", "sharp", "@prisma/client", "bullmq", "ioredis", "h5wasm"] },
  optimizeDeps: { include: ["@shopify/app-bridge-react", "@shopify/polaris"] },
}) satisfies UserConfig;
