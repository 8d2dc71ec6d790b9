/**
 * ClickHouse pieces of the warehouse path: its identifier quoting, its one literal escaper, and the
 * {@link Engine} that runs a kind's SQL over `@clickhouse/client` (HTTP).
 *
 * ClickHouse 18.16 (Debian's package, the version the tests run) has no server-side query
 * parameters (`{x:UInt32}` fails with "Unknown setting param_x"), so values from a contract are
 * written into the query by {@link ClickHouseParams}, through {@link clickHouseString} and
 * {@link clickHouseNumber} only, which the safety tests attack. Names go through
 * {@link quoteClickHouseIdent}.
 *
 * A `Distributed` table sharded by the entity column computes each entity on one shard: the
 * queries group by entity first, and run with `distributed_group_by_no_merge = 1` so every shard
 * finishes its own entities and the initiator adds the shards' rows. {@link ClickHouseEngine}
 * refuses a Distributed table whose sharding key does not name the entity column.
 * @module
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { Cell, WhereClause } from '../analytics/contract.js';
import { ContractError } from '../analytics/contract-error.js';
import type { BindType } from './quote.js';
import type { SqlOptions, TimeStorage } from './sql.js';

/**
 * `name` as a backquoted ClickHouse identifier: `\` and `` ` `` escaped with a backslash, so any
 * name (quotes, semicolons, `--`, spaces, keywords) is one name and never SQL. NUL is refused.
 */
export function quoteClickHouseIdent(name: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('an SQL identifier must be a non-empty string');
  if (name.includes('\u0000')) throw new TypeError('an SQL identifier may not contain NUL');
  return `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
}

/** A table name, optionally `database.table` (a list), each part quoted; one string is one name. */
export function quoteClickHouseTable(table: string | readonly string[]): string {
  const parts = typeof table === 'string' ? [table] : table;
  if (parts.length === 0 || parts.length > 2) throw new TypeError('a ClickHouse table is 1 or 2 identifiers (database, table)');
  return parts.map(quoteClickHouseIdent).join('.');
}

/**
 * The one ClickHouse string-literal escaper: single quotes, with `\` and `'` escaped by a
 * backslash (ClickHouse reads backslash escapes in string literals, so doubling `'` alone would
 * let `\'` close the literal). NUL is refused.
 */
export function clickHouseString(value: string): string {
  if (typeof value !== 'string') throw new TypeError('a ClickHouse string literal must be a string');
  if (value.includes('\u0000')) throw new TypeError('an SQL literal may not contain NUL');
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * A finite number as a ClickHouse Float64 expression with exactly its bits: safe integers as
 * integer literals, anything else as the IEEE-754 bytes (`reinterpretAsFloat64(unhex(…))`), so no
 * decimal parsing can round it. Non-finite numbers are refused (a contract never holds them).
 */
export function clickHouseNumber(value: number): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`a ClickHouse number literal must be finite, got ${String(value)}`);
  if (Number.isSafeInteger(value) && !Object.is(value, -0)) return `toFloat64(${value < 0 ? `-${-value}` : value})`;
  const bytes = new Uint8Array(new Float64Array([value]).buffer);
  return `reinterpretAsFloat64(unhex('${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}'))`;
}

/**
 * {@link SqlParams}' twin for ClickHouse: the same `bind(value, type)`, but the value is written
 * into the query as a typed literal through the escapers above; `values` stays empty.
 */
export class ClickHouseParams {
  readonly values: unknown[] = [];

  bind(value: string | number | boolean, type: BindType): string {
    switch (type) {
      case 'VARCHAR':
        return clickHouseString(String(value));
      case 'BOOLEAN':
        if (typeof value !== 'boolean') throw new TypeError('a BOOLEAN parameter must be a boolean');
        return value ? 'toUInt8(1)' : 'toUInt8(0)';
      case 'BIGINT':
        if (!Number.isSafeInteger(value)) throw new TypeError(`a BIGINT parameter must be a safe integer, got ${String(value)}`);
        return `toInt64(${(value as number) < 0 ? `-${-(value as number)}` : value})`;
      case 'DOUBLE':
        return clickHouseNumber(Number(value));
    }
  }
}

