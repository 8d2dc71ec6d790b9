/**
 * A contract's inline data as named columns in memory: what every in-memory executor reads. Rows
 * become one array per column (the union of every row's keys); inline columns and a handed-over
 * Arrow table's columns are used as given, typed arrays included, without a copy. Every cell can
 * be named by its JSON path for errors.
 * @module
 */
import type { ArrowData, Cell, ColumnsData, FieldMap, InlineContract, RowsData, WhereClause } from './contract.js';
import { ContractError, pointerSegment } from './contract-error.js';
import { checkTimeZone, parseTimestamp, plausibleTime } from './time.js';

export interface Columns {
  /** Number of rows. */
  readonly length: number;
  /** Column names, in order of first appearance. */
  readonly names: readonly string[];
  /** A column's values in row order; the executor must not modify them. Missing: all undefined. */
  get(name: string): ArrayLike<unknown>;
  /** Whether the data has a column of that name. */
  has(name: string): boolean;
  /**
   * A dictionary-encoded column (an Arrow dictionary: event names, segments, string ids) as each
   * row's code and the dictionary, without making its values: a loop over millions of rows looks
   * a value up once per distinct value and then by number. Null for any other column.
   */
  codes(name: string): DictionaryCodes | null;
  /**
   * One cell at a time, for code that reads a few rows of a column (an entity's breakdown value):
   * a dictionary column is decoded per call instead of made whole.
   */
  reader(name: string): (row: number) => unknown;
  /**
   * A contract error about one cell: at its JSON path for inline data, or at `/data/url` naming
   * the row and column of the fetched file.
   */
  cellError(name: string, row: number, message: string): ContractError;
}

/** Where fetched data came from, so errors in its cells name the file rather than inline paths. */
export interface DataOrigin {
  url: string;
}

/** The inline data of a contract as {@link Columns}. */
export function contractColumns(contract: InlineContract, origin?: DataOrigin): Columns {
  const data = contract.data as Partial<RowsData & ColumnsData & ArrowData> | null;
  // Inline data names the cell's JSON path; fetched data has none, so the file's row and column.
  const fail = (inlinePath: string, place: string, message: string) =>
    origin ? new ContractError('/data/url', `${place} of ${origin.url}: ${message}`) : new ContractError(inlinePath, message);
  if (data && Array.isArray(data.rows)) {
    return fromRows(data.rows, (row, message) => fail(`/data/rows/${row}`, `row ${row + 1}`, message), (name, row, message) =>
      fail(`/data/rows/${row}/${pointerSegment(name)}`, `row ${row + 1}, column "${name}"`, message),
    );
  }
  if (data && data.columns !== null && typeof data.columns === 'object' && !Array.isArray(data.columns)) {
    return fromColumns(checkColumns(data.columns, origin ? '/data/url' : '/data/columns'), (name, row, message) =>
      fail(`/data/columns/${pointerSegment(name)}/${row}`, `row ${row + 1}, column "${name}"`, message),
    );
  }
  if (data && 'arrow' in data) {
    return fromColumns(handedOverColumns(data.arrow), (name, row, message) =>
      fail(`/data/arrow/${pointerSegment(name)}/${row}`, `row ${row + 1}, column "${name}"`, message),
    );
  }
  if (data && ('table' in data || 'files' in data || 'sql' in data)) {
    throw new ContractError(
      '/data',
      'this contract\'s events are in a database (data.table, data.files or data.sql): compute it with funnelkit/warehouse (runContract, or `npx funnelkit serve`) and give the widget the result (src pointing at the endpoint)',
    );
  }
  throw new ContractError('/data', 'expected inline "rows", "columns" or "arrow" here; fetch URL data first (computeView does)');
}

/**
 * The shape FunnelKit needs of an Arrow table a host already holds: Flechette's and Apache
 * Arrow JS's tables both have it, so neither library is a dependency of the host's data.
 */
export interface ArrowTableLike {
  schema: { fields: ReadonlyArray<{ name: string }> };
  getChild(name: string): { toArray(): ArrayLike<unknown> } | null;
}

/** A dictionary-encoded column: row i holds `dictionary[codes[i]]`. */
export interface DictionaryCodes {
  codes: ArrayLike<number>;
  dictionary: ArrayLike<unknown>;
}

/** A column as it is kept: its values, or codes whose values are made on first use. */
type Stored = ArrayLike<unknown> | CodedColumn;

class CodedColumn implements DictionaryCodes {
  private made: unknown[] | null = null;
  constructor(
    readonly codes: ArrayLike<number>,
    readonly dictionary: ArrayLike<unknown>,
  ) {}

