/**
 * The cohort warehouse path against the in-memory engine: random cohort contracts over random
 * small event logs (ties, events on period edges, days around DST changes in several zones,
 * fractional values, missing breakdown values) are drawn twice — from the raw events in memory,
 * and from the pre-aggregated contract `runContract` returns — and every cell's numbers and flags
 * must be identical. Plus given-cohort groups, SQL-injection attempts and refusals.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { computeInline } from '../../src/analytics/compute.js';
import type { CohortContract, CohortEvent, InlineContract, WhereClause } from '../../src/analytics/contract.js';
import { ContractError } from '../../src/analytics/contract-error.js';
import type { CohortViewModel } from '../../src/analytics/cohort/view-model.js';
import { ordinalStart, periodOrdinal } from '../../src/analytics/time.js';
import { compileSql, quoteIdent, runContract } from '../../src/warehouse/index.js';
import { loadTable, prng, type ColumnType } from './support.js';

let instance: DuckDBInstance;
let con: DuckDBConnection;
before(async () => {
  instance = await DuckDBInstance.create(':memory:');
  con = await instance.connect();
});
after(() => {
  con.closeSync();
  instance.closeSync();
});

const COLUMNS: Array<[string, ColumnType]> = [
  ['user', 'VARCHAR'],
  ['ts', 'DOUBLE'],
  ['event', 'VARCHAR'],
  ['plan', 'VARCHAR'],
  ['n', 'DOUBLE'],
  ['channel', 'VARCHAR'],
];
type Row = Record<string, string | number | null>;
type Period = 'hour' | 'day' | 'week' | 'month';

/** Picks one element. */
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

/** Zones with and without DST, a half-hour DST (Lord Howe) and a half-hour offset (Kolkata). */
const ZONES = ['UTC', 'America/New_York', 'Asia/Shanghai', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Europe/London'];
/** Instants next to clock changes (New York, London, Lord Howe) and an ordinary one. */
const ANCHORS = [Date.UTC(2026, 2, 8, 7), Date.UTC(2026, 10, 1, 6), Date.UTC(2026, 2, 29, 1), Date.UTC(2026, 3, 4, 15), Date.UTC(2026, 0, 31, 16)];
/** The step between event times per period (events land on period edges) and how many steps a log spans. */
const STEP: Record<Period, [ms: number, steps: number]> = {
  hour: [15 * 60_000, 40],
  day: [3_600_000, 120],
  week: [6 * 3_600_000, 120],
  month: [86_400_000, 150],
};

/**
 * A small log around an anchor: times on multiples of a step from the start of the anchor's
 * period in the zone (so many ties and events exactly on period edges), a few entities (missing
 * and empty ones too), fractional values whose sums depend on the order they are added in, and
 * breakdown values missing, empty or named "Other".
 */
function randomLog(r: () => number, zone: string, period: Period): { rows: Row[]; base: number; step: number; span: number } {
  const [step, steps] = STEP[period];
  const anchor = pick(r, ANCHORS);
  const base = ordinalStart(periodOrdinal(anchor, period, zone) - 1, period, zone);
  const rows: Row[] = [];
  const count = 1 + Math.floor(r() * 45);
  const entities = 1 + Math.floor(r() * 6);
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

/** A random cohort contract over the log, and the features it uses (for the coverage printout). */
function randomContract(r: () => number, zone: string, period: Period, log: ReturnType<typeof randomLog>): { contract: InlineContract<CohortContract>; features: string[] } {
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
  const columns = Object.fromEntries(COLUMNS.map(([name]) => [name, log.rows.map((row) => row[name] ?? null)]));
  const contract: InlineContract<CohortContract> = {
    version: 1,
    kind: 'cohort',
    timeZone: zone,
    data: { columns },
    fields: { entity: 'user', time: 'ts', event: 'event', value: 'n' },
    cohort,
  };
  features.push(`type=${cohort.type ?? 'recurring'}`, `mode=${cohort.mode ?? 'on'}`);
  return { contract, features };
}

/** Everything a cohort widget draws from a view model: per cohort and group, its cells' numbers and flags, and the means. */
function figures(view: CohortViewModel) {
  const rows = (cohorts: CohortViewModel['cohorts']) =>
    cohorts.map((c) => ({ cohort: c.cohort, start: c.start, size: c.size, cells: c.cells.map((x) => [x.period, x.count, x.rate, x.ratePrevious, x.incomplete]) }));
  return {
    period: view.period,
    periods: view.periods,
    asOf: view.asOf,
    cohorts: rows(view.cohorts),
    mean: view.mean,
    breakdown: view.breakdown?.map((g) => ({ value: g.value, cohorts: rows(g.cohorts), mean: g.mean })) ?? null,
  };
}

/** The view model of a pre-aggregated contract, as the widgets compute it. */
const drawn = (aggregated: CohortContract) => computeInline('cohort', { ...aggregated, data: { rows: [] } });

/**
 * One contract of the differential test: its log loaded into its own table, drawn from the raw
 * events and from the warehouse's pre-aggregated contract, compared. Returns the features it used.
 */
async function differential(connection: DuckDBConnection, seed: number): Promise<string[]> {
  const r = prng(seed);
  const zone = pick(r, ZONES);
  const period = pick(r, ['hour', 'day', 'week', 'month'] as const);
  const log = randomLog(r, zone, period);
  const { contract, features } = randomContract(r, zone, period, log);
  const table = `log_${seed}`;
  await loadTable(connection, table, COLUMNS, log.rows);
  const context = () => `seed ${seed}: ${JSON.stringify({ timeZone: zone, cohort: contract.cohort })}\nrows ${JSON.stringify(log.rows)}`;
  try {
    const expected = figures(computeInline('cohort', contract));
    const aggregated = await runContract(contract, connection, { table });
    assert.equal(aggregated.cohort.cohorts?.length, expected.cohorts.length, context());
    assert.deepEqual(figures(drawn(aggregated)), expected, context());
    if (expected.cohorts.some((c) => c.size > 0)) features.push('non-empty');
  } finally {
    await connection.run(`DROP TABLE ${quoteIdent(table)}`);
  }
  return features;
}

test('differential: 400 random cohort contracts draw the same cells in memory and from DuckDB', async () => {
  const CONTRACTS = 400;
  const LANES = 2;
  const tally = new Map<string, number>();
  let agreed = 0;
  // Each query on these tiny tables costs DuckDB's fixed overhead: two single-threaded lanes.
  await con.run('SET threads = 1');
  const lane = async (first: number) => {
    const connection = await instance.connect();
    try {
      for (let seed = first; seed <= CONTRACTS; seed += LANES) {
        for (const f of await differential(connection, seed)) tally.set(f, (tally.get(f) ?? 0) + 1);
        agreed++;
      }
    } finally {
      connection.closeSync();
    }
  };
  await Promise.all(Array.from({ length: LANES }, (_, i) => lane(i + 1)));
  console.log(`differential: ${agreed}/${CONTRACTS} contracts agree`);
  console.log([...tally.entries()].sort().map(([k, v]) => `  ${k}: ${v}`).join('\n'));
  assert.equal(agreed, CONTRACTS);
});
