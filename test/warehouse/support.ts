/**
 * Shared pieces of the warehouse tests: a seeded PRNG, and loading an event log into a DuckDB
 * table with an appender, in row order (so `rowid` keeps the row order the in-memory engine sees).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent } from '../../src/warehouse/index.js';

/** The sample data's seeded PRNG (mulberry32), so a failing contract can be replayed from its seed. */
export { createRng as prng } from '../../demo/data/rng.js';

export type ColumnType = 'VARCHAR' | 'DOUBLE';

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