  get length(): number {
    return this.codes.length;
  }

  values(): unknown[] {
    if (this.made) return this.made;
    const { codes, dictionary } = this;
    const values = new Array<unknown>(codes.length);
    for (let i = 0; i < codes.length; i++) values[i] = dictionary[codes[i]];
    return (this.made = values);
  }
}

/**
 * An Arrow table's columns by name, each as its `toArray()`: numeric columns without nulls are
 * typed arrays over the table's memory, so no row objects are made and nothing is copied. 64-bit
 * integer columns that a reader hands over as BigInt arrays (Apache Arrow JS's Int64 and
 * timestamps) become numbers, as Flechette reads them by default. A repeated field name keeps
 * its first column, as `getChild` does.
 */
export function arrowColumns(table: ArrowTableLike): Record<string, ArrayLike<unknown>> {
  // A null prototype: a column may be called `__proto__`.
  const columns: Record<string, ArrayLike<unknown>> = Object.create(null);
  for (const [name, stored] of arrowStored(table)) columns[name] = stored instanceof CodedColumn ? stored.values() : stored;
  return columns;
}

/**
 * {@link arrowColumns} with Flechette's dictionary columns left as codes (see
 * {@link Columns.codes}): at ten million rows, making an event column's strings cost 350 ms.
 */
function arrowStored(table: ArrowTableLike): Map<string, Stored> {
  const columns = new Map<string, Stored>();
  for (const { name } of table.schema.fields) {
    if (columns.has(name)) continue;
    const child = table.getChild(name);
    if (!child) throw new Error(`column "${name}" is in the schema but the table has no such child`);
    columns.set(name, dictionaryColumn(child) ?? bigIntsAsNumbers(child.toArray(), name));
  }
  return columns;
}

/** The shape of a Flechette dictionary column: batches of codes sharing one decoded dictionary. */
interface DictionaryChild {
  nullCount: number;
  length: number;
  data: ReadonlyArray<{ values: ArrayLike<number>; cache?: ArrayLike<unknown>; length: number }>;
}

/**
 * A Flechette dictionary column without nulls as its codes (one batch's codes as they are, several
 * batches' joined) and its dictionary; null for any other column (Apache Arrow JS's, or one with
 * nulls), which `toArray()` reads.
 */
function dictionaryColumn(child: unknown): CodedColumn | null {
  const c = child as Partial<DictionaryChild>;
  const batches = c.data;
  if (!Array.isArray(batches) || c.nullCount !== 0 || batches.length === 0) return null;
  const dictionary = batches[0].cache;
  if (!dictionary || !batches.every((b) => b.cache === dictionary && b.values && b.values.length >= b.length)) return null;
  if (batches.length === 1 && batches[0].values.length === c.length) return new CodedColumn(batches[0].values, dictionary);
  const codes = new Int32Array(c.length ?? 0);
  let k = 0;
  for (const batch of batches) {
    const keys = batch.values;
    for (let j = 0; j < batch.length; j++, k++) codes[k] = keys[j];
  }
  return new CodedColumn(codes, dictionary);
}

/** A handed-over `data.arrow` as columns, or a contract error at `/data/arrow` saying what is wrong. */
function handedOverColumns(table: unknown): Map<string, Stored> {
  const like = table as Partial<ArrowTableLike> | null;
  if (!like || typeof like.getChild !== 'function' || !Array.isArray(like.schema?.fields)) {
    throw new ContractError('/data/arrow', 'expected an Arrow table: an object with schema.fields and getChild(name), as Flechette and Apache Arrow JS tables have');
  }
  let columns: Map<string, Stored>;
  try {
    columns = arrowStored(like as ArrowTableLike);
  } catch (error) {
    throw new ContractError('/data/arrow', (error as Error).message);
  }
  for (const [name, values] of columns) {
    if (!(values instanceof CodedColumn) && !Array.isArray(values) && !ArrayBuffer.isView(values)) {
      throw new ContractError(`/data/arrow/${pointerSegment(name)}`, 'expected an array of values');
    }
  }
  sameLength(columns, '/data/arrow');
  return columns;
}

/**
 * A column of 64-bit integers (a BigInt typed array, or a plain array holding BigInts among
 * nulls) as numbers, so the executors meet numbers as they do from every other source; any other
 * column is returned as it is. A value beyond 2^53 would lose digits silently, so it is an error
 * naming the column and row instead.
 */
