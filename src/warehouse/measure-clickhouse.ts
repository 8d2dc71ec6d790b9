/**
 * Measures (measure-sql.ts's leaves) compiled to ClickHouse, and the KPI and anomaly statements
 * built from them. Planning, windows and reading the rows back are shared with DuckDB (kpi-sql.ts,
 * anomaly-sql.ts, measure-sql.ts `readMeasure`); this file writes only the SQL, for ClickHouse
 * 18.16 and later: no CTEs, window functions, FILTER or query parameters — nested subqueries,
 * `-If` combinators, arrays and lambdas, and every contract value written by
 * {@link ClickHouseParams}.
 *
 * Distribution: queries run with `distributed_group_by_no_merge = 1`, so the innermost SELECT
 * reading a Distributed table is finished on each shard and the initiator only unions its rows.
 * Every leaf is therefore three levels: per shard, the rows grouped by window and series into
 * partial aggregates (counts, value lists, extremes); then those partials combined per window and
 * series (on a plain MergeTree table the same SQL simply has one partial per group); then the
 * figure. Distinct values are collected as sets and united, so a value on two shards counts once;
 * durations group by entity on the shard, which holds all of an entity's events (the engine
 * refuses a Distributed table not sharded by the entity).
 *
 * Exactness, as in memory: sums and means add the values one by one, from 0, in (time, row order)
 * order: the (t, o, v) triples are collected, sorted, and added by `arrayCumSum` (each running
 * total from the one before, so no pairwise or per-thread reordering). Medians take the two middle
 * values of the sorted list, ((a + b) / 2). Last is the value at the largest (t, o).
 *
 * Windows are cut in JavaScript and written as literals. A row joins at most one window of each
 * family (non-overlapping, sorted): a short family is one `multiIf`, a long one (a daily sparkline,
 * an hourly series) a lookup in literal arrays by a bucket of the row's time, constant work per
 * row with no array copied per row (see {@link bucketLookup}). Long families make long queries:
 * clickhouse.ts raises `max_query_size`.
 *
 * Without a row-order column, ties at equal times fall in value order (ClickHouse keeps no
 * insertion order), so a sum over tied rows may differ from memory's in the last bits.
 *
 * Names: every column is read by its quoted name; the query's own aliases carry a prefix no
 * column of the table starts with, because a ClickHouse alias shadows a column of the same name
 * anywhere in its SELECT.
 * @module
 */
import type { RangeWhere } from '../analytics/columns.js';
import { baseClickHouseType, clickHouseEquals, ClickHouseParams, clickHouseTime, columnType, quoteClickHouseIdent, quoteClickHouseTable } from './clickhouse.js';
import type { Leaf } from './measure-sql.js';
import type { SqlOptions } from './sql.js';

/** A time window [from, to) epoch ms, its index in the result (wi), and its family (windows of one family never overlap). */
export interface ClickHouseWindow {
  wi: number;
  from: number;
  to: number;
  fam: number;
}

const NUMERIC = /^(U?Int(8|16|32|64)|Float(32|64)|Decimal.*)$/;
const FLOAT = /^Float(32|64)$/;
const TEXT = /^(String|FixedString\(\d+\))$/;

/**
 * How one statement reads the events table: the table, the time and row-order expressions, the
 * literal writer, and the prefix of the statement's own aliases.
 */
export class ClickHouseSource {
  readonly table: string;
  /** The event time, epoch ms Float64 (the engine has refused tables with a missing or bad time). */
  readonly t: string;
  /** The row order: the named column, else a constant (ties then fall as ClickHouse reads them). */
  readonly o: string;
  readonly params = new ClickHouseParams();
  /** Prefix of every alias the statement makes: no column of the table starts with it. */
  readonly p: string;

  constructor(
    readonly options: SqlOptions,
    timeField: string,
  ) {
    this.table = quoteClickHouseTable(options.table);
    this.t = `assumeNotNull(${clickHouseTime(quoteClickHouseIdent(timeField), options.time ?? 'epoch-ms')})`;
    this.o = options.rowOrder === undefined ? 'toUInt8(0)' : `assumeNotNull(${quoteClickHouseIdent(options.rowOrder)})`;
    const names = [...(options.columnTypes?.keys() ?? [])];
    let p = 'fk_';
    for (let i = 0; names.some((n) => n.startsWith(p)); i++) p = `fk${i}_`;
    this.p = p;
  }

