/**
 * Anomaly benchmark data. Deterministic for a seed; runs in the page, outside the timed region.
 *
 * - `generateAnomalyEvents`: exactly `events` rows of lead-funnel events (`lead` 70%, `visit`
 *   20%, `won` 10%) over 180 days from 2026-01-05 in Asia/Shanghai, each tagged with one of 36
 *   campaigns (three per lead source of DOMAIN.md, Zipf-like shares), as columns (`ts` epoch ms on
 *   whole minutes, sorted; `event`; `campaign`). Weekends carry about half a weekday's rows, and
 *   volume grows 20% over the span. Two planted incidents: `paid search 1` loses 85% of its rows
 *   on days 100–102 (2026-04-15–17), and on day 150 (2026-06-04) 12% of the other campaigns' rows
 *   go to `website 1`, about doubling its day.
 * - `generateFiveYearPoints`: 1,826 daily points (2021-01-01 to 2025-12-31) with growth, a yearly
 *   wave, ±14% bounded noise and a few planted spikes and dips.
 * @module
 */
import { createRng, LEAD_SOURCES, normalish, weightedPicker } from '../demo/data/sample-data.js';
import { DAY, MINUTE } from './data.js';

/** Asia/Shanghai: UTC+8 all year (no daylight saving since 1991). */
export const TIME_ZONE = 'Asia/Shanghai';
export const OFFSET_MS = 8 * 3_600_000;
export const ANOMALY_DAYS = 180;
/** 2026-01-05 00:00 in Asia/Shanghai. */
const T0 = Date.UTC(2026, 0, 5) - OFFSET_MS;
/** Sunday first, as Date#getUTCDay counts. */
const WEEKDAY = [0.5, 1, 1.05, 1.05, 1, 0.9, 0.55];
const EVENTS = { lead: 70, visit: 20, won: 10 };

/** 36 campaigns: `website 1`, `referral 1`, …, `whitepaper download 3`. */
export const CAMPAIGNS: string[] = [1, 2, 3].flatMap((round) => LEAD_SOURCES.map((source) => `${source} ${round}`));

export interface AnomalyBenchData {
  columns: { ts: number[]; event: string[]; campaign: string[] };
  events: number;
  /** Distinct campaigns with at least one row. */
  campaigns: number;
  /** `lead` rows, the ones the benchmark's measure counts. */
  leads: number;
}

export function generateAnomalyEvents({ seed = 1, events }: { seed?: number; events: number }): AnomalyBenchData {
  const rng = createRng(seed);
  // Shares fall with the campaign's index (a long tail), with some jitter so no two tie.
  const pickCampaign = weightedPicker(Object.fromEntries(CAMPAIGNS.map((c, i) => [c, (1 / (i + 3) ** 0.9) * (0.9 + 0.2 * rng())])));
  const pickEvent = weightedPicker(EVENTS);
  const weights = Array.from({ length: ANOMALY_DAYS }, (_, d) => WEEKDAY[new Date(T0 + OFFSET_MS + d * DAY).getUTCDay()] * (1 + (0.2 * d) / ANOMALY_DAYS));
  const total = weights.reduce((a, b) => a + b, 0);
  const perDay = weights.map((w) => Math.floor((events * w) / total));
  perDay[perDay.length - 1] += events - perDay.reduce((a, b) => a + b, 0);

  const ts: number[] = [];
  const event: string[] = [];
  const campaign: string[] = [];
  const seen = new Set<string>();
  let leads = 0;
  for (let d = 0; d < ANOMALY_DAYS; d++) {
    const minutes = new Int32Array(perDay[d]);
    for (let i = 0; i < minutes.length; i++) minutes[i] = Math.floor(rng() * 1440);
    minutes.sort();
    for (let i = 0; i < minutes.length; i++) {
      let c = pickCampaign(rng);
      // Planted: paid search 1 pauses (85% of its rows go to the campaign drawn next), website 1 triples.
      if (c === 'paid search 1' && d >= 100 && d <= 102 && rng() < 0.85) c = pickCampaign(rng);
      if (d === 150 && c !== 'website 1' && rng() < 0.12) c = 'website 1';
      const e = pickEvent(rng);
      ts.push(T0 + d * DAY + minutes[i] * MINUTE);
      event.push(e);
      campaign.push(c);
      seen.add(c);
      if (e === 'lead') leads++;
    }
  }
  return { columns: { ts, event, campaign }, events: ts.length, campaigns: seen.size, leads };
}

/** Five years of daily points, `YYYY-MM-DD`, as a warehouse would hand them over. */
export function generateFiveYearPoints({ seed = 1 }: { seed?: number } = {}): Array<{ t: string; value: number }> {
  const rng = createRng(seed);
  const start = Date.UTC(2021, 0, 1);
  const days = (Date.UTC(2026, 0, 1) - start) / DAY; // 1,826
  const spikes = new Map<number, number>([[400, 1.9], [777, 0.3], [1200, 2.2], [1500, 0.4], [1501, 0.45]]);
  return Array.from({ length: days }, (_, d) => {
    const ms = start + d * DAY;
    const yearly = 1 + 0.08 * Math.sin((2 * Math.PI * d) / 365.25);
    const value = 1200 * (1 + (0.6 * d) / days) * yearly * (1 + 0.04 * normalish(rng)) * (spikes.get(d) ?? 1);
    return { t: new Date(ms).toISOString().slice(0, 10), value: Math.round(value) };
  });
}
