/**
 * The ClickHouse funnel against the in-memory engine, on a two-shard cluster of Debian's
 * clickhouse-server 18.16 (a Distributed table sharded by entity): the same random contracts as
 * the DuckDB differential test must draw the same figures; drill-down lists must equal the
 * in-memory ids; the Distributed table's funnel must be the sum of its shards'; and names and
 * values built to break out of quotes must count as plain names and values.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { computeFunnel } from '../../src/analytics/compute.js';
import type { FunnelAggregateStep, FunnelContract, InlineContract } from '../../src/analytics/contract.js';
import { runContract, runEntities } from '../../src/warehouse/index.js';
import { ROW_ORDER, startTestCluster, type TestCluster } from './support.js';
import { assertSameFunnel, COLUMNS, differentialCase, drillCase, FeatureTally, figures, type Row } from './funnel-cases.js';

let ch: TestCluster;
/** Clients on the Distributed table's server and on each shard, patient: a busy 2-core machine can take long over one query. */
let client: ClickHouseClient;
let shardClients: ClickHouseClient[];
before(async () => {
  ch = await startTestCluster();
  client = createClient({ url: ch.cluster.url, request_timeout: 600_000 });
  shardClients = ch.cluster.urls.map((url) => createClient({ url, request_timeout: 600_000 }));
});
after(async () => {
  await Promise.all([client, ...(shardClients ?? [])].filter(Boolean).map((c) => c.close()));
  await ch?.stop();
});

/** Runs `work` over the rows loaded into a fresh Distributed table (sharded by user), then drops it. */
async function withTable<T>(table: string, rows: Row[], work: () => Promise<T>): Promise<T> {
  await ch.load(table, COLUMNS, rows, 'user');
  try {
    return await work();
  } finally {
    await ch.drop(table);
  }
}

/**
 * Runs `count` seeds in `width` concurrent lanes. One lane: with two, ClickHouse 18.16 now and then
 * answered a query with "Table default.log_N doesn't exist" while the other lane created or
 * dropped its tables, and a 2-core machine gains little from a second lane.
 */
async function lanes(count: number, width: number, run: (seed: number) => Promise<void>): Promise<void> {
  const lane = async (first: number) => {
    for (let seed = first; seed <= count; seed += width) await run(seed);
  };
  await Promise.all(Array.from({ length: width }, (_, i) => lane(i + 1)));
}

test('differential: 500 random funnels give the same figures in memory and over a Distributed ClickHouse table', async () => {
  const CONTRACTS = 500;
  const tally = new FeatureTally();
  let agreed = 0;
  await lanes(CONTRACTS, 1, async (seed) => {
    const { rows, contract, features } = differentialCase(seed);
    await withTable(`log_${seed}`, rows, async () => {
      const aggregated = await runContract(contract, client, { table: `log_${seed}`, rowOrder: ROW_ORDER });
      assertSameFunnel(contract, aggregated, features, `seed ${seed}: ${JSON.stringify(contract.funnel)}\nrows ${JSON.stringify(rows)}`);
    });
    tally.add(features);
    agreed++;
  });
  console.log(`differential (ClickHouse): ${agreed}/${CONTRACTS} contracts agree`);
  console.log(tally.toString());
  assert.equal(agreed, CONTRACTS);
  // Not vacuous: the features the matcher finds hardest were exercised.
  for (const key of ['order=strict', 'order=any', 'exclusions', 'repeated steps', 'attribution=step', 'attribution=all-events', 'compare', 'shows an "Other" group', 'shows stuck entities']) {
    assert.ok(tally.get(key) > 10, `only ${tally.get(key)} contracts with ${key}`);
  }
});

test('drill-down ids by a second query equal the in-memory view model\'s, list for list', async () => {
  const CONTRACTS = 30;
  const total = { lists: 0, filled: 0, cut: 0 };
  await lanes(CONTRACTS, 1, async (i) => {
    const seed = 100_000 + i;
    const { rows, contract, requests } = drillCase(seed);
    await withTable(`ids_${seed}`, rows, async () => {
      for (const { request, expected, count } of requests) {
        const got = await runEntities(contract, client, request, { table: `ids_${seed}`, rowOrder: ROW_ORDER });
        assert.deepEqual(got.ids, expected, `seed ${seed}: ${JSON.stringify(request)} of ${JSON.stringify(contract.funnel)}\nrows ${JSON.stringify(rows)}`);
        total.lists++;
        if (expected.length) total.filled++;
        if (count > expected.length) total.cut++;
      }
    });
  });
  console.log(`drill-down (ClickHouse): ${total.lists} lists from ${CONTRACTS} contracts agree; ${total.filled} not empty, ${total.cut} cut at entityLimit`);
  assert.ok(total.filled > CONTRACTS && total.cut > 5);
});