  /** A contract number as an exact Float64 literal. */
  num(value: number): string {
    return this.params.bind(value, 'DOUBLE');
  }

  type(column: string): string {
    return columnType(this.options, column);
  }

  /**
   * 1 for the rows a where clause accepts, 0 otherwise (never NULL), with the in-memory predicate's
   * semantics (columns.ts `wherePredicate`): strict equality with a value or any of a list, and
   * for a range a number within both inclusive ends (NaN and NULL are in no range).
   */
  where(where: RangeWhere): string {
    const parts = Object.entries(where).map(([name, expected]) => {
      const column = quoteClickHouseIdent(name);
      const type = this.type(name);
      if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
        if (!NUMERIC.test(baseClickHouseType(type))) return '0';
        const value = `toFloat64(${column})`;
        const range = [`NOT isNaN(${value})`];
        if (expected.min !== undefined) range.push(`${value} >= ${this.num(expected.min)}`);
        if (expected.max !== undefined) range.push(`${value} <= ${this.num(expected.max)}`);
        return `ifNull(${range.join(' AND ')}, 0)`;
      }
      const values = Array.isArray(expected) ? expected : [expected];
      return values.length ? `(${values.map((v) => clickHouseEquals(column, type, v, this.params)).join(' OR ')})` : '0';
    });
    return parts.length ? parts.map((p) => `(${p})`).join(' AND ') : '1';
  }
}

/** The two statements of a leaf: its figures per window and series, and its first bad cell. */
interface LeafSql {
  /** Rows (`<p>wi`, `<p>g`, `<p>v`, `<p>n`) for windows and series with rows; null without windows. */
  values: string | null;
  /** One row (`<p>bad`) when a measured cell is not a number where the op needs one; null when the column's type cannot hold one. */
  bad: string | null;
}

/** What a leaf reads: the rows (a condition on the table) and the series each row belongs to. */
export interface LeafRows {
  /** Condition on the table's rows (1 for all). */
  filter: string;
  /** The row's series index (an Int expression; 0 for one series). */
  group: string;
}

/**
 * One leaf of a measure over every window (`values`), and the check of its cells (`bad`).
 * The check reads every row its filter accepts, in or out of any window, as `bindMeasure` does.
 */
export function clickHouseLeaf(leaf: Leaf, src: ClickHouseSource, windows: readonly ClickHouseWindow[], rows: LeafRows): LeafSql {
  return leaf.kind === 'duration' ? { values: durationLeaf(leaf, src, windows, rows), bad: null } : opLeaf(leaf, src, windows, rows);
}

type OpLeaf = Extract<Leaf, { kind: 'op' }>;
type Op = OpLeaf['op'];

function opLeaf(leaf: OpLeaf, src: ClickHouseSource, windows: readonly ClickHouseWindow[], rows: LeafRows): LeafSql {
  const { p } = src;
  const accept = src.where(leaf.where);
  const field = leaf.op === 'count' || leaf.field === undefined ? null : leaf.field;
  const column = field === null ? null : quoteClickHouseIdent(field);
  const base = field === null ? '' : baseClickHouseType(src.type(field));
  const numeric = NUMERIC.test(base);
  const input: AggregateInput = {
    from: src.table,
    where: and(rows.filter, accept),
    t: src.t,
    o: src.o,
    g: rows.group,
    // Only numbers are measured (memory skips every cell that is not a JS number): a column of
    // another type has none, and any non-empty cell of it is refused by the check below.
    v: column !== null && numeric ? `assumeNotNull(toFloat64(${column}))` : 'toFloat64(0)',
    present: column !== null && numeric ? `isNotNull(${column})` : '0',
    distinct: '',
    distinctPresent: '0',
  };
  if (leaf.op === 'distinct' && column !== null) {
    // Memory's Set: text as itself (empty text is no value); numbers by value, so 0 and -0 are
    // one (adding 0 turns -0 into 0) and NaN one (written "nan"), via their shortest round-trip text.
    input.distinct = numeric ? `toString(assumeNotNull(toFloat64(${column})) + 0)` : `toString(assumeNotNull(${column}))`;
    input.distinctPresent = TEXT.test(base) ? `(isNotNull(${column}) AND ifNull(${column} != '', 0))` : `isNotNull(${column})`;
  }
  let bad: string | null = null;
  if (column !== null && leaf.op !== 'distinct' && (!numeric || FLOAT.test(base))) {
    const cond = numeric ? `(isNotNull(${column}) AND isNaN(assumeNotNull(toFloat64(${column}))))` : `isNotNull(${column})`;
    bad = `SELECT ${p}bad FROM (
  SELECT minIf(${p}b0, ${p}nb0 > 0) AS ${p}bad, sum(${p}nb0) AS ${p}nb FROM (
    SELECT countIf(${cond}) AS ${p}nb0, minIf(toString(assumeNotNull(${column})), ${cond}) AS ${p}b0 FROM ${src.table} WHERE ${accept}
  )
) WHERE ${p}nb > 0`;
  }
  return { values: aggregate(leaf.op, input, windows, src), bad };
}

