/**
 * The shop's reference time, read from its data: the latest event (and, when given, the latest
 * product creation date) at or before `now`; `now` itself when there is neither. A live shop's
 * latest event is minutes old, so this is about now; an imported history is read at its own last
 * day instead of decaying to nothing under the wall clock. Training anchors decay at the events
 * alone; the world (popularity windows, trending, new arrivals) also counts product creation.
 */
import type { EventTable } from "./types";

export function referenceTime(events: Pick<EventTable, "length" | "at">, now: number, createdAt?: ArrayLike<number>): number {
  let latest = -Infinity;
  for (let e = 0; e < events.length; e++) {
    const at = events.at[e];
    if (at <= now && at > latest) latest = at;
  }
  if (createdAt) {
    for (let i = 0; i < createdAt.length; i++) {
      const at = createdAt[i];
      if (at <= now && at > latest) latest = at;
    }
  }
  return Number.isFinite(latest) ? latest : now;
}
