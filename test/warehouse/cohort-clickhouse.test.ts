/**
 * The cohort warehouse path in ClickHouse against the in-memory engine, over a two-shard cluster
 * (Debian's clickhouse-server 18.16, started by the test) whose Distributed table is sharded by
 * the entity: cohort-cases.ts's random contracts (the same ones DuckDB runs) drawn from the
 * pre-aggregated contract must give every cell of the in-memory view model, bit for bit; drill-down
 * lists the same ids; each shard's plain MergeTree table gives counts that add up to the
 * Distributed table's; names and values meant as injections are names and values; what cannot be
 * exact is refused at its JSON path.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { computeInline } from '../../src/analytics/compute.js';
import type { CohortContract, InlineContract } from '../../src/analytics/contract.js';
import { clickHouseString, compileSql, quoteClickHouseIdent, runContract, runEntities } from '../../src/warehouse/index.js';
import { COLUMNS, contractError, DAY, differential, differentialCase, drawn, drillDown, fastDifferential, figures, printTally, SMALL, T0, type CohortWarehouse, type DrillTally, type Row } from './cohort-cases.js';
import { ROW_ORDER, startTestCluster, type ColumnType, type TestCluster } from './support.js';

let cluster: TestCluster;
before(async () => {
  cluster = await startTestCluster();
});
after(async () => {
  await cluster?.stop();
});

/** The cases' warehouse over fresh tables: a Distributed table per log (sharded by the entity), rows numbered in ROW_ORDER. */
const clickhouse = (): CohortWarehouse => ({
  load: (table, rows) => cluster.load(table, COLUMNS, rows, 'user'),
  run: (contract, table) => runContract(contract, cluster.client, { table, rowOrder: ROW_ORDER }),
  entities: (contract, request, table) => runEntities(contract, cluster.client, request, { table, rowOrder: ROW_ORDER }),
  drop: (table) => cluster.drop(table),
});

/**
 * The cases' warehouse for the long random runs: each lane owns one Distributed table, created
 * once, emptied (TRUNCATE of each shard's local table) and filled with the next log. Each contract
 * still reads exactly its own log, as on a fresh table — one table shared by many logs would
 * change "now" and the rows each where clause meets — but without creating and dropping tables
 * all the time, which costs, and which ClickHouse 18.16 does not survive under concurrent queries
 * (a table's metadata file goes missing).
 */
async function laneTables(width: number, prefix: string): Promise<{ tables: string[]; warehouse: CohortWarehouse; drop(): Promise<void> }> {
  const tables = Array.from({ length: width }, (_, i) => `${prefix}_${i}`);
  for (const table of tables) await cluster.load(table, COLUMNS, [], 'user');
  const warehouse: CohortWarehouse = {
    ...clickhouse(),
    async load(table, rows) {
      for (const url of cluster.cluster.urls) await cluster.cluster.sql(`TRUNCATE TABLE \`${table}_local\``, url);
      if (!rows.length) return;
      await cluster.client.insert({
        table,
        values: rows.map((row, i) => ({ ...Object.fromEntries(COLUMNS.map(([n]) => [n, row[n] ?? null])), [ROW_ORDER]: i })),
        format: 'JSONEachRow',
        clickhouse_settings: { insert_distributed_sync: 1 } as never,
      });
    },
    drop: async () => undefined,
  };
  return { tables, warehouse, drop: async () => { for (const table of tables) await cluster.drop(table); } };
}

/**
 * Runs `count` seeds from `first` over `width` lanes, each on its own table: the lanes overlap
 * one contract's loading and in-memory work with another's queries.
 */
async function lanes(count: number, first: number, prefix: string, work: (warehouse: CohortWarehouse, seed: number, table: string) => Promise<void>, width = 3): Promise<void> {
  const { tables, warehouse, drop } = await laneTables(width, prefix);
  let next = 0;
  try {
    await Promise.all(
      tables.map(async (table) => {
        while (next < count) await work(warehouse, first + next++, table);
      }),
    );
  } finally {
    await drop();
  }
}