/**
 * Durations: per series and entity, on the entity's shard, the first `from` row (time, then row
 * order) and the first `to` row at or after it (the same row counts: a cycle of 0); the cycle is
 * (close − start) / unit, filed under its close. Entities missing or '' never close, as in memory.
 */
function durationLeaf(leaf: Extract<Leaf, { kind: 'duration' }>, src: ClickHouseSource, windows: readonly ClickHouseWindow[], rows: LeafRows): string | null {
  const { p } = src;
  const entity = quoteClickHouseIdent(leaf.entity);
  const base = baseClickHouseType(src.type(leaf.entity));
  const valid = TEXT.test(base) ? `isNotNull(${entity}) AND ifNull(${entity} != '', 0)` : `isNotNull(${entity})`;
  const from = src.where(leaf.from);
  const to = src.where(leaf.to);
  const at = `(${src.t}, ${src.o})`;
  const cycles = `(
  SELECT tupleElement(${p}c, 1) AS ${p}ct, tupleElement(${p}c, 2) AS ${p}co, ${p}g0 AS ${p}cg, (tupleElement(${p}c, 1) - tupleElement(${p}s, 1)) / ${src.num(leaf.unitMs)} AS ${p}cv
  FROM (
    SELECT toInt32(${rows.group}) AS ${p}g0, assumeNotNull(${entity}) AS ${p}e,
      minIf(${at}, ${from}) AS ${p}s, countIf(${from}) AS ${p}ns,
      arraySort(arrayFilter(${p}x -> ${p}x >= ${p}s, groupArrayIf(${at}, ${to})) AS ${p}cs)[1] AS ${p}c, notEmpty(${p}cs) AS ${p}nc
    FROM ${src.table}
    WHERE ${and(rows.filter, `(${from}) OR (${to})`, valid)}
    GROUP BY ${p}g0, ${p}e
  ) WHERE ${p}ns > 0 AND ${p}nc
)`;
  return aggregate(leaf.summary, { from: cycles, where: '1', t: `${p}ct`, o: `${p}co`, g: `${p}cg`, v: `${p}cv`, present: '1', distinct: '', distinctPresent: '0' }, windows, src);
}

/** The rows one aggregate reads: a relation, a condition, and the expressions of each row. */
interface AggregateInput {
  from: string;
  where: string;
  t: string;
  o: string;
  g: string;
  /** The value (Float64, meaningful where `present`). */
  v: string;
  present: string;
  /** For `distinct`: the value as text, and whether the cell holds one. */
  distinct: string;
  distinctPresent: string;
}

