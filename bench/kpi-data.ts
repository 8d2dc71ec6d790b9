/**
 * KPI benchmark data: the demo's lead-to-cash events (`generateLeadToCash`: the B2B funnel plus
 * leads, lost deals, invoices, collections and marketing spend) for `entities` opportunities,
 * padded with sales activity to exactly `events` rows, sorted by time. Deterministic for a seed.
 * Runs in the page, outside the timed region.
 * @module
 */
import { generateLeadToCash, toColumns } from '../demo/data/sample-data.js';
import { sortByTime, withActivity } from './data.js';

export interface KpiBenchData {
  columns: Record<string, unknown[]>;
  events: number;
  /** Distinct entities: opportunities, leads that never became one, deals signed before the window. */
  entities: number;
  /** Rows of each event the KPIs read. */
  leads: number;
  closed: number;
  cash: number;
}

export function generateKpiData({ seed = 1, entities, events }: { seed?: number; entities: number; events: number }): KpiBenchData {
  const base = generateLeadToCash({ seed, entities, timeFormat: 'ms' });
  const sorted = sortByTime(withActivity(base, events, seed, 'lead-to-cash events').rows);
  const count = (names: string[]) => base.reduce((n, r) => n + (names.includes(r.event) ? 1 : 0), 0);
  return {
    columns: toColumns(sorted),
    events: sorted.length,
    entities: new Set(base.map((r) => r.entity).filter((e) => e !== null)).size,
    leads: count(['lead']),
    closed: count(['signed', 'lost']),
    cash: count(['invoice', 'collected']),
  };
}
