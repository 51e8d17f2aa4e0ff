/**
 * The demo shop's two-year calendar, ending at `now`: day indexes, dates as text, and the
 * seasonal shape of demand (Christmas, Valentine's Day, Mother's Day peaks; a growing shop).
 * Day 0 is the first day of the window; day DAYS_IN_WINDOW - 1 is the day before `now`.
 */
export const DAYS_IN_WINDOW = 730;
export const SEASONS = ["christmas", "valentines", "mothers_day"] as const;
export type Season = (typeof SEASONS)[number];

const DAY_MS = 86_400_000;

export class Calendar {
  /** UTC midnight of day 0. */
  readonly startMs: number;
  private readonly dateText: string[] = [];
  /** Relative demand per day (sessions are drawn by it). */
  readonly demand: Float64Array;
  /** The season a day belongs to (the run-up to the peak day), or null. */
  readonly seasonOf: Array<Season | null>;
  readonly peaks: Record<Season, number[]>;

  constructor(now: Date) {
    const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
    this.startMs = today - DAYS_IN_WINDOW * DAY_MS;
    for (let d = 0; d < DAYS_IN_WINDOW; d++) this.dateText.push(new Date(this.startMs + d * DAY_MS).toISOString().slice(0, 10));
    this.peaks = { christmas: [], valentines: [], mothers_day: [] };
    const firstYear = new Date(this.startMs).getUTCFullYear();
    for (let y = firstYear; y <= firstYear + 3; y++) {
      this.peaks.christmas.push(this.dayOf(Date.UTC(y, 11, 24)));
      this.peaks.valentines.push(this.dayOf(Date.UTC(y, 1, 14)));
      this.peaks.mothers_day.push(this.dayOf(mothersDay(y)));
    }
    this.demand = new Float64Array(DAYS_IN_WINDOW);
    this.seasonOf = new Array(DAYS_IN_WINDOW).fill(null);
    for (let d = 0; d < DAYS_IN_WINDOW; d++) {
      const growth = 1 + d / DAYS_IN_WINDOW; // the shop doubles its traffic over two years
      const weekday = new Date(this.startMs + d * DAY_MS).getUTCDay();
      const weekly = weekday === 0 ? 1.15 : weekday === 6 ? 0.9 : 1; // Sunday evening browsing
      let seasonal = 1;
      for (const s of SEASONS) {
        const run = SEASON_RUN_UP[s];
        for (const peak of this.peaks[s]) {
          const before = peak - d;
          if (before >= 0 && before < run.days) {
            // demand ramps up towards the peak day and stops just before it (delivery deadlines)
            const boost = before < 2 ? 0.5 * run.boost : run.boost * (1 - before / run.days) + 0.3;
            if (1 + boost > seasonal) {
              seasonal = 1 + boost;
              this.seasonOf[d] = s;
            }
          }
        }
      }
      this.demand[d] = growth * weekly * seasonal;
    }
  }

  /** YYYY-MM-DD of a day index. */
  date(day: number): string {
    return this.dateText[day] ?? new Date(this.startMs + day * DAY_MS).toISOString().slice(0, 10);
  }

  /** Day index of a UTC timestamp (may fall outside the window). */
  dayOf(ms: number): number {
    return Math.floor((ms - this.startMs) / DAY_MS);
  }

  /** Peak days of a season that fall inside the window. */
  seasonDays(season: Season): number[] {
    return this.peaks[season].filter((d) => d >= 0 && d < DAYS_IN_WINDOW);
  }
}

/** How long before its peak day a season lifts demand, and by how much at the top. */
const SEASON_RUN_UP: Record<Season, { days: number; boost: number }> = {
  christmas: { days: 35, boost: 2.2 },
  valentines: { days: 14, boost: 1.4 },
  mothers_day: { days: 14, boost: 1.0 },
};

/** Mother's Day in Germany, Austria and Switzerland: the second Sunday of May. */
function mothersDay(year: number): number {
  const may1 = new Date(Date.UTC(year, 4, 1)).getUTCDay();
  const firstSunday = 1 + ((7 - may1) % 7);
  return Date.UTC(year, 4, firstSunday + 7);
}

/** "YYYY-MM-DD HH:MM:SS" of a day index and seconds since its midnight. */
export function timestampText(calendar: Calendar, day: number, secondOfDay: number): string {
  let d = day;
  let s = Math.floor(secondOfDay);
  while (s >= 86_400) {
    s -= 86_400;
    d++;
  }
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  return `${calendar.date(d)} ${pad2(hh)}:${pad2(mm)}:${pad2(ss)}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