/** Per op: the partial on each shard (from `<p>a0`'s inputs), the partials combined (`<p>a`), and the figure. */
function opSql(op: Op, i: AggregateInput, p: string): { partial: string; combine: string; figure: string } {
  // Array.reduce from 0: the running totals of 0 followed by the values; the last is the sum.
  const ordered = `arrayElement(arrayCumSum(arrayConcat([toFloat64(0)], ${p}a)), -1)`;
  const sorted = `arrayMap(${p}x -> tupleElement(${p}x, 3), arraySort(groupArrayArray(${p}a0)))`;
  switch (op) {
    case 'count':
      return { partial: 'toUInt8(0)', combine: `any(${p}a0)`, figure: `toFloat64(${p}n)` };
    case 'distinct':
      return { partial: `groupUniqArrayIf(${i.distinct || "''"}, ${i.distinctPresent})`, combine: `groupUniqArrayArray(${p}a0)`, figure: `toFloat64(length(${p}a))` };
    case 'sum':
      return { partial: `groupArrayIf((${i.t}, ${i.o}, ${i.v}), ${i.present})`, combine: sorted, figure: ordered };
    case 'mean':
      return { partial: `groupArrayIf((${i.t}, ${i.o}, ${i.v}), ${i.present})`, combine: sorted, figure: `if(${p}c = 0, NULL, ${ordered} / ${p}c)` };
    case 'median': {
      const half = `intDiv(${p}c, 2)`;
      return {
        partial: `groupArrayIf(${i.v}, ${i.present})`,
        combine: `arraySort(groupArrayArray(${p}a0))`,
        figure: `if(${p}c = 0, NULL, if(${p}c % 2 = 1, ${p}a[${half} + 1], (${p}a[${half}] + ${p}a[${half} + 1]) / 2))`,
      };
    }
    case 'min':
    case 'max':
      // A shard's partial over no value is the type's default: only shards with values combine.
      return { partial: `${op}If(${i.v}, ${i.present})`, combine: `${op}If(${p}a0, ${p}c0 > 0)`, figure: `if(${p}c = 0, NULL, ${p}a)` };
    case 'last':
      return { partial: `maxIf((${i.t}, ${i.o}, ${i.v}), ${i.present})`, combine: `maxIf(${p}a0, ${p}c0 > 0)`, figure: `if(${p}c = 0, NULL, tupleElement(${p}a, 3))` };
  }
}

/**
 * One op over every window, per series: rows (`<p>wi`, `<p>g`, `<p>v`, `<p>n`) for each window
 * and series with rows in it (the others read as `emptyReading`); null without windows.
 */
function aggregate(op: Op, input: AggregateInput, windows: readonly ClickHouseWindow[], src: ClickHouseSource): string | null {
  const { p } = src;
  const placed = placement(input.t, windows, src);
  if (!placed) return null;
  const { partial, combine, figure } = opSql(op, input, p);
  return `SELECT ${p}wi, ${p}g, ${figure} AS ${p}v, ${p}n FROM (
  SELECT ${p}wi, ${p}g, sum(${p}n0) AS ${p}n, sum(${p}c0) AS ${p}c, ${combine} AS ${p}a FROM (
    SELECT arrayJoin(${placed.windows}) AS ${p}wi, toInt32(${input.g}) AS ${p}g, count() AS ${p}n0, countIf(${input.present}) AS ${p}c0, ${partial} AS ${p}a0
    FROM ${input.from}
    WHERE ${and(input.where, placed.span)}
    GROUP BY ${p}wi, ${p}g
  ) GROUP BY ${p}wi, ${p}g
)`;
}

/**
 * The windows holding a row at time `t`, as an array expression (one index per family at most),
 * and a condition on the whole span, so rows outside every window are skipped before anything is
 * computed. Windows of a family are sorted and placed by one `multiIf` of comparisons with
 * literals: a family of one window is one range test.
 */
function placement(t: string, windows: readonly ClickHouseWindow[], src: ClickHouseSource): { windows: string; span: string } | null {
  const live = windows.filter((w) => w.from < w.to);
  if (!live.length) return null;
  const families = new Map<number, ClickHouseWindow[]>();
  for (const w of live) families.set(w.fam, [...(families.get(w.fam) ?? []), w]);
  const picks = [...families.values()].map((family, f) => {
    const sorted = [...family].sort((a, b) => a.from - b.from);
    if (sorted.length > SMALL_FAMILY) return bucketLookup(t, sorted, src, f);
    const args: string[] = [];
    sorted.forEach((w, i) => {
      if (i === 0 || w.from !== sorted[i - 1].to) args.push(`${t} < ${src.num(w.from)}`, '-1');
      args.push(`${t} < ${src.num(w.to)}`, String(w.wi));
    });
    return `toInt32(multiIf(${args.join(', ')}, -1))`;
  });
  const lo = Math.min(...live.map((w) => w.from));
  const hi = Math.max(...live.map((w) => w.to));
  return {
    windows: `arrayFilter(${src.p}x -> ${src.p}x >= 0, [${picks.join(', ')}])`,
    span: `${t} >= ${src.num(lo)} AND ${t} < ${src.num(hi)}`,
  };
}

/**
 * The windows (their `wi`) holding a row whose epoch-ms time is the expression `t`, as a
 * ClickHouse array: at most one per family. Exported for tests of the placement against the
 * server; the statements use it through their leaves.
 */
