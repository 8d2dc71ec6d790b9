/**
 * Shared pieces of the warehouse tests: a seeded PRNG; loading an event log into a DuckDB table
 * with an appender, in row order (so `rowid` keeps the row order the in-memory engine sees); and a
 * ClickHouse cluster (two shards) with a loader that numbers rows in a row-order column.
 */
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { DuckDBConnection } from '@duckdb/node-api';
import { startClickHouse } from '../../scripts/clickhouse.mjs';
import { quoteClickHouseIdent, quoteIdent } from '../../src/warehouse/index.js';

/** The sample data's seeded PRNG (mulberry32), so a failing contract can be replayed from its seed. */
export { createRng as prng } from '../../demo/data/rng.js';

export type ColumnType = 'VARCHAR' | 'DOUBLE';

/** One event of a test log: column name to cell. */
export type Row = Record<string, string | number | null>;

/** One element of `xs`, drawn with the seeded PRNG `r`. */
export const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

/** Creates `table` with the given columns and appends the rows (null cells as NULL). */
export async function loadTable(
  connection: DuckDBConnection,
  table: string,
  columns: Array<[name: string, type: ColumnType]>,
  rows: Array<Record<string, string | number | null>>,
): Promise<void> {
  await connection.run(`CREATE TABLE ${quoteIdent(table)} (${columns.map(([n, t]) => `${quoteIdent(n)} ${t}`).join(', ')})`);
  const appender = await connection.createAppender(table);
  for (const row of rows) {
    for (const [name, type] of columns) {
      const v = row[name];
      if (v === null || v === undefined) appender.appendNull();
      else if (type === 'DOUBLE') appender.appendDouble(v as number);
      else appender.appendVarchar(v as string);
    }
    appender.endRow();
  }
  appender.closeSync();
}

/** The column of ClickHouse test tables that keeps the rows' order (ClickHouse keeps none). */
export const ROW_ORDER = 'funnelkit_seq';

/** A ClickHouse cluster started for one test file, with a client on its first shard. */
export interface TestCluster {
  cluster: Awaited<ReturnType<typeof startClickHouse>>;
  client: ClickHouseClient;
  /** Clients on each shard, for per-shard checks. */
  shardClients: ClickHouseClient[];
  /**
   * Creates `table` (a Distributed table over `<table>_local` on each shard, sharded by
   * `cityHash64(shardKey)`) with the columns (VARCHAR → Nullable(String), DOUBLE →
   * Nullable(Float64)) plus {@link ROW_ORDER}, and inserts the rows through the Distributed
   * table, synchronously, numbered in order.
   */
  load(table: string, columns: Array<[name: string, type: ColumnType]>, rows: Array<Record<string, string | number | null>>, shardKey: string): Promise<void>;
  drop(table: string): Promise<void>;
  /** Rows in `<table>_local` on each shard. */
  shardCounts(table: string): Promise<number[]>;
  /** The rows of `rows` (loaded into `table`) that the first shard holds, in their original order. */
  firstShardRows<R>(table: string, rows: R[]): Promise<R[]>;
  stop(): Promise<void>;
}

/**
 * Starts Debian's clickhouse-server as a two-shard cluster (FUNNELKIT_CLICKHOUSE_SHARDS=1: one
 * server, for quick local runs) on free loopback ports; `stop()` ends it and removes its folder.
 */
export async function startTestCluster(): Promise<TestCluster> {
  const shards = Number(process.env.FUNNELKIT_CLICKHOUSE_SHARDS ?? 2);
  const cluster = await startClickHouse({ shards });
  const client = createClient({ url: cluster.url });
  const shardClients = cluster.urls.map((url) => createClient({ url }));
  const CH_TYPES: Record<ColumnType, string> = { VARCHAR: 'Nullable(String)', DOUBLE: 'Nullable(Float64)' };
  return {
    cluster,
    client,
    shardClients,
    async load(table, columns, rows, shardKey) {
      await cluster.createEventsTable(table, [...columns.map(([n, t]): [string, string] => [n, CH_TYPES[t]]), [ROW_ORDER, 'UInt32']], shardKey);
      if (!rows.length) return;
      await client.insert({
        // The client writes the name into INSERT as it is: quoted, any test name is one table.
        table: quoteClickHouseIdent(table),
        values: rows.map((row, i) => ({ ...Object.fromEntries(columns.map(([n]) => [n, row[n] ?? null])), [ROW_ORDER]: i })),
        format: 'JSONEachRow',
        clickhouse_settings: { insert_distributed_sync: 1 } as never,
      });
    },
    drop: (table) => cluster.dropEventsTable(table),
    shardCounts: (table) =>
      Promise.all(
        shardClients.map(async (c) => Number(((await (await c.query({ query: `SELECT count() AS n FROM ${quoteClickHouseIdent(`${table}_local`)}`, format: 'JSONEachRow' })).json()) as Array<{ n: number }>)[0].n)),
      ),
    async firstShardRows(table, rows) {
      const result = await shardClients[0].query({ query: `SELECT ${ROW_ORDER} AS i FROM ${quoteClickHouseIdent(`${table}_local`)} ORDER BY i`, format: 'JSONEachRow' });
      return ((await result.json()) as Array<{ i: number }>).map(({ i }) => rows[i]);
    },
    async stop() {
      await Promise.all([client, ...shardClients].map((c) => c.close()));
      await cluster.stop();
    },
  };
}