export function bigIntsAsNumbers(values: ArrayLike<unknown>, name: string): ArrayLike<unknown> {
  const typed = values instanceof BigInt64Array || values instanceof BigUint64Array;
  if (!typed && !(Array.isArray(values) && values.some((v) => typeof v === 'bigint'))) return values;
  const out = typed ? new Float64Array(values.length) : new Array<unknown>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = typeof v === 'bigint' ? bigIntAsNumber(v, name, i) : v;
  }
  return out;
}

/** A 64-bit integer as a number, or an error naming the column and row (from 0) when it does not fit. */
export function bigIntAsNumber(value: bigint, name: string, row: number): number {
  if (value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)) return Number(value);
  throw new Error(`column "${name}", row ${row + 1}: the 64-bit integer ${value} does not fit a JavaScript number`);
}

type CellError = Columns['cellError'];

function fromRows(rows: Array<Record<string, Cell>>, rowError: (row: number, message: string) => ContractError, cellError: CellError): Columns {
  // Events carry different properties, so the columns are the union of every row's keys. A Map,
  // not an object: a column may be called `__proto__`.
  const byName = new Map<string, unknown[]>();
  rows.forEach((row, i) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      throw rowError(i, `expected an object, got ${Array.isArray(row) ? 'a list' : showCell(row)}`);
    }
    for (const key of Object.keys(row)) if (!byName.has(key)) byName.set(key, []);
  });
  for (const [name, values] of byName) {
    values.length = rows.length;
    for (let i = 0; i < rows.length; i++) values[i] = Object.prototype.hasOwnProperty.call(rows[i], name) ? rows[i][name] : undefined;
  }
  return memoryColumns(byName, rows.length, cellError);
}

function fromColumns(columns: Map<string, Stored>, cellError: CellError): Columns {
  const first = columns.values().next();
  const length = first.done ? 0 : first.value.length;
  return memoryColumns(columns, length, cellError);
}

function memoryColumns(byName: Map<string, Stored>, length: number, cellError: CellError): Columns {
  const names = [...byName.keys()];
  let missing: unknown[] | null = null;
  const get = (name: string): ArrayLike<unknown> => {
    const stored = byName.get(name);
    if (stored instanceof CodedColumn) return stored.values();
    return stored ?? (missing ??= new Array(length));
  };
  return {
    length,
    names,
    has: (name) => byName.has(name),
    get,
    codes: (name) => {
      const stored = byName.get(name);
      return stored instanceof CodedColumn ? stored : null;
    },
    reader: (name) => {
      const stored = byName.get(name);
      if (stored instanceof CodedColumn) {
        const { codes, dictionary } = stored;
        return (row) => dictionary[codes[row]];
      }
      const values = get(name);
      return (row) => values[row];
    },
    cellError,
  };
}

/** Checks that inline columns are arrays of one length; returns them by name. */
export function checkColumns(columns: Record<string, unknown>, path: string): Map<string, ArrayLike<unknown>> {
  const byName = new Map<string, ArrayLike<unknown>>();
  for (const [name, values] of Object.entries(columns)) {
    if (!Array.isArray(values) && !ArrayBuffer.isView(values)) {
      throw new ContractError(`${path}/${pointerSegment(name)}`, 'expected an array of values');
    }
    byName.set(name, values as ArrayLike<unknown>);
  }
  sameLength(byName, path);
  return byName;
}

/** Checks that every column has the first one's length; the error names the first that differs. */
function sameLength(columns: Map<string, { length: number }>, path: string): void {
  let length = -1;
  let first = '';
  for (const [name, values] of columns) {
    if (length < 0) [length, first] = [values.length, name];
    else if (values.length !== length) {
      throw new ContractError(`${path}/${pointerSegment(name)}`, `expected ${length} values like column "${first}", got ${values.length}`);
    }
  }
}

export type Role = Exclude<keyof FieldMap, 'segments'>;

/** Checks that each role is mapped in `fields` and names a column; returns the column names. */
export function requireFields<R extends Role>(columns: Columns, fields: FieldMap, roles: readonly R[]): Record<R, string> {
  const names = {} as Record<R, string>;
  for (const role of roles) {
    const name = fields[role];
    if (!name) throw new ContractError(`/fields/${role}`, `is required: name the column that holds the ${role}`);
    requireColumn(columns, name, `/fields/${role}`);
    names[role] = name;
  }
  return names;
}

/** Checks that a column named by the contract (a breakdown, a where-clause field) exists. */
export function requireColumn(columns: Columns, name: string, path: string): void {
  if (columns.length > 0 && !columns.has(name)) {
    throw new ContractError(path, `column "${name}" not found in data; columns are ${columns.names.map((c) => `"${c}"`).join(', ')}`);
  }
}