export function clickHouseWindowsOf(t: string, windows: readonly ClickHouseWindow[], options: Pick<SqlOptions, 'columnTypes'>): string {
  const src = new ClickHouseSource({ table: 'unused', columnTypes: options.columnTypes ?? new Map([['t', 'Float64']]) }, 't');
  return placement(t, windows, src)?.windows ?? 'emptyArrayInt32()';
}

/**
 * Families up to this many windows are one `multiIf`; ClickHouse analyses a `multiIf` of
 * hundreds of branches slowly (seconds), so longer ones are a table lookup.
 */
const SMALL_FAMILY = 8;

/**
 * The window of a long family holding `t` (or −1) in constant time per row, with no array copied
 * per row: the family's edges s₁ < … < s_N split the line into intervals, each inside one window
 * or in a gap (`win`, by the number of edges ≤ t). That number is found from fixed buckets of a
 * power-of-two width B over [s₁, s_N): `base[b]` counts the edges ≤ the bucket's start, and at
 * most M edges fall inside a bucket, so M comparisons with the edges after `base[b]` finish it.
 * (t − s₁) / B is exact (B a power of two), so no row lands in a neighbouring bucket.
 */
function bucketLookup(t: string, family: readonly ClickHouseWindow[], src: ClickHouseSource, f: number): string {
  const { p } = src;
  const edges = [...new Set(family.flatMap((w) => [w.from, w.to]))].sort((a, b) => a - b);
  const n = edges.length;
  const lo = edges[0];
  const hi = edges[n - 1];
  const layout = (width: number) => {
    const buckets = Math.floor((hi - lo) / width) + 1;
    const base: number[] = [];
    let inside = 0;
    let e = 0;
    for (let b = 0; b < buckets; b++) {
      const start = lo + b * width;
      while (e < n && edges[e] <= start) e++;
      base.push(e);
      let k = e;
      while (k < n && edges[k] < start + width) k++;
      inside = Math.max(inside, k - e);
    }
    return { base, inside };
  };
  // About two buckets per edge; narrower while some bucket holds many edges (a clipped window).
  let width = 1;
  while (width * 2 * n < hi - lo) width *= 2;
  let { base, inside } = layout(width);
  while (inside > 3 && width > 1 && (hi - lo) / width < 16 * n) {
    width /= 2;
    ({ base, inside } = layout(width));
  }
  // win[pos]: the window of [s_pos, s_pos+1) (pos 0 and N: outside every window).
  // The family is sorted by start: one pass pairs each interval with the window holding it.
  const win = [-1];
  let w = 0;
  for (let i = 0; i + 1 < n; i++) {
    while (w < family.length && family[w].to <= edges[i]) w++;
    win.push(w < family.length && family[w].from <= edges[i] && edges[i + 1] <= family[w].to ? family[w].wi : -1);
  }
  win.push(-1);
  const literal = (x: number) => (Number.isSafeInteger(x) ? `${x}.0` : src.num(x));
  // Past the last edge, lookups read a far-away edge, so no comparison counts.
  const sArray = `[${[...edges.map(literal), ...Array.from({ length: inside }, () => '1e300')].join(', ')}]`;
  const bucket = `toUInt32(greatest(0, least(floor((${t} - ${literal(lo)}) / ${literal(width)}), ${base.length - 1}))) + 1`;
  const b = `${p}b${f}`;
  const parts = [`(arrayElement([${base.join(', ')}], ${bucket}) AS ${b})`];
  for (let j = 1; j <= inside; j++) parts.push(`(${t} >= arrayElement(${j === 1 ? `${sArray} AS ${p}s${f}` : `${p}s${f}`}, ${b} + ${j}))`);
  return `toInt32(if(${t} >= ${literal(lo)} AND ${t} < ${literal(hi)}, arrayElement([${win.join(', ')}], ${parts.join(' + ')} + 1), -1))`;
}

function and(...parts: string[]): string {
  const kept = parts.filter((x) => x !== '1');
  return kept.length ? kept.map((x) => `(${x})`).join(' AND ') : '1';
}

/** One row of a result branch, every column cast so the UNION ALL branches agree on types. */
type Shape = Array<[name: string, type: 'Int32' | 'UInt8' | 'UInt64' | 'Nullable(Float64)' | 'Nullable(String)' | 'Nullable(UInt64)', expression: string | null]>;

