/**
 * The cohort differential cases both warehouse dialects run (cohort-duckdb.test.ts,
 * cohort-clickhouse.test.ts): random small event logs (ties, events on period edges, days around
 * DST changes in several zones, fractional values, missing breakdown values), random cohort
 * contracts over them (every type, mode, period and measure, breakdowns, ranges, "now"), what a
 * widget draws from a view model, and the comparisons of a warehouse run — counts, and drill-down
 * lists — with the in-memory engine.
 */
import assert from 'node:assert/strict';
import { computeInline } from '../../src/analytics/compute.js';
import type { CohortContract, CohortEvent, InlineContract, WhereClause } from '../../src/analytics/contract.js';
import { ContractError } from '../../src/analytics/contract-error.js';
import type { CohortViewModel } from '../../src/analytics/cohort/view-model.js';
import { ordinalStart, periodOrdinal } from '../../src/analytics/time.js';
import type { CohortEntitiesRequest } from '../../src/warehouse/index.js';
import { prng, type ColumnType, pick, type Row } from './support.js';

export const COLUMNS: Array<[string, ColumnType]> = [
  ['user', 'VARCHAR'],
  ['ts', 'DOUBLE'],
  ['event', 'VARCHAR'],
  ['plan', 'VARCHAR'],
  ['n', 'DOUBLE'],
  ['channel', 'VARCHAR'],
];
export type { Row } from './support.js';
export type Period = 'hour' | 'day' | 'week' | 'month';

/** Picks one element. */
export { pick } from './support.js';

export const DAY = 86_400_000;
/** A Monday. */
export const T0 = Date.UTC(2026, 0, 5);