test('differential: 400 random cohort contracts draw the same cells in memory and from ClickHouse (Distributed over two shards)', async () => {
  const CONTRACTS = 400;
  const tally = new Map<string, number>();
  let agreed = 0;
  const started = Date.now();
  await lanes(CONTRACTS, 1, 'diff', async (warehouse, seed, table) => {
    for (const f of await differential(warehouse, seed, table)) tally.set(f, (tally.get(f) ?? 0) + 1);
    agreed++;
  });
  console.log(`differential: ${agreed}/${CONTRACTS} contracts agree, ${Math.round((Date.now() - started) / CONTRACTS)} ms a contract`);
  printTally(tally);
  assert.equal(agreed, CONTRACTS);
});

test('drill-down: 80 random cohort contracts list the same cell ids by a second query as the in-memory view model', async () => {
  const CONTRACTS = 80;
  const total: DrillTally = { lists: 0, filled: 0, cut: 0, other: 0, later: 0 };
  await lanes(CONTRACTS, 200_001, 'ids', async (warehouse, seed, table) => {
    const t = await drillDown(warehouse, seed, table);
    for (const k of Object.keys(total) as Array<keyof DrillTally>) total[k] += t[k];
  });
  console.log(`drill-down: ${total.lists} cells from ${CONTRACTS} contracts agree; ${total.filled} not empty, ${total.cut} cut at entityLimit, ${total.other} of a merged "Other" group, ${total.later} after "now"`);
  assert.ok(total.filled > 1.5 * CONTRACTS && total.cut > 15 && total.other > 5, JSON.stringify(total));
});

test('63 and 64 periods, returns far from the rest: 60 random UTC entity contracts agree with memory, counts and drill-down', async () => {
  const CONTRACTS = 60;
  const tally = new Map<string, number>();
  await lanes(CONTRACTS, 300_001, 'far', async (warehouse, seed, table) => {
    for (const f of await fastDifferential(warehouse, seed, table)) tally.set(f, (tally.get(f) ?? 0) + 1);
  });
  printTally(tally);
  assert.ok((tally.get('far events') ?? 0) > 20 && (tally.get('a return 62+ periods on') ?? 0) > 1, JSON.stringify([...tally]));
});

test("each shard's plain MergeTree table: the same SQL counts its own entities, and the shards' counts add up to the Distributed table's", async () => {
  let compared = 0;
  let split = 0;
  for (let seed = 1; seed <= 20; seed++) {
    const { log, contract } = differentialCase(400_000 + seed);
    // Counts (sums of fractions add up in another order), no breakdown (each shard ranks its own
    // groups), and one range and "now" for all, so every run lists the same cohorts.
    delete contract.cohort.value;
    delete contract.cohort.breakdown;
    contract.cohort.range = { from: log.base, to: log.base + log.span };
    contract.cohort.asOf = log.base + log.span;
    const table = `shards_${seed}`;
    await cluster.load(table, COLUMNS, log.rows, 'user');
    try {
      const whole = await runContract(contract, cluster.client, { table, rowOrder: ROW_ORDER });
      assert.deepEqual(figures(drawn(whole)), figures(computeInline('cohort', contract)), `seed ${seed}`);
      const parts = await Promise.all(cluster.shardClients.map((client) => runContract(contract, client, { table: `${table}_local`, rowOrder: ROW_ORDER })));
      const cohorts = whole.cohort.cohorts!;
      assert.ok(parts.every((p) => p.cohort.cohorts!.length === cohorts.length));
      cohorts.forEach((c, i) => {
        assert.equal(c.size, parts.reduce((n, p) => n + p.cohort.cohorts![i].size, 0), `seed ${seed}: size of ${c.cohort}`);
        c.values.forEach((v, k) => assert.equal(v, parts.reduce((n, p) => n + p.cohort.cohorts![i].values[k], 0), `seed ${seed}: ${c.cohort} period ${k}`));
      });
      assert.equal(whole.cohort.entities, parts.reduce((n, p) => n + p.cohort.entities!, 0));
      if (parts.filter((p) => p.cohort.entities! > 0).length > 1) split++;
      compared++;
    } finally {
      await cluster.drop(table);
    }
  }
  assert.equal(compared, 20);
  if (cluster.shardClients.length > 1) assert.ok(split > 6, `entities on both shards in ${split} contracts`);
});

