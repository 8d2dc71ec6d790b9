/**
 * From a contract's `data` to an Arquero table: fetching URL data (JSON, CSV, Arrow), checking
 * that the columns named in `fields` exist, and parsing event times in the contract's zone.
 * @module
 */
import { from, fromArrow, fromCSV, table as columnTable, type ColumnTable } from 'arquero';
import type { Cell, ColumnsData, Contract, FieldMap, InlineContract, UrlData } from './contract.js';
import { ContractError, pointerSegment } from './contract-error.js';
import { checkTimeZone, parseTimestamp, rangeBounds } from './time.js';
import type { TimeRange } from './contract.js';

export interface ResolveOptions {
  /** Cancels the fetch of `data.url`. */
  signal?: AbortSignal;
  /** Base for a relative `data.url` (the page, or the URL the contract came from). */
  baseUrl?: string | URL;
  /** The fetch to use; defaults to the global one. */
  fetch?: typeof fetch;
}

/** Returns the contract with URL data fetched and parsed into inline columns. */
export async function resolveData<C extends Contract>(contract: C, options: ResolveOptions = {}): Promise<InlineContract<C>> {
  if (!('url' in contract.data)) return contract as InlineContract<C>;
  const data = contract.data as UrlData;
  const doFetch = options.fetch ?? fetch;
  const url = new URL(data.url, options.baseUrl ?? globalThis.location?.href);
  let response: Response;
  try {
    response = await doFetch(url, { signal: options.signal });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ContractError('/data/url', `could not fetch ${url.href}: ${(error as Error).message}`);
  }
  if (!response.ok) throw new ContractError('/data/url', `could not fetch ${url.href}: HTTP ${response.status}`);
  const table = await parseBody(response, data.format, contract.fields);
  return { ...contract, data: tableToColumns(table) };
}

async function parseBody(response: Response, format: UrlData['format'], fields: FieldMap): Promise<ColumnTable> {
  try {
    if (format === 'arrow') return fromArrow(new Uint8Array(await response.arrayBuffer()));
    const text = await response.text();
    if (format === 'csv') return fromCSV(text, { parse: csvParsers(fields) });
    const json: unknown = JSON.parse(text);
    if (Array.isArray(json)) return contractTable({ data: { rows: json } } as InlineContract);
    if (json && typeof json === 'object' && 'rows' in json && Array.isArray(json.rows)) return contractTable({ data: { rows: json.rows } } as InlineContract);
    if (json && typeof json === 'object') return columnTable(checkColumns(json as ColumnsData['columns'], '/data/url'));
    throw new Error('expected an array of rows or an object of columns');
  } catch (error) {
    if (error instanceof ContractError) throw error;
    throw new ContractError('/data/format', `could not read the ${format} at /data/url: ${(error as Error).message}`);
  }
}

/**
 * Arquero's CSV reader guesses types, and would read a date-only `2024-03-01` as UTC midnight and an
 * id like `007` as the number 7. Times stay text (or epoch numbers) so `timeZone` decides their
 * instant; ids and event names stay text.
 */
function csvParsers(fields: FieldMap): Record<string, (text: string) => Cell> {
  const parsers: Record<string, (text: string) => Cell> = {};
  if (fields.time) parsers[fields.time] = (text) => (/^-?\d+$/.test(text) ? Number(text) : text);
  if (fields.entity) parsers[fields.entity] = String;
  if (fields.event) parsers[fields.event] = String;
  return parsers;
}

function tableToColumns(t: ColumnTable): ColumnsData {
  const columns: Record<string, Cell[]> = {};
  for (const name of t.columnNames()) columns[name] = t.array(name) as unknown as Cell[];
  return { columns };
}

function checkColumns(columns: Record<string, unknown>, path: string): Record<string, Cell[]> {
  let length = -1;
  let first = '';
  for (const [name, values] of Object.entries(columns)) {
    if (!Array.isArray(values) && !ArrayBuffer.isView(values)) {
      throw new ContractError(`${path}/${pointerSegment(name)}`, 'expected an array of values');
    }
    const n = (values as unknown[]).length;
    if (length < 0) [length, first] = [n, name];
    else if (n !== length) {
      throw new ContractError(`${path}/${pointerSegment(name)}`, `expected ${length} values like column "${first}", got ${n}`);
    }
  }
  return columns as Record<string, Cell[]>;
}

/** The contract's inline data as an Arquero table. */
export function contractTable(contract: InlineContract): ColumnTable {
  const data = contract.data;
  if ('rows' in data) {
    // Arquero takes column names from the first row; events carry different properties, so
    // the table gets the union of every row's keys.
    const names = new Set<string>();
    data.rows.forEach((row, i) => {
      if (row === null || typeof row !== 'object' || Array.isArray(row)) {
        throw new ContractError(`/data/rows/${i}`, `expected an object, got ${row === null ? 'null' : Array.isArray(row) ? 'an array' : JSON.stringify(row)}`);
      }
      for (const key in row) names.add(key);
    });
    return from(data.rows, [...names]);
  }
  return columnTable(checkColumns(data.columns, '/data/columns'));
}