/** Step counts of a period (and its groups, by value), for adding up shards. */
function counts(period: { steps: FunnelContract['funnel']['steps']; groups?: Array<{ value: string; steps: FunnelContract['funnel']['steps'] }> } | undefined) {
  const c = (steps: FunnelContract['funnel']['steps']) => steps.map((s) => (s as unknown as FunnelAggregateStep).count);
  return { steps: period ? c(period.steps) : [], groups: new Map((period?.groups ?? []).map((g) => [g.value, c(g.steps)])) };
}

test('a funnel over the Distributed table is the sum of the funnels of its shards', async () => {
  let split = 0;
  for (let seed = 1; seed <= 12; seed++) {
    const { rows, contract } = differentialCase(200_000 + seed);
    // Every group kept (no "Other"), so groups add up by value.
    if (contract.funnel.breakdown) contract.funnel.breakdown.limit = 100;
    const table = `sum_${seed}`;
    await withTable(table, rows, async () => {
      const whole = await runContract(contract, client, { table, rowOrder: ROW_ORDER });
      const parts = await Promise.all(shardClients.map((client) => runContract(contract, client, { table: `${table}_local`, rowOrder: ROW_ORDER })));
      if (parts.filter((p) => (p.funnel.steps[0] as FunnelAggregateStep).count > 0).length > 1) split++;
      const add = (periods: Array<ReturnType<typeof counts>>) => {
        const steps = contract.funnel.steps.map((_, k) => periods.reduce((sum, p) => sum + (p.steps[k] ?? 0), 0));
        const groups = new Map<string, number[]>();
        for (const p of periods) for (const [value, c] of p.groups) groups.set(value, c.map((x, k) => x + (groups.get(value)?.[k] ?? 0)));
        return { steps, groups };
      };
      const context = `seed ${200_000 + seed}: ${JSON.stringify(contract.funnel)}`;
      assert.deepEqual(counts(whole.funnel), add(parts.map((p) => counts(p.funnel))), context);
      if (contract.funnel.compare) assert.deepEqual(counts(whole.funnel.previous), add(parts.map((p) => counts(p.funnel.previous))), context);
      assert.deepEqual(figures({ ...whole, data: { rows: [] } } as InlineContract<FunnelContract>), figures(contract), context);
    });
  }
  // With two shards, most contracts' entities are spread over both.
  if (shardClients.length > 1) assert.ok(split > 4, `only ${split} contracts had entities on both shards`);
});

test('names and values built to break out of quotes are plain names and values in ClickHouse SQL', async () => {
  const user = "us`er\\'";
  const time = 'ti"me`; DROP TABLE x; --';
  const event = "ev\\`ent'\n";
  const channel = "ch'); DROP TABLE inj_local; --";
  const names = ["a\\'", "b\\\\", "c'); DROP TABLE inj; --", 'd\nnew line', "e\\''"];
  const columns: Array<[string, 'VARCHAR' | 'DOUBLE']> = [[user, 'VARCHAR'], [time, 'DOUBLE'], [event, 'VARCHAR'], [channel, 'VARCHAR']];
  const rows: Row[] = [];
  for (let u = 0; u < 6; u++) {
    names.forEach((name, k) => {
      if (k <= u) rows.push({ [user]: `u'${u}\\`, [time]: 1_000 * (k + 1) + u, [event]: name, [channel]: u % 2 ? "x'\\" : "y\\'); --" });
    });
  }
  await ch.load('inj', columns, rows, user);
  try {
    const contract: InlineContract<FunnelContract> = {
      version: 1,
      kind: 'funnel',
      data: { rows },
      fields: { entity: user, time, event },
      funnel: {
        steps: names.map((name) => ({ event: name, where: { [channel]: ["x'\\", "y\\'); --"] } })),
        exclusions: [{ event: "never' OR 1 = 1 --", from: 0, to: 1 }],
        breakdown: { field: channel, attribution: 'all-events' },
      },
    };
    const got = await runContract(contract, client, { table: 'inj', rowOrder: ROW_ORDER });
    assert.deepEqual((got.funnel.steps as FunnelAggregateStep[]).map((s) => s.count), [6, 5, 4, 3, 2]);
    assert.deepEqual(figures({ ...got, data: { rows: [] } } as InlineContract<FunnelContract>), figures(contract));
    const ids = await runEntities(contract, client, { step: 4, outcome: 'converted', group: "y\\'); --" }, { table: 'inj', rowOrder: ROW_ORDER });
    assert.deepEqual(ids.ids, computeFunnel(contract).breakdown!.find((g) => g.value === "y\\'); --")!.steps[4].convertedIds);
    // The table is still there, whole.
    const left = await runContract({ ...contract, funnel: { steps: [{ event: names[0] }] } }, client, { table: 'inj', rowOrder: ROW_ORDER });
    assert.equal((left.funnel.steps[0] as unknown as FunnelAggregateStep).count, 6);
  } finally {
    await ch.drop('inj');
  }
});