/** Zones with and without DST, a half-hour DST (Lord Howe) and a half-hour offset (Kolkata). */
const ZONES = ['UTC', 'America/New_York', 'Asia/Shanghai', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Europe/London', 'America/Santiago'];
/**
 * Instants next to clock changes (New York, London, Lord Howe both ways, Santiago skipping
 * midnight so that a day starts at 01:00) and an ordinary one.
 */
const ANCHORS = [
  Date.UTC(2026, 2, 8, 7),
  Date.UTC(2026, 10, 1, 6),
  Date.UTC(2026, 2, 29, 1),
  Date.UTC(2026, 3, 4, 15),
  Date.UTC(2026, 9, 3, 15, 30),
  Date.UTC(2026, 8, 6, 4),
  Date.UTC(2026, 0, 31, 16),
];
/** The step between event times per period (events land on period edges) and how many steps a log spans. */
const STEP: Record<Period, [ms: number, steps: number]> = {
  hour: [15 * 60_000, 40],
  day: [3_600_000, 120],
  week: [6 * 3_600_000, 120],
  month: [86_400_000, 150],
};

export interface Log {
  rows: Row[];
  base: number;
  step: number;
  span: number;
}

/**
 * A small log around an anchor: times on multiples of a step from the start of the anchor's
 * period in the zone (so many ties and events exactly on period edges), a few entities (missing
 * and empty ones too), fractional values whose sums depend on the order they are added in, and
 * breakdown values missing, empty or named "Other".
 */
export function randomLog(r: () => number, zone: string, period: Period): Log {
  const [step, steps] = STEP[period];
  const anchor = pick(r, ANCHORS);
  const base = ordinalStart(periodOrdinal(anchor, period, zone) - 1, period, zone);
  const rows: Row[] = [];
  // One log in ten is larger: cohorts of dozens of members, sums of hundreds of values.
  const large = r() < 0.1;
  const count = large ? 300 + Math.floor(r() * 300) : 1 + Math.floor(r() * 45);
  const entities = large ? 20 + Math.floor(r() * 40) : 1 + Math.floor(r() * 6);
  for (let i = 0; i < count; i++) {
    const roll = r();
    rows.push({
      user: roll < 0.03 ? null : roll < 0.05 ? '' : `u${Math.floor(r() * entities)}`,
      ts: base + Math.floor(r() * steps) * step + (r() < 0.05 ? 0.5 : 0),
      event: pick(r, ['a', 'b', 'c', 'a']),
      plan: pick(r, ['free', 'pro', null]),
      n: pick(r, [1, 2, 0.1, 0.2, 0.3, 1 / 3, -0.7, null]),
      channel: pick(r, ['ads', 'seo', 'mail', 'Other', null, '']),
    });
  }
  return { rows, base, step, span: steps * step };
}

/** An event's optional filter: strings, numbers, lists, null, and a type that never matches. */
function randomWhere(r: () => number): WhereClause | undefined {
  const roll = r();
  if (roll < 0.65) return undefined;
  if (roll < 0.75) return { plan: pick(r, ['free', 'pro']) };
  if (roll < 0.85) return { plan: ['pro', null] };
  if (roll < 0.95) return { n: [1, 2] };
  return { n: '1' };
}

/** A start or return event: any event, or a named one, maybe filtered. */
function randomEvent(r: () => number): CohortEvent | undefined {
  if (r() < 0.25) return undefined;
  const where = randomWhere(r);
  return { ...(r() < 0.85 ? { event: pick(r, ['a', 'b', 'c']) } : {}), ...(where ? { where } : {}) };
}

/** The log's rows as the contract's inline columns. */
export const inlineColumns = (rows: Row[]) => Object.fromEntries(COLUMNS.map(([name]) => [name, rows.map((row) => row[name] ?? null)]));

/** A random cohort contract over the log, and the features it uses (for the coverage printout). */
export function randomContract(r: () => number, zone: string, period: Period, log: Log): { contract: InlineContract<CohortContract>; features: string[] } {
  const cohort: CohortContract['cohort'] = { period };
  const features = [`zone=${zone}`, `period=${period}`];
  if (r() < 0.8) cohort.periods = 1 + Math.floor(r() * 6);
  if (r() < 0.6) cohort.type = pick(r, ['recurring', 'first-time'] as const);
  if (r() < 0.7) cohort.mode = pick(r, ['on', 'on-or-after', 'by'] as const);
  if (period === 'week' && r() < 0.5) cohort.weekStart = 'sunday';
  const start = randomEvent(r);
  const back = randomEvent(r);
  if (start) cohort.start = start;
  if (back) cohort.return = back;
  if (r() < 0.4) {
    cohort.value = { measure: 'sum' };
    features.push('sum');
  }
  if (r() < 0.45) {
    cohort.breakdown = { field: 'channel', ...(r() < 0.8 ? { limit: 1 + Math.floor(r() * 4) } : {}) };
    features.push('breakdown');
  }
  const at = (f: number) => log.base + Math.floor(f * (log.span / log.step)) * log.step;
  if (r() < 0.4) {
    const from = at(r() * 0.5);
    const to = at(0.5 + r() * 0.5);
    const ends = pick(r, ['both', 'from', 'to']);
    cohort.range = {
      ...(ends !== 'to' ? { from: r() < 0.5 ? from : new Date(from).toISOString() } : {}),
      ...(ends !== 'from' ? { to: r() < 0.5 ? to : new Date(to).toISOString() } : {}),
    };
    features.push(`range=${ends}`);
  }
  if (r() < 0.25) {
    cohort.asOf = at(r());
    features.push('asOf');
  }
  const contract: InlineContract<CohortContract> = {
    version: 1,
    kind: 'cohort',
    timeZone: zone,
    data: { columns: inlineColumns(log.rows) },
    fields: { entity: 'user', time: 'ts', event: 'event', value: 'n' },
    cohort,
  };
  features.push(`type=${cohort.type ?? 'recurring'}`, `mode=${cohort.mode ?? 'on'}`);
  return { contract, features };
}

/** Everything a cohort widget draws from a view model: per cohort and group, its cells' numbers and flags, and the means. */
export function figures(view: CohortViewModel) {
  const rows = (cohorts: CohortViewModel['cohorts']) =>
    cohorts.map((c) => ({ cohort: c.cohort, start: c.start, size: c.size, cells: c.cells.map((x) => [x.period, x.count, x.rate, x.ratePrevious, x.incomplete]) }));
  return {
    period: view.period,
    periods: view.periods,
    asOf: view.asOf,
    entities: view.entities,
    cohorts: rows(view.cohorts),
    mean: view.mean,
    breakdown: view.breakdown?.map((g) => ({ value: g.value, cohorts: rows(g.cohorts), mean: g.mean })) ?? null,
  };
}

/** The view model of a pre-aggregated contract, as the widgets compute it once it has travelled as JSON. */
export const drawn = (aggregated: CohortContract) => computeInline('cohort', { ...(JSON.parse(JSON.stringify(aggregated)) as CohortContract), data: { rows: [] } });

/** The ContractError a promise rejects with. */
export async function contractError(promise: Promise<unknown>): Promise<ContractError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ContractError, `expected a ContractError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a ContractError');
}

/** A warehouse to compare with memory: a table per log, a contract run over it, a drill-down list read from it. */
export interface CohortWarehouse {
  load(table: string, rows: Row[]): Promise<void>;
  run(contract: CohortContract, table: string): Promise<CohortContract>;
  entities(contract: CohortContract, request: CohortEntitiesRequest, table: string): Promise<{ ids: string[] }>;
  drop(table: string): Promise<void>;
}

/** One differential case: the seed's zone, period, log and contract (the same for every dialect). */
export function differentialCase(seed: number) {
  const r = prng(seed);
  const zone = pick(r, ZONES);
  const period = pick(r, ['hour', 'day', 'week', 'month'] as const);
  const log = randomLog(r, zone, period);
  const { contract, features } = randomContract(r, zone, period, log);
  const context = () => `seed ${seed}: ${JSON.stringify({ timeZone: zone, cohort: contract.cohort })}\nrows ${JSON.stringify(log.rows)}`;
  return { r, zone, period, log, contract, features, context };
}

/**
 * One contract of the differential test: its log loaded into its own table (`table`, dropped
 * after), drawn from the raw events and from the warehouse's pre-aggregated contract, compared
 * cell by cell. Returns the features it used.
 */
export async function differential(warehouse: CohortWarehouse, seed: number, table: string): Promise<string[]> {
  const { period, log, contract, features, context } = differentialCase(seed);
  await warehouse.load(table, log.rows);
  try {
    const expected = figures(computeInline('cohort', contract));
    const aggregated = await warehouse.run(contract, table);
    assert.equal(aggregated.cohort.cohorts?.length, expected.cohorts.length, context());
    assert.deepEqual(figures(drawn(aggregated)), expected, context());
    if (expected.cohorts.some((c) => c.size > 0)) features.push('non-empty');
    if (expected.cohorts.some((c) => c.size >= 10)) features.push('cohorts of 10 or more');
    if (period !== 'hour' && aggregated.cohort.cohorts?.some((c) => c.cohort.endsWith('Z'))) features.push('a cohort given by its instant (midnight skipped)');
  } finally {
    await warehouse.drop(table);
  }
  return features;
}

/** What the drill-down test saw: lists compared, not empty, cut at entityLimit, of "Other", after "now". */
export type DrillTally = { lists: number; filled: number; cut: number; other: number; later: number };

/**
 * One contract of the drill-down test: a differential contract with a random `entityLimit` (so
 * lists are cut), and a few random cells asked for — the whole matrix's or a group's (now and then
 * one the view does not show), mostly cells someone is in, now and then a period after "now" —
 * each compared with the in-memory view model's `entityIds`.
 */
export async function drillDown(warehouse: CohortWarehouse, seed: number, table: string): Promise<DrillTally> {
  const { r, zone, log, contract } = differentialCase(seed);
  contract.cohort.entityLimit = pick(r, [0, 1, 2, 3, 100, 100]);
  await warehouse.load(table, log.rows);
  const tally = { lists: 0, filled: 0, cut: 0, other: 0, later: 0 };
  try {
    const view = computeInline('cohort', contract);
    for (let i = 0; i < 4; i++) {
      const groups = view.breakdown?.map((g) => g.value) ?? [];
      const group = groups.length && r() < 0.7 ? (r() < 0.1 ? 'no such group' : pick(r, groups)) : null;
      const rows = group === null ? view.cohorts : (view.breakdown?.find((g) => g.value === group)?.cohorts ?? view.cohorts);
      if (!rows.length) continue;
      // Mostly a cell someone is in (many are empty), now and then a period the view cuts off.
      const cells = rows.flatMap((row) => row.cells.filter((c) => c.count).map((c) => [row, c.period] as const));
      const [row, k] = cells.length && r() < 0.75 ? pick(r, cells) : [pick(r, rows), Math.floor(r() * view.periods)];
      const cell = group === 'no such group' ? undefined : row.cells[k];
      const expected = cell?.entityIds ?? [];
      assert.ok(cell || group === 'no such group' || k >= row.cells.length);
      const request = { cohort: row.cohort, period: k, group };
      const got = await warehouse.entities(contract, request, table);
      assert.deepEqual(got.ids, expected, `seed ${seed}: ${JSON.stringify(request)} of ${JSON.stringify({ timeZone: zone, cohort: contract.cohort })}\nrows ${JSON.stringify(log.rows)}`);
      tally.lists++;
      if (expected.length) tally.filled++;
      if (cell && view.measure === 'entities' && cell.count > expected.length) tally.cut++;
      if (group === 'Other' && expected.length) tally.other++;
      if (!cell && group !== 'no such group') tally.later++;
    }
  } finally {
    await warehouse.drop(table);
  }
  return tally;
}

/**
 * A fast-path-shaped case (UTC, entities, at most 64 periods, first-time or recurring) over a log
 * that also holds events far from the rest (63, 64, 65 and 130 periods away, before and after), so
 * some members' returns span 64 periods or more.
 */
export function fastCase(seed: number) {
  const r = prng(seed);
  const period = pick(r, ['hour', 'day', 'week', 'month'] as const);
  const log = randomLog(r, 'UTC', period);
  const { contract, features } = randomContract(r, 'UTC', period, log);
  contract.cohort.type = r() < 0.6 ? 'first-time' : 'recurring';
  delete contract.cohort.value;
  features.splice(0, features.length, ...features.filter((f) => f !== 'sum' && !f.startsWith('type=')), `type=${contract.cohort.type}`);
  contract.cohort.periods = pick(r, [1, 2, 3, 6, 12, 63, 64]);
  contract.cohort.entityLimit = pick(r, [1, 3, 100]);
  // Far events: whole periods away from the log's own, on the same step grid (period edges).
  if (r() < 0.5) {
    const first = periodOrdinal(log.base, period, 'UTC', contract.cohort.weekStart);
    for (let i = 0; i < 1 + Math.floor(r() * 6); i++) {
      const away = pick(r, [-130, -64, -63, 62, 63, 64, 65, 130]);
      const within = Math.floor(r() * 3) * log.step;
      const from = pick(r, log.rows);
      log.rows.push({ ...from, ts: ordinalStart(first + away, period, 'UTC', contract.cohort.weekStart) + within, event: pick(r, ['a', 'b', 'c']) });
    }
    features.push('far events');
  }
  contract.data = { columns: inlineColumns(log.rows) };
  const context = () => `seed ${seed}: ${JSON.stringify(contract.cohort)}\nrows ${JSON.stringify(log.rows)}`;
  return { r, log, contract, features, context };
}

/** One fast-path-shaped case: counts, and the drill-down lists of two random cells, compared with memory. */
export async function fastDifferential(warehouse: CohortWarehouse, seed: number, table: string): Promise<string[]> {
  const { r, log, contract, features, context } = fastCase(seed);
  await warehouse.load(table, log.rows);
  try {
    const view = computeInline('cohort', contract);
    const aggregated = await warehouse.run(contract, table);
    assert.deepEqual(figures(drawn(aggregated)), figures(view), context());
    if (view.cohorts.some((c) => c.cells.some((x) => x.period >= 62 && x.count > 0))) features.push('a return 62+ periods on');
    for (let i = 0; i < 2; i++) {
      const groups = view.breakdown?.map((g) => g.value) ?? [];
      const group = groups.length && r() < 0.5 ? pick(r, groups) : null;
      const rows = group === null ? view.cohorts : view.breakdown!.find((g) => g.value === group)!.cohorts;
      const cells = rows.flatMap((row) => row.cells.filter((c) => c.count).map((c) => [row, c.period] as const));
      if (!cells.length) continue;
      const [row, k] = pick(r, cells);
      const got = await warehouse.entities(contract, { cohort: row.cohort, period: k, group }, table);
      assert.deepEqual(got.ids, row.cells[k].entityIds, `${JSON.stringify({ cohort: row.cohort, period: k, group })} ${context()}`);
    }
  } finally {
    await warehouse.drop(table);
  }
  return features;
}

/** Three users over a few days on two channels, with revenue on purchases. */
export const SMALL: Row[] = [
  { user: 'a', ts: T0, event: 'signup', plan: 'pro', n: null, channel: 'ads' },
  { user: 'b', ts: T0 + 3_600_000, event: 'signup', plan: 'free', n: null, channel: 'seo' },
  { user: 'c', ts: T0 + DAY, event: 'signup', plan: 'free', n: null, channel: 'ads' },
  { user: 'a', ts: T0 + DAY, event: 'buy', plan: 'pro', n: 0.1, channel: 'ads' },
  { user: 'a', ts: T0 + 2 * DAY, event: 'buy', plan: 'pro', n: 0.2, channel: null },
  { user: 'b', ts: T0 + 2 * DAY, event: 'buy', plan: 'free', n: 0.7, channel: 'seo' },
  { user: 'c', ts: T0 + 3 * DAY, event: 'buy', plan: 'free', n: 1 / 3, channel: 'mail' },
];

/** A tally of feature names, printed as a coverage list. */
export function printTally(tally: Map<string, number>): void {
  console.log([...tally.entries()].sort().map(([k, v]) => `  ${k}: ${v}`).join('\n'));
}