/**
 * `cluster.load`, except that rows holding ±∞ are inserted as SQL (`inf`, `-inf`): JSON, the
 * loader's format, has no infinities (JSON.stringify writes null).
 */
async function loadRows(table: string, columns: Array<[string, ColumnType]>, rows: Row[], shardKey: string): Promise<void> {
  if (!rows.some((row) => Object.values(row).some((v) => typeof v === 'number' && !Number.isFinite(v)))) return cluster.load(table, columns, rows, shardKey);
  await cluster.load(table, columns, [], shardKey);
  const literal = (v: string | number | null | undefined) =>
    v === null || v === undefined ? 'NULL' : typeof v === 'number' ? (Number.isFinite(v) ? String(v) : v > 0 ? 'inf' : '-inf') : clickHouseString(v);
  const values = rows.map((row, i) => `(${[...columns.map(([n]) => literal(row[n])), i].join(', ')})`).join(', ');
  await cluster.cluster.sql(`INSERT INTO ${quoteClickHouseIdent(table)} VALUES ${values}`, `${cluster.cluster.url}/?insert_distributed_sync=1`);
}

/** Rows in a table of the given ClickHouse types (sharded by `shardKey`), computed in memory and in ClickHouse, compared; the warehouse's contract is returned. */
async function both(table: string, columns: Array<[string, ColumnType]>, rows: Row[], contract: Omit<CohortContract, 'data'>, shardKey = 'user'): Promise<CohortContract> {
  await loadRows(table, columns, rows, shardKey);
  try {
    const expected = figures(computeInline('cohort', { ...contract, data: { rows } } as InlineContract<CohortContract>));
    const aggregated = await runContract(contract as CohortContract, cluster.client, { table, rowOrder: ROW_ORDER });
    assert.deepEqual(figures(drawn(aggregated)), expected);
    return aggregated;
  } finally {
    await cluster.drop(table);
  }
}

test("a breakdown comes back as cohort.groups; sums add in entity order (a's 0.2 before b's 0.7), as in memory", async () => {
  const contract: Omit<CohortContract, 'data'> = {
    version: 1,
    kind: 'cohort',
    fields: { entity: 'user', time: 'ts', event: 'event', value: 'n' },
    cohort: { start: { event: 'signup' }, return: { event: 'buy' }, periods: 4, value: { measure: 'sum' }, breakdown: { field: 'channel', limit: 1 } },
  };
  const aggregated = await both('small', COLUMNS, SMALL, contract);
  assert.equal(aggregated.cohort.asOf, T0 + 3 * DAY, 'asOf defaults to the latest event');
  assert.deepEqual(aggregated.cohort.cohorts, [
    { cohort: '2026-01-05', size: 2, values: [0, 0.1, 0.2 + 0.7, 0] },
    { cohort: '2026-01-06', size: 1, values: [0, 0, 1 / 3, 0] },
    { cohort: '2026-01-07', size: 0, values: [0, 0, 0, 0] },
    { cohort: '2026-01-08', size: 0, values: [0, 0, 0, 0] },
  ]);
  assert.deepEqual(
    aggregated.cohort.groups?.map((g) => [g.value, g.cohorts.map((c) => c.size)]),
    [
      ['ads', [1, 1, 0, 0]],
      ['Other', [1, 0, 0, 0]],
    ],
  );
  // Entity order across shards: 0.7 + 0.2 + 0.1 is not 0.1 + 0.2 + 0.7; the rows' order decides.
  const rows: Row[] = [
    ...['c', 'b', 'a'].map((user, i) => ({ user, ts: T0 + i, event: 'signup', plan: null, n: null, channel: null })),
    ...[0.7, 0.2, 0.1].map((n, i) => ({ user: ['c', 'b', 'a'][i], ts: T0 + DAY, event: 'buy', plan: null, n, channel: null })),
  ];
  const ordered = await both('ordered', COLUMNS, rows, { ...contract, cohort: { ...contract.cohort, breakdown: undefined } });
  assert.equal(ordered.cohort.cohorts![0].values[1], 0.7 + 0.2 + 0.1);
  assert.notEqual(0.7 + 0.2 + 0.1, 0.1 + 0.2 + 0.7);
  // Without a row-order column ClickHouse keeps none: the query still runs (ties and the order
  // of members are then ClickHouse's); here no two events of an entity tie, and entity ids sort
  // as the rows do.
  await cluster.load('unordered', COLUMNS, SMALL, 'user');
  try {
    const unordered = await runContract(contract as CohortContract, cluster.client, { table: 'unordered' });
    assert.deepEqual(figures(drawn(unordered)), figures(computeInline('cohort', { ...contract, data: { rows: SMALL } } as InlineContract<CohortContract>)));
  } finally {
    await cluster.drop('unordered');
  }
});