/** Where a cell lives in the contract, for error messages. */
function cellPath(contract: InlineContract, column: string, row: number): string {
  return 'rows' in contract.data
    ? `/data/rows/${row}/${pointerSegment(column)}`
    : `/data/columns/${pointerSegment(column)}/${row}`;
}

export type Role = Exclude<keyof FieldMap, 'segments'>;

/** Checks that each role is mapped in `fields` and names a column of `t`; returns the names. */
export function requireFields<R extends Role>(t: ColumnTable, fields: FieldMap, roles: readonly R[]): Record<R, string> {
  const names = {} as Record<R, string>;
  const columns = t.columnNames();
  for (const role of roles) {
    const name = fields[role];
    if (!name) throw new ContractError(`/fields/${role}`, `is required: name the column that holds the ${role}`);
    if (t.numRows() > 0 && !columns.includes(name)) {
      throw new ContractError(`/fields/${role}`, `column "${name}" not found in data; columns are ${columns.map((c) => `"${c}"`).join(', ')}`);
    }
    names[role] = name;
  }
  return names;
}

/** Checks that an optional column (a breakdown, a where-clause field) exists. */
export function requireColumn(t: ColumnTable, name: string, path: string): void {
  if (t.numRows() > 0 && !t.columnNames().includes(name)) {
    throw new ContractError(path, `column "${name}" not found in data; columns are ${t.columnNames().map((c) => `"${c}"`).join(', ')}`);
  }
}

/** Name of the derived epoch-ms column that {@link withTime} adds. */
export const TIME = '__time';

/**
 * Adds the parsed event time (epoch ms, in the contract's zone) as column {@link TIME}, drops
 * rows outside `range`, and sorts by time. A cell that is not a timestamp is a contract error
 * naming its row.
 */
export function withTime(contract: InlineContract, t: ColumnTable, timeColumn: string, range: TimeRange | undefined, rangePath: string): ColumnTable {
  const timeZone = checkTimeZone(contract.timeZone ?? 'UTC');
  const times = parseTimes(contract, t, timeColumn);
  const { from: lo, to: hi } = rangeBounds(range, timeZone, rangePath);
  return timeSlice(t.assign({ [TIME]: times }), lo, hi);
}

/**
 * A column's values in row order. For a table that is neither filtered nor ordered and whose
 * column is a plain or typed array (inline data), this is that array itself, not a copy:
 * `table.array()` copies through a row scan, which costs more than a whole funnel at 1M rows.
 * Callers must not modify it.
 */
export function columnValues(t: ColumnTable, name: string): ArrayLike<unknown> {
  if (!t.numRows()) return [];
  const column = t.column(name) as unknown;
  if (!t.isFiltered() && !t.isOrdered() && (Array.isArray(column) || ArrayBuffer.isView(column))) return column as ArrayLike<unknown>;
  return t.array(name) as ArrayLike<unknown>;
}

/**
 * Every row's event time as epoch ms, in the contract's zone. A cell that is not a timestamp is a
 * contract error naming its row.
 */
export function parseTimes(contract: InlineContract, t: ColumnTable, timeColumn: string): Float64Array {
  const raw = columnValues(t, timeColumn);
  const parse = timeParser(contract, timeColumn);
  const times = new Float64Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const value = raw[i];
    times[i] = typeof value === 'number' ? value : parse(value, i);
  }
  return times;
}

/**
 * Parses one time cell (ISO 8601 text, a Date, epoch ms) in the contract's zone; throws a
 * contract error naming the cell. Loops that meet mostly numbers test `typeof` first and call
 * this for the rest.
 */
export function timeParser(contract: InlineContract, timeColumn: string): (value: unknown, row: number) => number {
  const timeZone = checkTimeZone(contract.timeZone ?? 'UTC');
  return (value, row) => {
    const ms = parseTimestamp(value, timeZone);
    if (Number.isNaN(ms)) {
      throw new ContractError(cellPath(contract, timeColumn, row), `expected an ISO 8601 timestamp or epoch milliseconds, got ${JSON.stringify(value)}`);
    }
    return ms;
  };
}

/** Rows of a table with {@link TIME} whose time is in [lo, hi), in time order. */
export function timeSlice(timed: ColumnTable, lo: number, hi: number): ColumnTable {
  if (lo > -Infinity || hi < Infinity) timed = timed.params({ lo, hi }).filter((d: { __time: number }, $: { lo: number; hi: number }) => d.__time >= $.lo && d.__time < $.hi);
  return timed.orderby(TIME);
}
