/**
 * The warehouse path against the in-memory engine: random funnel contracts over random small event
 * logs, computed by `computeFunnel` and by `runContract` in DuckDB, must give the same counts for
 * every step and every breakdown group. Plus SQL-injection attempts and the round trip of the
 * pre-aggregated contract through `computeFunnel`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { computeFunnel } from '../../src/analytics/compute.js';
import type { FunnelContract, FunnelEventStep, InlineContract, WhereClause } from '../../src/analytics/contract.js';
import { quoteIdent, runContract } from '../../src/warehouse/index.js';
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

/** Picks one element. */
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

/**
 * A small log that exercises the matcher's edges: few distinct times (so many ties), times on
 * multiples of the window unit (so events land exactly on the window edge), few event names (so
 * steps repeat), missing and empty entities, and breakdown values missing, null or empty.
 */
function randomLog(r: () => number): Row[] {
  const rows: Row[] = [];
  const count = 1 + Math.floor(r() * 40);
  const entities = 1 + Math.floor(r() * 6);
  const span = 1 + Math.floor(r() * 12);
  for (let i = 0; i < count; i++) {
    const roll = r();
    rows.push({
      user: roll < 0.03 ? null : roll < 0.05 ? '' : `u${Math.floor(r() * entities)}`,
      ts: 1_700_000_000_000 + Math.floor(r() * span) * 1000,
      event: pick(r, ['a', 'b', 'c', 'd', 'a', 'b']),
      plan: pick(r, ['free', 'pro', null]),
      n: pick(r, [1, 2, 3, null]),
      channel: pick(r, ['ads', 'seo', 'mail', 'x', null, '']),
    });
  }
  return rows;
}

/** A step's optional filter: strings, numbers, lists, null, and a type that never matches. */
function randomWhere(r: () => number): WhereClause | undefined {
  const roll = r();
  if (roll < 0.6) return undefined;
  if (roll < 0.7) return { plan: pick(r, ['free', 'pro']) };
  if (roll < 0.8) return { n: pick(r, [1, 2, [1, 3], null]) };
  if (roll < 0.9) return { plan: ['pro', null], n: [2, 3] };
  return { n: '1' }; // a string never equals a number, in memory or in SQL
}

interface Features {
  order: string;
  attribution: string;
  where: boolean;
  range: boolean;
  repeated: boolean;
  exclusions: boolean;
}

/** A random contract over the log, and the features it uses (for the coverage printout). */
function randomContract(r: () => number, rows: Row[]): { contract: InlineContract<FunnelContract>; features: Features } {
  const stepCount = 1 + Math.floor(r() * 5);
  const steps: FunnelEventStep[] = Array.from({ length: stepCount }, () => {
    const where = randomWhere(r);
    return { event: pick(r, ['a', 'b', 'c', 'd']), ...(where ? { where } : {}) };
  });
  const order = pick(r, ['ordered', 'strict', 'any'] as const);
  const funnel: FunnelContract['funnel'] = { steps, order, window: Math.floor(r() * 6) * 1000 };
  let attribution = 'none';
  if (r() < 0.6) {
    const a = pick(r, ['first-touch', 'last-touch', 'all-events', 'step'] as const);
    const step = Math.floor(r() * stepCount);
    funnel.breakdown = { field: 'channel', attribution: a === 'step' ? { step } : a, limit: 1 + Math.floor(r() * 4) };
    attribution = a;
  }
  if (stepCount >= 2 && r() < 0.35) {
    funnel.exclusions = Array.from({ length: 1 + Math.floor(r() * 2) }, () => {
      const from = Math.floor(r() * (stepCount - 1));
      const to = from + 1 + Math.floor(r() * (stepCount - 1 - from));
      const where = randomWhere(r);
      return { event: pick(r, ['a', 'b', 'c', 'd']), from, to, ...(where ? { where } : {}) };
    });
  }
  const range = r() < 0.25;
  if (range) funnel.range = { from: 1_700_000_000_000 + Math.floor(r() * 4) * 1000, to: 1_700_000_000_000 + (4 + Math.floor(r() * 8)) * 1000 };
  const columns = Object.fromEntries(COLUMNS.map(([name]) => [name, rows.map((row) => row[name] ?? null)]));
  const contract: InlineContract<FunnelContract> = {
    version: 1,
    kind: 'funnel',
    data: { columns },
    fields: { entity: 'user', time: 'ts', event: 'event' },
    funnel,
  };
  const repeated = new Set(steps.map((s) => s.event)).size < steps.length;
  return { contract, features: { order, attribution, where: steps.some((s) => s.where), range, repeated, exclusions: !!funnel.exclusions } };
}

/** Step counts and breakdown groups of a view model, for comparison. */
function figures(contract: InlineContract<FunnelContract>) {
  const v = computeFunnel(contract);
  return { steps: v.steps.map((s) => s.count), groups: v.breakdown?.map((g) => [g.value, g.steps.map((s) => s.count)]) ?? null };
}

/**
 * One contract of the differential test: its log loaded into its own table, computed both ways,
 * compared. Returns the features it used.
 */
async function differential(connection: DuckDBConnection, seed: number): Promise<Features> {
  const r = prng(seed);
  const rows = randomLog(r);
  const { contract, features } = randomContract(r, rows);
  const table = `log_${seed}`;
  await loadTable(connection, table, COLUMNS, rows);
  try {
    const expected = figures(contract);
    const aggregated = await runContract(contract, connection, { table });
    const got = {
      steps: aggregated.funnel.steps.map((s) => ('count' in s ? s.count : NaN)),
      groups: aggregated.funnel.groups?.map((g) => [g.value, g.steps.map((s) => s.count)]) ?? null,
    };
    // The counts as returned, and as the widgets draw them from the pre-aggregated contract.
    const drawn = figures({ ...aggregated, data: { rows: [] } });
    const context = `seed ${seed}: ${JSON.stringify(contract.funnel)}\nrows ${JSON.stringify(rows)}`;
    assert.deepEqual(got.steps, expected.steps, context);
    assert.deepEqual(drawn, expected, context);
    if (expected.groups) assert.deepEqual(new Set(got.groups?.map((g) => g[0])), new Set(expected.groups.map((g) => g[0])), context);
  } finally {
    await connection.run(`DROP TABLE ${quoteIdent(table)}`);
  }
  return features;
}

test('differential: 500 random funnels give the same counts in memory and in DuckDB', async () => {
  const CONTRACTS = 500;
  const LANES = 2;
  const tally = new Map<string, number>();
  const count = (key: string) => tally.set(key, (tally.get(key) ?? 0) + 1);
  let agreed = 0;
  // Each query on these tiny tables costs DuckDB's fixed overhead, so single-threaded queries run
  // in two lanes (two connections) side by side: the suite stays well under a minute.
  await con.run('SET threads = 1');
  const lane = async (first: number) => {
    const connection = await instance.connect();
    try {
      for (let seed = first; seed <= CONTRACTS; seed += LANES) {
        const features = await differential(connection, seed);
        agreed++;
        count(`order=${features.order}`);
        count(`attribution=${features.attribution}`);
        if (features.where) count('where');
        if (features.range) count('range');
        if (features.repeated) count('repeated steps');
        if (features.exclusions) count('exclusions');
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