/**
 * Parses one time cell (ISO 8601 text, a Date, epoch ms) in the zone; throws a contract error
 * naming the cell. Loops that meet mostly numbers test `typeof` first and call this for the rest.
 */
export function timeParser(columns: Columns, timeColumn: string, timeZone: string): (value: unknown, row: number) => number {
  checkTimeZone(timeZone);
  return (value, row) => {
    const ms = parseTimestamp(value, timeZone);
    if (Number.isNaN(ms)) {
      throw columns.cellError(timeColumn, row, `expected an ISO 8601 timestamp or epoch milliseconds, got ${showCell(value)}`);
    }
    if (!plausibleTime(ms)) {
      throw columns.cellError(timeColumn, row, `expected a time within 10,000 years of 1970, got ${showCell(value)}`);
    }
    return ms;
  };
}

/** A cell for an error message: short, and safe for any value (BigInt, Symbol, deep nesting). */
export function showCell(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  return `a ${typeof value === 'object' ? (Array.isArray(value) ? 'list' : 'object') : typeof value}`;
}

/**
 * Every time-reading loop takes numbers straight (the common case at a million rows) when they are
 * plausible, and hands anything else to the parser, which converts it or names the bad cell.
 */
export const directTime = (value: unknown): value is number => typeof value === 'number' && plausibleTime(value);

/** Every row's event time as epoch ms in the zone; a cell that is not a timestamp names its row. */
export function parseTimes(columns: Columns, timeColumn: string, timeZone: string): Float64Array {
  const raw = columns.get(timeColumn);
  const parse = timeParser(columns, timeColumn, timeZone);
  const times = new Float64Array(columns.length);
  for (let i = 0; i < times.length; i++) {
    const value = raw[i];
    times[i] = directTime(value) ? value : parse(value, i);
  }
  return times;
}

/** Row indices whose time is in [lo, hi), in time order (ties keep row order). */
export function rowsInRange(times: Float64Array, lo: number, hi: number): Int32Array {
  let rows = new Int32Array(times.length);
  let n = 0;
  let sorted = true;
  for (let i = 0; i < times.length; i++) {
    const t = times[i];
    if (!(t >= lo && t < hi)) continue;
    if (n && t < times[rows[n - 1]]) sorted = false;
    rows[n++] = i;
  }
  rows = rows.slice(0, n);
  if (!sorted && !settleNearlySorted(rows, times)) rows.sort((a, b) => times[a] - times[b] || a - b);
  return rows;
}

/**
 * Insertion sort for rows that are almost in time order (exports often sort by minute or by
 * batch): linear when each row is only a few places off. Gives up, leaving a permutation for a
 * full sort, once it has moved rows 16 places per row on average.
 */
function settleNearlySorted(rows: Int32Array, times: Float64Array): boolean {
  let budget = 16 * rows.length;
  for (let i = 1; i < rows.length; i++) {
    const r = rows[i];
    const t = times[r];
    let j = i - 1;
    while (j >= 0 && (times[rows[j]] > t || (times[rows[j]] === t && rows[j] > r))) {
      rows[j + 1] = rows[j];
      j--;
      if (--budget < 0) {
        rows[j + 1] = r;
        return false;
      }
    }
    rows[j + 1] = r;
  }
  return true;
}

/** A `where` clause whose values may also be numeric ranges (`{ min, max }`, inclusive). */
export type RangeWhere = Record<string, Cell | Cell[] | { min?: number; max?: number }>;

/** A row predicate for a `where` clause (equality, any of a list, a range); null when there is none. */
export function wherePredicate(columns: Columns, where: WhereClause | RangeWhere | undefined): ((row: number) => boolean) | null {
  const clauses = Object.entries(where ?? {}).map(([column, expected]) => {
    const values = columns.get(column);
    if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
      // A range, both ends inclusive: only numbers fall in it.
      const { min = -Infinity, max = Infinity } = expected;
      return (row: number) => {
        const v = values[row];
        return typeof v === 'number' && v >= min && v <= max;
      };
    }
    const allowed = new Set<unknown>(Array.isArray(expected) ? expected : [expected]);
    return (row: number) => allowed.has(values[row]);
  });
  return clauses.length ? (row) => clauses.every((c) => c(row)) : null;
}

/** The column a role is mapped to in `fields`; a contract error at `/fields/<role>` when unmapped. */
export function fieldOf(fields: FieldMap, role: Role): string {
  const name = fields[role];
  if (!name) throw new ContractError(`/fields/${role}`, `is required: name the column that holds the ${role}`);
  return name;
}
