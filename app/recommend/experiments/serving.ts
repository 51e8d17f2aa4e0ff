/**
 * Experiments at serving time, pure: which running experiment applies to a request, the
 * shopper's variant, and the recommendation id that carries the assignment to the block events.
 *
 * Recommendation id: `<uuid>~<experiment id>~<variant id>` while an experiment applies, else the
 * bare uuid. The blocks send the id back with every impression, click and add-to-cart, so an event
 * names its variant without a lookup (the ids' alphabets exclude "~": variant ids are
 * [A-Za-z0-9_-], experiment ids "exp_" + hex).
 */
import { assignVariant } from "./assign";

export interface ServingVariant {
  id: string;
  weight: number;
  holdout?: boolean;
  settings?: Record<string, unknown>;
}

export interface ServingExperiment {
  id: string;
  placement: string;
  variants: ServingVariant[];
  startAt: Date | null;
  endAt: Date | null;
}

export interface Assignment {
  experimentId: string;
  variant: ServingVariant;
}

/** The running experiment of a placement whose window includes `now` (at most one runs per placement). */
export function experimentFor<E extends ServingExperiment>(running: readonly E[], placement: string, now: number): E | null {
  for (const e of running) {
    if (e.placement !== placement) continue;
    if (e.startAt && e.startAt.getTime() > now) continue;
    if (e.endAt && e.endAt.getTime() <= now) continue;
    return e;
  }
  return null;
}

/**
 * The shopper's variant: by customer id when logged in, else by the anonymous client id. A request
 * with neither is not in the experiment (it gets the placement's own settings and no exposure).
 */
export function assignmentFor(exp: ServingExperiment | null, customerId: string | null | undefined, clientId: string | null | undefined): (Assignment & { shopper: string }) | null {
  const shopper = customerId || clientId;
  if (!exp || !shopper) return null;
  const id = assignVariant(exp.id, shopper, exp.variants);
  return { experimentId: exp.id, variant: exp.variants.find((v) => v.id === id)!, shopper };
}

const SEP = "~";

export function experimentRecommendationId(base: string, a: { experimentId: string; variant: string } | null): string {
  return a ? `${base}${SEP}${a.experimentId}${SEP}${a.variant}` : base;
}

/** The experiment and variant a recommendation id carries, or null for a list served outside experiments. */
export function parseRecommendationId(id: string): { base: string; experimentId: string; variant: string } | null {
  const parts = id.split(SEP);
  if (parts.length !== 3 || !parts[1] || !parts[2]) return null;
  return { base: parts[0], experimentId: parts[1], variant: parts[2] };
}
