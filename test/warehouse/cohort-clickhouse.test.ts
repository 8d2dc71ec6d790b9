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
import { compileSql, runContract, runEntities } from '../../src/warehouse/index.js';
import { COLUMNS, contractError, DAY, differential, drawn, drillDown, fastDifferential, figures, printTally, SMALL, T0, type CohortWarehouse, type DrillTally, type Row } from './cohort-cases.js';
import { prng, ROW_ORDER, startTestCluster, type ColumnType, type TestCluster } from './support.js';

let cluster: TestCluster;
before(async () => {
  cluster = await startTestCluster();
});
after(async () => {
  await cluster?.stop();
});

let ddl: Promise<unknown> = Promise.resolve();
/** Runs table creation and removal one at a time: ClickHouse 18.16 loses table metadata files under concurrent DDL. */
function serialDdl<T>(work: () => Promise<T>): Promise<T> {
  const done = ddl.then(work, work);
  ddl = done.catch(() => undefined);
  return done;
}

/** The cases' warehouse: a Distributed table per log (sharded by the entity), rows numbered in ROW_ORDER. */
const clickhouse = (): CohortWarehouse => ({
  load: (table, rows) => serialDdl(() => cluster.load(table, COLUMNS, rows, 'user')),
  run: (contract, table) => runContract(contract, cluster.client, { table, rowOrder: ROW_ORDER }),
  entities: (contract, request, table) => runEntities(contract, cluster.client, request, { table, rowOrder: ROW_ORDER }),
  drop: (table) => serialDdl(() => cluster.drop(table)),
});

/**
 * Runs `count` seeds from `first` in `lanes` concurrent lanes, each contract on its own table: a
 * table per contract keeps every contract's data exactly its log (a shared table would change
 * "now" and the rows each where clause meets), and the lanes overlap one contract's table setup
 * with another's queries on this 2-core machine.
 */
async function lanes(count: number, first: number, work: (seed: number) => Promise<void>, width = 1): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await work(first + next++);
    }),
  );
}

test('differential: 400 random cohort contracts draw the same cells in memory and from ClickHouse (Distributed over two shards)', async () => {
  const CONTRACTS = 400;
  const tally = new Map<string, number>();
  let agreed = 0;
  const started = Date.now();
  await lanes(CONTRACTS, 1, async (seed) => {
    for (const f of await differential(clickhouse(), seed, `log_${seed}`)) tally.set(f, (tally.get(f) ?? 0) + 1);
    agreed++;
  });
  console.log(`differential: ${agreed}/${CONTRACTS} contracts agree, ${Math.round((Date.now() - started) / CONTRACTS)} ms a contract`);
  printTally(tally);
  assert.equal(agreed, CONTRACTS);
});
