// Liveness probe (app/http/probes.server.ts; the production server answers it before Remix: app/http/front.server.ts).
import { healthz } from "../http/probes.server";

export const loader = () => healthz();
