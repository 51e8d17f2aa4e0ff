// Readiness probe (app/http/probes.server.ts; the production server answers it before Remix: app/http/front.server.ts).
import { readyz } from "../http/probes.server";

export const loader = () => readyz();