function select(shape: Shape, from: string): string {
  const columns = shape.map(([name, type, e]) => (e === null ? `CAST(NULL AS ${type}) AS ${name}` : type.startsWith('Nullable') ? `CAST(${e} AS ${type}) AS ${name}` : `to${type}(${e}) AS ${name}`));
  return `SELECT ${columns.join(', ')} FROM ${from}`;
}

/** A KPI's leaves and its windows (indexes as kpi-sql.ts reads them back). */
export interface ClickHouseKpi {
  leaves: readonly Leaf[];
  windows: readonly ClickHouseWindow[];
}

/**
 * The KPI statement: per KPI k and leaf l, rows (k, l, wi, v, n) for windows with rows, and a row
 * (wi −1) with `bad` naming a cell that is not a number where the measure needs one — the rows
 * kpi-sql.ts's `givenContract` reads from DuckDB too.
 */
export function clickHouseKpiSql(options: SqlOptions, timeField: string, kpis: readonly ClickHouseKpi[]): string {
  const src = new ClickHouseSource(options, timeField);
  const { p } = src;
  const branches: string[] = [];
  kpis.forEach(({ leaves, windows }, k) => {
    leaves.forEach((leaf, l) => {
      const { values, bad } = clickHouseLeaf(leaf, src, windows, { filter: '1', group: '0' });
      const keys: Shape = [['k', 'Int32', String(k)], ['l', 'Int32', String(l)]];
      if (values) branches.push(select([...keys, ['wi', 'Int32', `${p}wi`], ['v', 'Nullable(Float64)', `${p}v`], ['n', 'UInt64', `${p}n`], ['bad', 'Nullable(String)', null]], `(${values})`));
      if (bad) branches.push(select([...keys, ['wi', 'Int32', '-1'], ['v', 'Nullable(Float64)', null], ['n', 'UInt64', '0'], ['bad', 'Nullable(String)', `${p}bad`]], `(${bad})`));
    });
  });
  return branches.join('\nUNION ALL\n');
}

/** The latest event time (`as_of`, null for no events): "now" when a KPI contract gives no `asOf`. */
export function clickHouseLatestSql(options: SqlOptions, timeField: string): string {
  const src = new ClickHouseSource(options, timeField);
  const { p } = src;
  return `SELECT if(sum(${p}n) > 0, maxIf(${p}m, ${p}n > 0), NULL) AS as_of FROM (SELECT max(${src.t}) AS ${p}m, count() AS ${p}n FROM ${src.table})`;
}

/** An anomaly's range and split as the ClickHouse statements read them. */
export interface ClickHouseAnomaly {
  timeField: string;
  range: { from: number | null; to: number | null };
  split: { field: string; limit: number } | null;
}

/** The condition for events in the anomaly's range. */
function inRange(src: ClickHouseSource, range: ClickHouseAnomaly['range']): string {
  const parts: string[] = [];
  if (range.from !== null) parts.push(`${src.t} >= ${src.num(range.from)}`);
  if (range.to !== null) parts.push(`${src.t} < ${src.num(range.to)}`);
  return parts.length ? parts.join(' AND ') : '1';
}

/** groups.ts `groupKey`: a missing cell is '', anything else its text (the split column is text or integer). */
function splitKey(field: string): string {
  return `ifNull(toString(${quoteClickHouseIdent(field)}), '')`;
}

/**
 * The anomaly's first statement, in the rows anomaly-sql.ts's `seriesLayout` reads from DuckDB:
 * the first and last event time in range and how many (fam 0), and with a split (fam 1) every
 * value with as many rows as the limit-th largest or more, with the number of values there are.
 * Split values are counted per shard and added, as one value may sit on several shards.
 */