test('names and values from the contract are escaped: backquotes, backslashes, quotes, newlines and DROP TABLE are names and values', async () => {
  await cluster.cluster.sql('CREATE TABLE keep (x UInt8) ENGINE = MergeTree() ORDER BY tuple()');
  await cluster.cluster.sql('INSERT INTO keep VALUES (1)');
  const hostile = ['u`; DROP TABLE keep; --', "t\\' OR 1=1 --", 'ev"ent\\`', "n'); DROP TABLE keep; --", 'chan\nnel\\'];
  const columns: Array<[string, ColumnType]> = [
    [hostile[0], 'VARCHAR'],
    [hostile[1], 'DOUBLE'],
    [hostile[2], 'VARCHAR'],
    [hostile[3], 'DOUBLE'],
    [hostile[4], 'VARCHAR'],
  ];
  const values = ["sign\\'up", 'b\\\\uy', "'); DROP TABLE keep; --", 'new\nline'];
  const rows = SMALL.map((r) => ({
    [hostile[0]]: `${r.user}\\'\``,
    [hostile[1]]: r.ts,
    [hostile[2]]: r.event === 'signup' ? values[0] : values[1],
    [hostile[3]]: r.n,
    [hostile[4]]: r.channel === 'ads' ? values[2] : r.channel === 'seo' ? values[3] : r.channel,
  }));
  const contract: Omit<CohortContract, 'data'> = {
    version: 1,
    kind: 'cohort',
    fields: { entity: hostile[0], time: hostile[1], event: hostile[2], value: hostile[3] },
    cohort: {
      start: { event: values[0], where: { [hostile[4]]: [values[2], values[3]] } },
      return: { event: values[1] },
      value: { measure: 'sum' },
      breakdown: { field: hostile[4] },
      periods: 3,
    },
  };
  const some = await both('hostile', columns, rows, contract, hostile[0]);
  assert.deepEqual(some.cohort.cohorts?.map((c) => c.size), [2, 1, 0, 0]);
  assert.deepEqual(some.cohort.groups?.map((g) => g.value).sort(), [values[2], values[3]].sort());
  // A value that differs by one escape matches nothing.
  const none = await both('hostile', columns, rows, { ...contract, cohort: { ...contract.cohort, start: { event: "sign\\\\'up" } } }, hostile[0]);
  assert.equal(none.cohort.cohorts?.length, 0);
  // Drill-down lists carry the hostile ids back as they are.
  await cluster.load('hostile', columns, rows, hostile[0]);
  try {
    const ids = await runEntities(contract as CohortContract, cluster.client, { cohort: '2026-01-05', period: 0, group: values[2] }, { table: 'hostile', rowOrder: ROW_ORDER });
    assert.deepEqual(ids.ids, ["a\\'`"]);
  } finally {
    await cluster.drop('hostile');
  }
  assert.equal((await cluster.cluster.sql('SELECT count() FROM keep')).trim(), '1');
  await cluster.cluster.sql('DROP TABLE keep');
});