/** A ClickHouse type without its `Nullable(…)` / `LowCardinality(…)` wrappers. */
export function baseClickHouseType(type: string): string {
  let t = type.trim();
  for (;;) {
    const m = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(t);
    if (!m) return t;
    t = m[1].trim();
  }
}

/**
 * The ClickHouse type in DuckDB's words, for the checks shared with DuckDB (group columns, time
 * storage): String → VARCHAR, Float64 → DOUBLE, Int32 → INTEGER, DateTime → TIMESTAMP, and so on.
 * A type without a counterpart keeps its ClickHouse name (and is refused where it matters).
 */
export function duckTypeOf(type: string): string {
  const base = baseClickHouseType(type);
  const map: Record<string, string> = {
    String: 'VARCHAR',
    Float64: 'DOUBLE',
    Float32: 'FLOAT',
    Int8: 'TINYINT',
    Int16: 'SMALLINT',
    Int32: 'INTEGER',
    Int64: 'BIGINT',
    UInt8: 'UTINYINT',
    UInt16: 'USMALLINT',
    UInt32: 'UINTEGER',
    UInt64: 'UBIGINT',
    DateTime: 'TIMESTAMP',
  };
  if (map[base]) return map[base];
  if (/^DateTime\(/.test(base)) return 'TIMESTAMP';
  if (/^FixedString\(/.test(base)) return 'VARCHAR';
  return base;
}

const TEXT = /^(String|FixedString\(\d+\))$/;
const NUMERIC = /^(U?Int(8|16|32|64)|Float(32|64)|Decimal.*)$/;

/** The column's ClickHouse type from the options (`columnTypes`), or a TypeError naming it. */
export function columnType(options: SqlOptions, column: string): string {
  const type = options.columnTypes?.get(column);
  if (type === undefined) throw new TypeError(`no type known for column ${JSON.stringify(column)}: ClickHouse SQL needs columnTypes`);
  return type;
}

/**
 * ClickHouse's {@link equalsValue}: SQL true (1) when the column equals one contract value with
 * the in-memory engine's strict equality, written for the column's type because ClickHouse
 * type-checks the whole query: a string matches only a String column, a number only a numeric
 * one; ClickHouse has no boolean columns, so a boolean matches nothing; null matches NULL.
 * NULL cells compare as 0, never NULL.
 */
export function clickHouseEquals(column: string, type: string, value: Cell, params: ClickHouseParams): string {
  const base = baseClickHouseType(type);
  if (value === null) return /^Nullable\(/.test(type) ? `isNull(${column})` : '0';
  if (typeof value === 'string') return TEXT.test(base) ? `ifNull(${column} = ${params.bind(value, 'VARCHAR')}, 0)` : '0';
  if (typeof value === 'number') return NUMERIC.test(base) ? `ifNull(toFloat64(${column}) = ${params.bind(value, 'DOUBLE')}, 0)` : '0';
  return '0';
}

/** ClickHouse's {@link stepCondition}: the event name, and every `where` field equal to its value (or one of its list). */
export function clickHouseStepCondition(options: SqlOptions, eventField: string, step: { event: string; where?: WhereClause }, params: ClickHouseParams): string {
  const parts = [clickHouseEquals(quoteClickHouseIdent(eventField), columnType(options, eventField), step.event, params)];
  for (const [field, expected] of Object.entries(step.where ?? {})) {
    const values = Array.isArray(expected) ? expected : [expected];
    const column = quoteClickHouseIdent(field);
    const type = columnType(options, field);
    parts.push(values.length ? `(${values.map((v) => clickHouseEquals(column, type, v, params)).join(' OR ')})` : '0');
  }
  return parts.join(' AND ');
}

/**
 * The event time as epoch ms Float64: a numeric column as it is, a DateTime (whole seconds, UTC)
 * times 1000. NULL stays NULL (the engine's time check has refused tables holding one).
 */
export function clickHouseTime(column: string, storage: TimeStorage): string {
  return storage === 'timestamp' ? `(toFloat64(toUInt32(${column})) * 1000)` : `toFloat64(${column})`;
}

/** A connection ClickHouse-shaped: `@clickhouse/client`'s client. */
export function isClickHouseClient(connection: unknown): connection is ClickHouseClient {
  const c = connection as { query?: unknown; insert?: unknown; command?: unknown };
  return typeof c?.query === 'function' && typeof c.insert === 'function' && typeof c.command === 'function';
}

/**
 * Settings every query runs with: 64-bit integers as JSON numbers, shards finishing their own
 * entities, and room for long queries (windows are written as literals: a KPI's daily sparkline
 * over years, an anomaly by minute over a day, pass the default 256 KiB).
 */
export const CLICKHOUSE_SETTINGS = {
  output_format_json_quote_64bit_integers: 0,
  distributed_group_by_no_merge: 1,
  max_query_size: 16 * 1024 * 1024,
} as const;

/** The table's columns with their ClickHouse types, and its engine (for the sharding check). */
export async function describeClickHouse(client: ClickHouseClient, table: string | readonly string[]): Promise<{ columns: Map<string, string>; engine: string }> {
  const parts = typeof table === 'string' ? [table] : [...table];
  let columns: Map<string, string>;
  try {
    const result = await client.query({ query: `DESCRIBE TABLE ${quoteClickHouseTable(parts)}`, format: 'JSONEachRow' });
    const rows = (await result.json()) as Array<{ name: string; type: string }>;
    columns = new Map(rows.map((r) => [String(r.name), String(r.type)]));
  } catch (error) {
    throw new ContractError('/data', `cannot read the events table ${JSON.stringify(table)}: ${firstLine(error)}`);
  }
  const database = parts.length === 2 ? clickHouseString(parts[0]) : 'currentDatabase()';
  const result = await client.query({
    query: `SELECT engine_full FROM system.tables WHERE database = ${database} AND name = ${clickHouseString(parts[parts.length - 1])}`,
    format: 'JSONEachRow',
  });
  const rows = (await result.json()) as Array<{ engine_full: string }>;
  return { columns, engine: rows[0]?.engine_full ?? '' };
}

/**
 * A Distributed table must be sharded by the entity column, or an entity's events could sit on
 * two shards and be counted twice: refused at `/fields/entity` unless its sharding key names it.
 */
export function checkSharding(engine: string, entity: string | undefined): void {
  if (!/^Distributed\s*\(/.test(engine) || entity === undefined) return;
  const args = splitArgs(engine.slice(engine.indexOf('(') + 1, engine.lastIndexOf(')')));
  const key = args[3] ?? '';
  const names = new Set<string>();
  // String literals name no column: `concat(user, 'amount')` is not sharded by `amount`.
  for (const m of key.matchAll(/'(?:[^'\\]|\\.)*'|`((?:[^`\\]|\\.)*)`|"((?:[^"\\]|\\.)*)"|([A-Za-z_][A-Za-z0-9_]*)/g)) {
    const name = m[1] ?? m[2] ?? m[3];
    if (name !== undefined) names.add(unescapeClickHouse(name));
  }
  if (!names.has(entity)) {
    throw new ContractError('/fields/entity', `the Distributed table is sharded by ${key ? JSON.stringify(key) : 'nothing'}, not by the entity column ${JSON.stringify(entity)}: each entity's events must sit on one shard (shard by cityHash64(${entity}))`);
  }
}

const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', a: '\u0007', '0': '\u0000' };

/** A quoted name's text as ClickHouse writes it (`\n`, `\t`, `\xHH`, `\\`, `` \` ``…) back to the name. */
function unescapeClickHouse(text: string): string {
  return text.replace(/\\(x[0-9A-Fa-f]{2}|[\s\S])/g, (_, e: string) => (e.length === 3 ? String.fromCharCode(parseInt(e.slice(1), 16)) : (ESCAPES[e] ?? e)));
}

/** Top-level comma-separated arguments of an engine definition. */
function splitArgs(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = '';
    } else if (ch === "'" || ch === '`' || ch === '"') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(text.slice(start).trim());
  return out;
}

/** Runs one statement and returns its rows (JSONEachRow: 64-bit integers as numbers, arrays as arrays, tuples as arrays). */
export async function queryClickHouse(client: ClickHouseClient, sql: string): Promise<Array<Record<string, unknown>>> {
  const result = await client.query({ query: sql, format: 'JSONEachRow', clickhouse_settings: CLICKHOUSE_SETTINGS as never });
  return (await result.json()) as Array<Record<string, unknown>>;
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0];
}