export function clickHouseAnomalyFirstSql(options: SqlOptions, anomaly: ClickHouseAnomaly): string {
  const src = new ClickHouseSource(options, anomaly.timeField);
  const { p } = src;
  const range = inRange(src, anomaly.range);
  const overall = select(
    [['fam', 'UInt8', '0'], ['lo', 'Nullable(Float64)', `if(${p}n > 0, ${p}lo, NULL)`], ['hi', 'Nullable(Float64)', `if(${p}n > 0, ${p}hi, NULL)`], ['key', 'Nullable(String)', null], ['size', 'UInt64', `${p}n`], ['keys', 'Nullable(UInt64)', null]],
    `(SELECT minIf(${p}lo0, ${p}n0 > 0) AS ${p}lo, maxIf(${p}hi0, ${p}n0 > 0) AS ${p}hi, sum(${p}n0) AS ${p}n FROM (
  SELECT min(${src.t}) AS ${p}lo0, max(${src.t}) AS ${p}hi0, count() AS ${p}n0 FROM ${src.table} WHERE ${range}
))`,
  );
  if (!anomaly.split) return overall;
  const size = (x: string) => `tupleElement(${x}, 2)`;
  const sizes = select(
    [['fam', 'UInt8', '1'], ['lo', 'Nullable(Float64)', null], ['hi', 'Nullable(Float64)', null], ['key', 'Nullable(String)', `tupleElement(${p}kv, 1)`], ['size', 'UInt64', size(`${p}kv`)], ['keys', 'Nullable(UInt64)', `${p}keys`]],
    `(
  SELECT length(${p}all) AS ${p}keys,
    arrayFilter(${p}x -> ${size(`${p}x`)} >= arrayReverseSort(arrayMap(${p}y -> ${size(`${p}y`)}, ${p}all))[${Math.trunc(anomaly.split.limit)}], ${p}all) AS ${p}top
  FROM (
    SELECT groupArray((${p}k, ${p}sz)) AS ${p}all FROM (
      SELECT ${p}k0 AS ${p}k, sum(${p}sz0) AS ${p}sz FROM (
        SELECT ${splitKey(anomaly.split.field)} AS ${p}k0, count() AS ${p}sz0 FROM ${src.table} WHERE ${range} GROUP BY ${p}k0
      ) GROUP BY ${p}k
    )
  )
) ARRAY JOIN ${p}top AS ${p}kv`,
  );
  return `${overall}\nUNION ALL\n${sizes}`;
}

/** The series layout the statement groups by: explicit split keys and where the rest go. */
export interface ClickHouseSeries {
  /** Split keys with their own series, and the series index each has. */
  explicit: ReadonlyMap<string, number>;
  /** Series of every other key (−1: dropped). */
  rest: number;
  /** The periods, as windows of one family. */
  windows: readonly ClickHouseWindow[];
}

/**
 * The anomaly statement, in the rows anomaly-sql.ts's `pointsContract` reads from DuckDB: per leaf
 * l, rows (l, wi, g, v, n) per period and series with rows in it; a row (wi −1) naming a cell that
 * is not a number where the measure needs one; and a row (l −1) counting the events in range.
 */
export function clickHouseAnomalySeriesSql(options: SqlOptions, anomaly: ClickHouseAnomaly, leaves: readonly Leaf[], series: ClickHouseSeries): string {
  const src = new ClickHouseSource(options, anomaly.timeField);
  const { p } = src;
  const range = inRange(src, anomaly.range);
  let group = '0';
  if (anomaly.split) {
    const key = splitKey(anomaly.split.field);
    const cases = [...series.explicit].flatMap(([k, i]) => [`${key} = ${src.params.bind(k, 'VARCHAR')}`, String(i)]);
    group = cases.length ? `multiIf(${cases.join(', ')}, ${series.rest})` : String(series.rest);
  }
  const branches = [
    select(
      [['l', 'Int32', '-1'], ['wi', 'Int32', '-1'], ['g', 'Int32', '-1'], ['v', 'Nullable(Float64)', null], ['n', 'UInt64', `sum(${p}n0)`], ['bad', 'Nullable(String)', null]],
      `(SELECT count() AS ${p}n0 FROM ${src.table} WHERE ${range})`,
    ),
  ];
  leaves.forEach((leaf, l) => {
    const { values, bad } = clickHouseLeaf(leaf, src, series.windows, { filter: range, group });
    if (values) branches.push(select([['l', 'Int32', String(l)], ['wi', 'Int32', `${p}wi`], ['g', 'Int32', `${p}g`], ['v', 'Nullable(Float64)', `${p}v`], ['n', 'UInt64', `${p}n`], ['bad', 'Nullable(String)', null]], `(${values})`));
    if (bad) branches.push(select([['l', 'Int32', String(l)], ['wi', 'Int32', '-1'], ['g', 'Int32', '-1'], ['v', 'Nullable(Float64)', null], ['n', 'UInt64', '0'], ['bad', 'Nullable(String)', `${p}bad`]], `(${bad})`));
  });
  return branches.join('\nUNION ALL\n');
}