test('what cannot be exact is refused at its JSON path: times outside the zone table, clocks turned back, text summed, too many cohorts, infinite sums', async () => {
  const contract = (cohort: CohortContract['cohort'], timeZone = 'UTC'): CohortContract => ({
    version: 1,
    kind: 'cohort',
    timeZone,
    data: { rows: [] },
    fields: { entity: 'user', time: 'ts', event: 'event', value: 'n' },
    cohort,
  });
  const refused = async (rows: Row[], c: CohortContract, columns = COLUMNS) => {
    await loadRows('refused', columns, rows, 'user');
    try {
      return await contractError(runContract(c, cluster.client, { table: 'refused', rowOrder: ROW_ORDER }));
    } finally {
      await cluster.drop('refused');
    }
  };
  const old: Row[] = [{ user: 'a', ts: Date.UTC(1750, 0, 1), event: 'x', plan: null, n: null, channel: null }];
  assert.equal((await refused(old, contract({}, 'America/New_York'))).path, '/fields/time');
  await both('old', COLUMNS, old, contract({ period: 'month' }));
  const turn = Date.UTC(1991, 2, 3, 2);
  const back: Row[] = [
    { user: 'a', ts: turn - 1_800_000, event: 'x', plan: null, n: null, channel: null },
    { user: 'a', ts: turn + 1_800_000, event: 'x', plan: null, n: null, channel: null },
  ];
  const salta = contract({ period: 'hour' }, 'America/Argentina/Salta');
  const turned = await refused(back, salta);
  assert.equal(turned.path, '/timeZone');
  assert.match(turned.message, /not supported by the warehouse/);
  await both('salta', COLUMNS, [back[0], { ...back[1], user: 'b' }], salta);
  const text: Array<[string, ColumnType]> = COLUMNS.map(([n, t]) => [n, n === 'n' ? 'VARCHAR' : t]);
  assert.equal((await refused([{ ...SMALL[0], n: 'lots' }], contract({ value: { measure: 'sum' } }), text)).path, '/fields/value');
  assert.equal((await refused(SMALL, contract({ period: 'hour', range: { from: '2026-01-01', to: '2026-03-01' } }))).path, '/cohort/range');
  // ∞ − ∞ is NaN: a NaN cell is skipped as in memory; an infinite sum has no place in JSON.
  const inf: Row[] = [
    { user: 'a', ts: T0, event: 'a', plan: null, n: 1, channel: 'x' },
    { user: 'b', ts: T0 + 2, event: 'a', plan: null, n: 1, channel: 'y' },
    { user: 'a', ts: T0 + DAY, event: 'b', plan: null, n: Infinity, channel: null },
    { user: 'a', ts: T0 + DAY + 1, event: 'b', plan: null, n: -Infinity, channel: null },
    { user: 'b', ts: T0 + DAY, event: 'b', plan: null, n: 2, channel: null },
  ];
  const sums = { start: { event: 'a' }, periods: 3, value: { measure: 'sum' as const }, breakdown: { field: 'channel' } };
  for (const mode of ['on', 'by', 'on-or-after'] as const) {
    const aggregated = await both('inf', COLUMNS, inf, contract({ ...sums, mode }));
    assert.equal(aggregated.cohort.cohorts![0].values[1], 2, "a's NaN is skipped, b's 2 counted");
  }
  const infinite = await refused(inf.filter((r) => r.n !== -Infinity), contract(sums));
  assert.equal(infinite.path, '/fields/value');
  assert.match(infinite.message, /not supported by the warehouse/);
});

test('drill-down requests are checked, integer entities and breakdowns are named as String() names them, a DateTime time column gives its seconds', async () => {
  const contract: CohortContract = {
    version: 1,
    kind: 'cohort',
    data: { rows: [] },
    fields: { entity: 'user', time: 'ts', event: 'event', value: 'n' },
    cohort: { start: { event: 'signup' }, return: { event: 'buy' }, periods: 4, value: { measure: 'sum' } },
  };
  await cluster.load('checked', COLUMNS, SMALL, 'user');
  try {
    const ids = (request: { cohort: string; period: number; group?: string | null }) => runEntities(contract, cluster.client, request, { table: 'checked', rowOrder: ROW_ORDER });
    await assert.rejects(ids({ cohort: '2026-01-05', period: 4 }), RangeError);
    await assert.rejects(ids({ cohort: 'monday', period: 0 }), RangeError);
    await assert.rejects(ids({ cohort: '2026-01-05', period: 0, group: 'ads' }), TypeError);
    assert.deepEqual(await ids({ cohort: '2026-01-05', period: 0 }), { ids: ['a', 'b'] });
    assert.deepEqual(await ids({ cohort: '2026-01-05', period: 1 }), { ids: ['a'] });
    assert.deepEqual(await ids({ cohort: '2026-01-05', period: 2 }), { ids: ['a', 'b'] });
    assert.deepEqual(await ids({ cohort: '2026-01-01', period: 0 }), { ids: [] });
    assert.deepEqual(await ids({ cohort: '2026-01-07', period: 2 }), { ids: [] });
  } finally {
    await cluster.drop('checked');
  }
  // Int64 entities and breakdowns; a DateTime time column.
  const rows = [
    { user: 7, ts: T0, event: 'a', tier: 2, n: 1.5 },
    { user: 5, ts: T0 + 5000, event: 'a', tier: 3, n: null },
    { user: 5, ts: T0 + DAY, event: 'b', tier: 3, n: 0.25 },
    { user: 7, ts: T0 + DAY, event: 'b', tier: 2, n: 0.1 },
    { user: 9, ts: T0 + 2 * DAY, event: 'a', tier: null, n: 0.2 },
  ];
  await cluster.cluster.createEventsTable(
    'typed',
    [
      ['user', 'Int64'],
      ['ts', "DateTime('UTC')"],
      ['event', 'String'],
      ['tier', 'Nullable(Int64)'],
      ['n', 'Float64'],
      [ROW_ORDER, 'UInt32'],
    ],
    'user',
  );
  await cluster.client.insert({
    table: 'typed',
    values: rows.map((r, i) => ({ ...r, ts: new Date(r.ts).toISOString().slice(0, 19).replace('T', ' '), n: r.n ?? 0, [ROW_ORDER]: i })),
    format: 'JSONEachRow',
    clickhouse_settings: { insert_distributed_sync: 1 } as never,
  });
  try {
    const typed: InlineContract<CohortContract> = {
      version: 1,
      kind: 'cohort',
      timeZone: 'Asia/Shanghai',
      data: { rows: rows.map((r) => ({ ...r, n: r.n ?? 0 })) },
      fields: { entity: 'user', time: 'ts', event: 'event', value: 'n' },
      cohort: { start: { event: 'a' }, periods: 3, mode: 'by', value: { measure: 'sum' }, breakdown: { field: 'tier' } },
    };
    const expected = figures(computeInline('cohort', typed));
    assert.ok(expected.breakdown?.some((g) => g.value === '2'));
    assert.deepEqual(figures(drawn(await runContract(typed, cluster.client, { table: 'typed', rowOrder: ROW_ORDER }))), expected);
    const { sql } = compileSql({ ...typed, cohort: { ...typed.cohort, asOf: T0 } }, { dialect: 'clickhouse', table: 'typed', columnTypes: new Map([['user', 'Int64'], ['ts', "DateTime('UTC')"], ['event', 'String'], ['tier', 'Nullable(Int64)'], ['n', 'Float64']]), time: 'timestamp' });
    assert.ok(sql.includes('GROUP BY __funnelkit_e'), 'the innermost SELECT groups by the entity');
    const listed = await runEntities({ ...typed, cohort: { ...typed.cohort, breakdown: undefined } }, cluster.client, { cohort: '2026-01-05', period: 0 }, { table: 'typed', rowOrder: ROW_ORDER });
    assert.deepEqual(listed.ids, ['7', '5']);
  } finally {
    await cluster.drop('typed');
  }
});
