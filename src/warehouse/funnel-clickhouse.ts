/**
 * A funnel plan compiled to one ClickHouse query (the `clickhouse` dialect of {@link funnelJob}),
 * written for ClickHouse 18.16: no CTEs, window functions or folds (`arrayFold`), so the
 * in-memory matcher (src/analytics/funnel/match.ts) is rewritten as closed-form array expressions.
 *
 * Layout. The innermost SELECT reads the table and groups by entity and period, so over a
 * Distributed table (sharded by entity, `distributed_group_by_no_merge = 1`) every shard matches
 * its own entities; `arrayJoin` then makes one row per run (the whole funnel, and each breakdown
 * value for `all-events` and `{step}`), and the matcher's aliases compute each run's best attempt
 * (`m` steps, times `ts`). Outer SELECTs (on the initiator) count the runs per group, rank the
 * groups, merge the rest into "Other", and shape trends and the time-to-convert histogram. The
 * rows come back in one or two rows per period and {@link clickHouseFunnelRows} reshapes them into
 * the rows DuckDB's query returns, so one `finish` (funnel-sql.ts) builds the contract.
 *
 * The ordered and strict matcher without a fold. `matchSequence` keeps `entered[k]`, the attempt
 * that last reached step k. Written per step ("level") over the run's units (events in
 * processing order, exclusion units before step units, events of a "mixed" timestamp replayed one
 * step at a time), each level is a function of the level below only:
 * - the attempt a unit would advance at level k is the last *write* at level k-1 before it (a
 *   write: a non-excluded attempt stored in `entered`), unless a strict reset came in between;
 * - starts written at a level never decrease, so "this attempt is already past this step"
 *   (`here.start === prev.start`) holds exactly when an earlier non-excluded candidate at level
 *   k had the same start (and reset epoch): a first-in-its-run test on the candidates;
 * - an attempt in `entered` is excluded once a covering exclusion unit inside its window follows
 *   its write: the first covering exclusion after the write decides;
 * - the best attempt is at the highest level M any unit reached. It is replaced only at a later
 *   arrival at M when it is excluded by then; when each arrival at M becomes excluded is known
 *   per arrival (it stays best until then), so the chain of replacements is a pointer walk,
 *   computed by pointer doubling.
 * Any order (`matchAnyOrder`): per start event, the greedy scan is unrolled over the steps (each
 * round takes the next event that does an open step), since the set of done steps grows at most
 * once per step.
 * @module
 */
import type { EventFunnelPlan } from '../analytics/funnel/plan.js';
import { NICE_WIDTHS } from '../analytics/funnel/insights.js';
import { OTHER } from '../analytics/groups.js';
import { DURATION } from '../analytics/time.js';
import { baseClickHouseType, ClickHouseParams, clickHouseStepCondition, clickHouseTime, columnType, quoteClickHouseIdent, quoteClickHouseTable } from './clickhouse.js';
import type { SqlOptions } from './sql.js';

type Row = Record<string, unknown>;

/**
 * Times are grouped into 15-minute slots for the trends: every time zone in use today is a whole
 * number of quarter hours from UTC, so no local day boundary cuts a slot (the caller checks each
 * slot's earliest and latest entry fall in one period, and refuses the contract if not).
 */
const SLOT_MS = 15 * DURATION.MINUTE;

/**
 * Stages of the best-attempt pointer walk, each following the pointers 16 times: 16^8 = 2^32
 * hops exceed any run's units (ClickHouse counts array elements in UInt32).
 */
const HOPS_STAGES = 8;

/** A prefix for the query's aliases that no column of the table starts with (ClickHouse aliases shadow columns). */
function aliasPrefix(options: SqlOptions): string {
  const names = [...(options.columnTypes?.keys() ?? [])];
  for (let i = 0; ; i++) {
    const prefix = `fk${i}_`;
    if (!names.some((n) => n.startsWith(prefix))) return prefix;
  }
}

/**
 * The aliases grouped into as few nested SELECTs as their dependencies allow (an alias goes one
 * level above the deepest alias it reads), so no alias reads another of its own SELECT and the
 * query stays shallow (ClickHouse refuses an AST deeper than 1000).
 */
function stages(aliases: Array<{ name: string; expr: string }>, prefix: string): string[][] {
  const level = new Map<string, number>();
  const out: string[][] = [];
  const token = new RegExp(`${prefix}[A-Za-z0-9_]+`, 'g');
  for (const { name, expr } of aliases) {
    let at = 0;
    const refs = new Set(expr.match(token) ?? []);
    for (const ref of refs) {
      const l = level.get(ref);
      if (l !== undefined) at = Math.max(at, l + 1);
    }
    level.set(name, at);
    // ClickHouse 18.16 prunes a subquery's columns that the outer query does not name, and does
    // not see names used only inside a lambda: every column read is named outside one too.
    const named = refs.size ? `tupleElement((${expr}, ${[...refs].join(', ')}), 1)` : expr;
    (out[at] ??= []).push(`${named} AS ${name}`);
  }
  return out;
}

/** An Int64 literal for bit k of a mask. */
const bit = (k: number) => `toInt64(${2 ** k})`;

/** The median of a sorted array as `medianSorted` takes it (NULL for none). */
function sortedMedian(a: string): string {
  const n = `length(${a})`;
  return `if(${n} = 0, NULL, if(${n} % 2 = 1, ${a}[intDiv(${n}, 2) + 1], (${a}[intDiv(${n}, 2)] + ${a}[intDiv(${n}, 2) + 1]) / 2))`;
}

/**
 * The innermost query: one row per run with columns p (period: 0 the range, 1 the previous one),
 * e (entity), g (0 the whole funnel, 1 a breakdown group), key (the group's value), m (steps of the
 * best attempt; 0 for none or excluded), ts (its step times) and eo (the entity's first row in
 * row order: the in-memory engine's entity order).
 */
export function clickHouseRuns(plan: EventFunnelPlan, options: SqlOptions, params: ClickHouseParams): string {
  const P = aliasPrefix(options);
  const strict = plan.order === 'strict';
  const q = (name: string) => quoteClickHouseIdent(name);
  const entity = q(plan.fields.entity);
  const entityIsText = /^(String|FixedString\(\d+\))$/.test(baseClickHouseType(columnType(options, plan.fields.entity)));
  const time = clickHouseTime(q(plan.fields.time), options.time ?? 'epoch-ms');
  const order = options.rowOrder === undefined ? 'toFloat64(0)' : `ifNull(toFloat64(${q(options.rowOrder)}), 0)`;
  const stepMask = plan.steps.map((s, k) => `if(${clickHouseStepCondition(options, plan.fields.event, s, params)}, ${bit(k)}, toInt64(0))`).join(' + ');
  const exclusionMask = plan.exclusions.length
    ? plan.exclusions.map((x, e) => `if(${clickHouseStepCondition(options, plan.fields.event, x, params)}, ${bit(e)}, toInt64(0))`).join(' + ')
    : 'toInt64(0)';
  const groupValue = plan.breakdown ? `ifNull(toString(${q(plan.breakdown.field)}), '')` : `''`;
  const range = (r: { from: number | null; to: number | null }) => {
    const parts: string[] = [];
    if (r.from !== null) parts.push(`${time} >= ${params.bind(r.from, 'DOUBLE')}`);
    if (r.to !== null) parts.push(`${time} < ${params.bind(r.to, 'DOUBLE')}`);
    return parts.length ? `(${parts.join(' AND ')})` : '1';
  };
  const current = range(plan.range);
  const previous = plan.previous ? range(plan.previous) : null;
  const period = previous ? `if(${current}, 0, 1)` : '0';
  const inPeriod = previous ? `(${current} OR ${previous})` : current;
  const keep = [
    inPeriod,
    `isNotNull(${entity})`,
    ...(entityIsText ? [`${entity} != ''`] : []),
    ...(strict ? [] : [`(${stepMask} != 0 OR ${exclusionMask} != 0)`]),
  ].join(' AND ');
  // Events as (t, o, id, sm, xm, gk): id tells rows apart (the replay's "one event, one step").
  const events = `groupArray((assumeNotNull(${time}), ${order}, rowNumberInAllBlocks(), ${stepMask}, ${exclusionMask}, ${groupValue}))`;
  const a: Array<{ name: string; expr: string }> = [];
  const alias = (name: string, expr: string) => a.push({ name: `${P}${name}`, expr });
  const v = (name: string) => `${P}${name}`;
  const all = `arraySort(x -> (x.1, x.2, x.3), ${events}) AS ${P}all`;
  // The runs: (g, key).
  const attribution = plan.breakdown?.attribution;
  const touch = attribution === 'first-touch' || attribution === 'last-touch';
  let runs = `[(toUInt8(0), '')]`;
  if (plan.breakdown) {
    if (touch) {
      const ordered = attribution === 'first-touch' ? v('all') : `arrayReverse(${v('all')})`;
      runs = `[(toUInt8(0), ''), (toUInt8(1), tupleElement(arrayFirst(x -> x.4 != 0 AND x.6 != '', ${ordered}), 6))]`;
    } else {
      const relevant = attribution === 'all-events' ? 'x.4 != 0 OR x.5 != 0' : `bitAnd(x.4, ${bit(attribution!.step)}) != 0`;
      runs = `arrayConcat([(toUInt8(0), '')], arrayMap(k -> (toUInt8(1), k), arrayDistinct(arrayMap(x -> x.6, arrayFilter(x -> ${relevant}, ${v('all')})))))`;
    }
  }
  alias('run', `arrayJoin(${runs})`);
  // The run's events (t, o, id, sm, xm, gm): all-events keeps the value's events; {step} keeps
  // every event but lets only the value's events satisfy that step.
  let runEvents = `arrayMap(x -> (x.1, x.2, x.3, x.4, x.5, x.4), ${v('all')})`;
  if (plan.breakdown && !touch) {
    if (attribution === 'all-events') {
      runEvents = `arrayMap(x -> (x.1, x.2, x.3, x.4, x.5, x.4), arrayFilter(x -> ${v('run')}.1 = 0 OR x.6 = ${v('run')}.2, ${v('all')}))`;
    } else {
      const guarded = bit((attribution as { step: number }).step);
      runEvents = `arrayMap(x -> (x.1, x.2, x.3, x.4, x.5, if(${v('run')}.1 = 0 OR x.6 = ${v('run')}.2, x.4, bitAnd(x.4, bitNot(${guarded})))), ${v('all')})`;
    }
  }
  alias('ev', runEvents);
  alias('T', `arrayMap(x -> x.1, ${v('ev')})`);
  alias('O', `arrayMap(x -> x.2, ${v('ev')})`);
  alias('ID', `arrayMap(x -> x.3, ${v('ev')})`);
  alias('SM', `arrayMap(x -> x.4, ${v('ev')})`);
  alias('XM', `arrayMap(x -> x.5, ${v('ev')})`);
  alias('GM', `arrayMap(x -> x.6, ${v('ev')})`);
  alias('idx', `arrayEnumerate(${v('ev')})`);
  const window = params.bind(plan.windowMs, 'DOUBLE');
  if (plan.order === 'any') anyOrder(plan, v, alias, window);
  else sequence(plan, v, alias, window);
  // Only this SELECT reads the table (on each shard, grouped by entity). Every alias after it is
  // a SELECT of its own over the one before: ClickHouse 18.16 expands an alias into each place
  // it is used, so aliases built on aliases in one SELECT grow the query exponentially.
  let query = `SELECT ${entity} AS ${P}e, ${period} AS ${P}p, min(${order}) AS ${P}eo, ${all}
FROM ${quoteClickHouseTable(options.table)}
WHERE ${keep}
GROUP BY ${P}e, ${P}p`;
  for (const stage of stages(a, P)) query = `SELECT *, ${stage.join(', ')} FROM (\n${query}\n)`;
  return `SELECT ${P}p AS p, ${P}e AS e, tupleElement(${P}run, 1) AS g, tupleElement(${P}run, 2) AS key, ${P}m AS m, ${P}ts AS ts, ${P}eo AS eo FROM (\n${query}\n)`;
}

/**
 * `matchAnyOrder` per run: each start (a step event that is no exclusion) scans the events within
 * the window from it, round r taking the next event that does a step still open (its lowest);
 * an exclusion after the start and before the scan is done wipes it. The best scan is the
 * earliest with the most steps.
 */
function anyOrder(plan: EventFunnelPlan, v: (name: string) => string, alias: (name: string, expr: string) => void, window: string): void {
  const n = plan.steps.length;
  alias('S', `arrayFilter(i -> ${v('XM')}[i] = 0 AND ${v('SM')}[i] != 0, ${v('idx')})`);
  // The first exclusion after each start inside its window (0: none).
  alias('X', `arrayMap(s -> arrayFirstIndex((x, i) -> i > s AND x != 0 AND NOT (${v('T')}[i] - ${v('T')}[s] > ${window}), ${v('XM')}, ${v('idx')}), ${v('S')})`);
  const low = (x: string) => `bitAnd(${x}, -${x})`;
  alias('J1', v('S'));
  alias('D1', `arrayMap(s -> ${low(`${v('SM')}[s]`)}, ${v('S')})`);
  for (let r = 2; r <= n; r++) {
    alias(
      `J${r}`,
      `arrayMap((s, j, d, x) -> if(j = 0, toUInt32(0), toUInt32(arrayFirstIndex((sm, i) -> i > j AND NOT (${v('T')}[i] - ${v('T')}[s] > ${window}) AND bitAnd(sm, bitNot(d)) != 0 AND (x = 0 OR i < x), ${v('SM')}, ${v('idx')}))), ${v('S')}, ${v(`J${r - 1}`)}, ${v(`D${r - 1}`)}, ${v('X')})`,
    );
    alias(`D${r}`, `arrayMap((d, j) -> if(j = 0, d, bitOr(d, ${low(`bitAnd(${v('SM')}[j], bitNot(d))`)})), ${v(`D${r - 1}`)}, ${v(`J${r}`)})`);
  }
  const rounds = Array.from({ length: n }, (_, r) => `(${v(`J${r + 1}`)}[k] != 0)`).join(' + ');
  // A scan cut by an exclusion before it was done counts nothing.
  alias('C', `arrayMap(k -> if(${v('X')}[k] != 0 AND ${rounds} < ${n}, 0, ${rounds}), arrayEnumerate(${v('S')}))`);
  alias('m', `toUInt32(arrayReduce('max', arrayPushBack(${v('C')}, 0)))`);
  alias('b', `arrayFirstIndex(c -> c = ${v('m')}, ${v('C')})`);
  const times = Array.from({ length: n }, (_, r) => `${v('T')}[${v(`J${r + 1}`)}[${v('b')}]]`).join(', ');
  alias('ts', `if(${v('m')} = 0, emptyArrayFloat64(), arraySlice([${times}], 1, ${v('m')}))`);
}

/**
 * `matchSequence` per run, level by level (see the module comment). Units are sorted by (time,
 * step of a replayed unit, row order, row, exclusions before steps), as the in-memory engine
 * processes them.
 */
function sequence(plan: EventFunnelPlan, v: (name: string) => string, alias: (name: string, expr: string) => void, window: string): void {
  const n = plan.steps.length;
  const strict = plan.order === 'strict';
  const exclusions = plan.exclusions.length > 0;
  // xs: the steps whose attempts the event's exclusions mark (from … to-1).
  const covered = plan.exclusions.map((x, e) => {
    let steps = 0;
    for (let k = x.from; k < Math.min(x.to, n); k++) steps += 2 ** k;
    return `if(bitAnd(x, ${bit(e)}) != 0, toInt64(${steps}), toInt64(0))`;
  });
  alias('XS', exclusions ? `arrayMap(x -> bitOr(${covered.reduce((acc, c) => (acc ? `bitOr(${acc}, ${c})` : c), '')}, toInt64(0)), ${v('XM')})` : `arrayMap(x -> toInt64(0), ${v('XM')})`);
  // Mixed timestamps: events at one time whose (step, exclusion) masks differ.
  alias('nt', `arrayMap(i -> i = 1 OR ${v('T')}[i] != ${v('T')}[i - 1], ${v('idx')})`);
  alias('grp', `arrayCumSum(${v('nt')})`);
  alias('gs', `arrayFilter(i -> ${v('nt')}[i], ${v('idx')})`);
  alias('df', `arrayMap(i -> ${v('SM')}[i] != ${v('SM')}[${v('gs')}[${v('grp')}[i]]] OR ${v('XM')}[i] != ${v('XM')}[${v('gs')}[${v('grp')}[i]]], ${v('idx')})`);
  alias('cdf', `arrayCumSum(${v('df')})`);
  alias('gmix', `arrayMap(g -> ${v('cdf')}[if(g < length(${v('gs')}), toUInt64(${v('gs')}[g + 1] - 1), length(${v('ev')}))] - ${v('cdf')}[${v('gs')}[g] - 1] > 0, arrayEnumerate(${v('gs')}))`);
  alias('MX', `arrayMap(i -> ${v('gmix')}[${v('grp')}[i]], ${v('idx')})`);
  // Units (t, kord, o, id, phase, event, gm, replay, exclusion unit).
  const unit = (kord: string, phase: number, gm: string, rp: number, xu: number) =>
    `(${v('T')}[i], toUInt8(${kord}), ${v('O')}[i], toUInt64(${v('ID')}[i]), toUInt8(${phase}), toUInt32(i), toInt64(${gm}), toUInt8(${rp}), toUInt8(${xu}))`;
  const parts = [
    `arrayMap(i -> ${unit('0', 0, 'toInt64(0)', 0, 1)}, arrayFilter(i -> NOT ${v('MX')}[i] AND ${v('XS')}[i] != 0, ${v('idx')}))`,
    `arrayMap(i -> ${unit('0', 1, `${v('GM')}[i]`, 0, 0)}, arrayFilter(i -> NOT ${v('MX')}[i], ${v('idx')}))`,
    ...Array.from({ length: n }, (_, b) => `arrayMap(i -> ${unit(String(b), 1, `bitAnd(${v('GM')}[i], ${bit(b)})`, 1, 0)}, arrayFilter(i -> ${v('MX')}[i] AND bitAnd(${v('GM')}[i], ${bit(b)}) != 0, ${v('idx')}))`),
  ];
  alias('units', `arraySort(u -> (u.1, u.2, u.3, u.4, u.5), arrayConcat(${parts.join(', ')}))`);
  alias('UT', `arrayMap(u -> u.1, ${v('units')})`);
  alias('UE', `arrayMap(u -> u.6, ${v('units')})`);
  alias('UG', `arrayMap(u -> u.7, ${v('units')})`);
  alias('URP', `arrayMap(u -> u.8, ${v('units')})`);
  alias('UXU', `arrayMap(u -> u.9, ${v('units')})`);
  alias('UID', `arrayMap(u -> u.4, ${v('units')})`);
  alias('USM', `arrayMap(e -> ${v('SM')}[e], ${v('UE')})`);
  alias('UXS', `arrayMap((e, xu) -> if(xu = 1, ${v('XS')}[e], toInt64(0)), ${v('UE')}, ${v('UXU')})`);
  alias('ui', `arrayEnumerate(${v('units')})`);
  const L = (name: string, k: number) => v(`${name}${k}`);
  for (let k = 1; k <= n; k++) {
    if (k === 1) {
      // Step 1 continues "now": its start is the unit's own time, never excluded.
      alias(`lw${k}`, `arrayMap(i -> toUInt32(0), ${v('ui')})`);
      alias(`pS${k}`, v('UT'));
      alias(`pe${k}`, `arrayMap(i -> toUInt8(0), ${v('ui')})`);
      alias(`cand${k}`, `arrayMap(g -> toUInt8(bitAnd(g, ${bit(0)}) != 0), ${v('UG')})`);
      alias(`TM${k}`, `arrayMap(t -> [t], ${v('UT')})`);
      alias(`RW${k}`, `arrayMap(r -> [r], ${v('UID')})`);
    } else {
      const j = k - 1;
      // The attempt at level k-1 when unit i comes: its last write before i (no reset since).
      alias(`lw${k}`, `arrayMap(i -> if(i > 1 AND ${L('cw', j)}[i - 1] > 0, ${L('wp', j)}[${L('cw', j)}[i - 1]], toUInt32(0)), ${v('ui')})`);
      const valid = strict ? `(w > 0 AND ${L('cr', j)}[i - 1] = ${L('cr', j)}[w])` : '(w > 0)';
      alias(`pv${k}`, `arrayMap((i, w) -> toUInt8(${valid}), ${v('ui')}, ${L('lw', k)})`);
      alias(`pS${k}`, `arrayMap(w -> ${L('pS', j)}[w], ${L('lw', k)})`);
      // Excluded: a covering exclusion unit after its write, before i, inside its window.
      alias(
        `pe${k}`,
        exclusions
          ? `arrayMap((i, w, s) -> toUInt8(w > 0 AND ${L('xp', j)}[${L('cx', j)}[w] + 1] > 0 AND ${L('xp', j)}[${L('cx', j)}[w] + 1] < i AND NOT (${v('UT')}[${L('xp', j)}[${L('cx', j)}[w] + 1]] - s > ${window})), ${v('ui')}, ${L('lw', k)}, ${L('pS', k)})`
          : `arrayMap(i -> toUInt8(0), ${v('ui')})`,
      );
      alias(
        `cand${k}`,
        `arrayMap((i, w, ok, s) -> toUInt8(bitAnd(${v('UG')}[i], ${bit(k - 1)}) != 0 AND ok = 1 AND NOT (${v('UT')}[i] - s > ${window}) AND NOT (${v('URP')}[i] = 1 AND has(${L('RW', j)}[w], ${v('UID')}[i]))), ${v('ui')}, ${L('lw', k)}, ${L('pv', k)}, ${L('pS', k)})`,
      );
      alias(`TM${k}`, `arrayMap((i, w) -> arrayPushBack(${L('TM', j)}[w], ${v('UT')}[i]), ${v('ui')}, ${L('lw', k)})`);
      alias(`RW${k}`, `arrayMap((i, w) -> arrayPushBack(${L('RW', j)}[w], ${v('UID')}[i]), ${v('ui')}, ${L('lw', k)})`);
    }
    // Strict: a step unit that is not step k ends every attempt waiting at level k.
    if (strict) {
      alias(`cr${k}`, `arrayCumSum(arrayMap(i -> toUInt32(${v('URP')}[i] = 0 AND ${v('UXU')}[i] = 0 AND bitAnd(${v('USM')}[i], ${bit(k - 1)}) = 0), ${v('ui')}))`);
    }
    // "Already past this step": an earlier non-excluded candidate with the same start (and reset
    // epoch). Candidates' keys never decrease, so equal keys are consecutive candidates.
    const key = strict ? `(${L('pS', k)}[i], if(i > 1, ${L('cr', k)}[i - 1], toUInt32(0)))` : `${L('pS', k)}[i]`;
    alias(`cp${k}`, `arrayFilter(i -> ${L('cand', k)}[i] = 1, ${v('ui')})`);
    alias(`ck${k}`, `arrayMap(i -> ${key}, ${L('cp', k)})`);
    alias(`nr${k}`, `arrayMap(c -> c = 1 OR ${L('ck', k)}[c] != ${L('ck', k)}[c - 1], arrayEnumerate(${L('cp', k)}))`);
    alias(`rid${k}`, `arrayCumSum(${L('nr', k)})`);
    alias(`rs${k}`, `arrayFilter(c -> ${L('nr', k)}[c], arrayEnumerate(${L('cp', k)}))`);
    alias(`nec${k}`, `arrayCumSum(arrayMap(i -> toUInt32(${L('pe', k)}[i] = 0), ${L('cp', k)}))`);
    alias(`crk${k}`, `arrayCumSum(${L('cand', k)})`);
    alias(
      `fire${k}`,
      `arrayMap(i -> toUInt8(${L('cand', k)}[i] = 1 AND ${L('nec', k)}[${L('crk', k)}[i] - 1] - ${L('nec', k)}[${L('rs', k)}[${L('rid', k)}[${L('crk', k)}[i]]] - 1] = 0), ${v('ui')})`,
    );
    alias(`write${k}`, `arrayMap((f, x) -> toUInt8(f = 1 AND x = 0), ${L('fire', k)}, ${L('pe', k)})`);
    alias(`cw${k}`, `arrayCumSum(${L('write', k)})`);
    alias(`wp${k}`, `arrayFilter(i -> ${L('write', k)}[i] = 1, ${v('ui')})`);
    if (exclusions) {
      alias(`xc${k}`, `arrayMap(i -> toUInt8(${v('UXU')}[i] = 1 AND bitAnd(${v('UXS')}[i], ${bit(k - 1)}) != 0), ${v('ui')})`);
      alias(`cx${k}`, `arrayCumSum(${L('xc', k)})`);
      alias(`xp${k}`, `arrayFilter(i -> ${L('xc', k)}[i] = 1, ${v('ui')})`);
    }
  }
  // M: the highest level any unit reached.
  const levels = Array.from({ length: n }, (_, i) => n - i);
  alias('M', `multiIf(${levels.map((k) => `has(${L('fire', k)}, 1), toUInt32(${k})`).join(', ')}, toUInt32(0))`);
  const atM = (name: string) => `[${levels
    .slice()
    .reverse()
    .map((k) => L(name, k))
    .join(', ')}][greatest(${v('M')}, toUInt32(1))]`;
  alias('F', atM('fire'));
  alias('fp', `arrayFilter(i -> ${v('F')}[i] = 1, ${v('ui')})`);
  alias('TMM', atM('TM'));
  if (!exclusions) {
    // Without exclusions the first arrival at M stays the best attempt.
    alias('m', v('M'));
    alias('ts', `if(${v('M')} = 0, emptyArrayFloat64(), ${v('TMM')}[${v('fp')}[1]])`);
    return;
  }
  alias('PEM', atM('pe'));
  alias('PSM', atM('pS'));
  alias('CWM', atM('cw'));
  alias('WPM', atM('wp'));
  alias('CXM', atM('cx'));
  alias('XPM', atM('xp'));
  alias('XCM', atM('xc'));
  const reset = strict ? (w: string) => ` AND ${atM('cr')}[x - 1] = ${atM('cr')}[${w}]` : () => '';
  // H: covering exclusion units that mark the best attempt at M (the attempt in entered[M] is
  // there and not excluded yet: this is the first covering exclusion since its write).
  alias(
    'H',
    `arrayMap(x -> toUInt8(${v('XCM')}[x] = 1 AND x > 1 AND ${v('CWM')}[x - 1] > 0${reset(`${v('WPM')}[${v('CWM')}[x - 1]]`)} AND ${v('XPM')}[${v('CXM')}[${v('WPM')}[${v('CWM')}[x - 1]]] + 1] = x), ${v('ui')})`,
  );
  alias('hc', `arrayCumSum(${v('H')})`);
  alias('hp', `arrayFilter(i -> ${v('H')}[i] = 1, ${v('ui')})`);
  // When each arrival at M becomes excluded (0: never): at once when it continued an excluded
  // attempt, else at the first marking exclusion inside its window.
  alias(
    'E',
    `arrayMap(f -> if(${v('PEM')}[f] = 1, f, if(${v('hp')}[${v('hc')}[f] + 1] > 0 AND NOT (${v('UT')}[${v('hp')}[${v('hc')}[f] + 1]] - ${v('PSM')}[f] > ${window}), ${v('hp')}[${v('hc')}[f] + 1], toUInt32(0))), ${v('fp')})`,
  );
  alias('fc', `arrayCumSum(${v('F')})`);
  // The next best attempt: the first arrival at M after the current one was excluded.
  alias('P0', `arrayMap((j, e) -> if(e = 0 OR ${v('fc')}[e] >= length(${v('fp')}), toUInt32(j), toUInt32(${v('fc')}[e] + 1)), arrayEnumerate(${v('fp')}), ${v('E')})`);
  // Each stage follows the pointers 16 times: 8 stages make 2^32 hops.
  for (let d = 1; d <= HOPS_STAGES; d++) {
    const prev = v(`P${d - 1}`);
    let at = 'j';
    for (let h = 0; h < 16; h++) at = `${prev}[${at}]`;
    alias(`P${d}`, `arrayMap(j -> ${at}, ${prev})`);
  }
  alias('best', `${v(`P${HOPS_STAGES}`)}[1]`);
  alias('m', `if(${v('M')} = 0 OR ${v('E')}[${v('best')}] != 0, toUInt32(0), ${v('M')})`);
  alias('ts', `if(${v('m')} = 0, emptyArrayFloat64(), ${v('TMM')}[${v('fp')}[${v('best')}]])`);
}

/**
 * The funnel query: per period `p`, one row with the whole funnel's tally (`all`: counts, median
 * and entity-ordered sum of the times from the step before, stuck counts), every breakdown
 * group's tally with its rank (`groups`), the medians of the groups merged into "Other"
 * (`other`), "now" (`asof`), and for the range: the entries per 15-minute slot (`trend`) and the
 * time-to-convert histogram (`ttc`). {@link clickHouseFunnelRows} turns it into DuckDB's rows.
 */
export function clickHouseFunnelSql(plan: EventFunnelPlan, options: SqlOptions): string {
  const params = new ClickHouseParams();
  const n = plan.steps.length;
  const runs = clickHouseRuns(plan, options, params);
  const time = clickHouseTime(quoteClickHouseIdent(plan.fields.time), options.time ?? 'epoch-ms');
  const inRange = [plan.range.from !== null ? `${time} >= ${params.bind(plan.range.from, 'DOUBLE')}` : '', plan.range.to !== null ? `${time} < ${params.bind(plan.range.to, 'DOUBLE')}` : '']
    .filter(Boolean)
    .join(' AND ');
  // "Now": asOf, else the latest event in the range (any event, as prepare() sees it). Over a
  // Distributed table the inner aggregate gives one row per shard; the outer one combines them.
  const asOf =
    plan.asOf !== null
      ? params.bind(plan.asOf, 'DOUBLE')
      : `(SELECT if(sum(c) = 0, NULL, maxIf(x, c > 0)) FROM (SELECT count() AS c, max(${time}) AS x FROM ${quoteClickHouseTable(options.table)}${inRange ? ` WHERE ${inRange}` : ''}))`;
  const dur = (k: number) => `(ts[${k}] - ts[${k - 1}])`;
  const cols: string[] = [];
  for (let k = 1; k <= n; k++) {
    cols.push(`countIf(m >= ${k}) AS c${k}`);
    if (k > 1) {
      cols.push(`arraySort(groupArrayIf(${dur(k)}, m >= ${k})) AS d${k}`);
      // Added one after the other in entity order, as Tally.add sums them.
      cols.push(`arraySum(arrayMap(x -> x.2, arraySort(x -> x.1, groupArrayIf((eo, ${dur(k)}), m >= ${k})))) AS s${k}`);
    }
    const dwell = plan.dwell[k - 1];
    cols.push(dwell === null ? `toUInt64(0) AS x${k}` : `countIf(p = 0 AND m = ${k} AND asof - ts[${k}] > ${params.bind(dwell, 'DOUBLE')}) AS x${k}`);
  }
  const whole = 'g = 0 AND p = 0';
  // trendBuckets(): the best attempt's first step, and whether it reached the last.
  cols.push(`arraySort(groupArrayIf((ts[1], toUInt8(m = ${n})), m >= 1 AND ${whole})) AS es`);
  const { from, to, bins } = plan.timeToConvert;
  if (n > 1) cols.push(`groupArrayIf((eo, ts[${to + 1}] - ts[${from + 1}]), m >= ${to + 1} AND ${whole}) AS tde`);
  const counts = `[${Array.from({ length: n }, (_, k) => `c${k + 1}`).join(', ')}]`;
  const medians = `[${Array.from({ length: n }, (_, k) => (k ? sortedMedian(`d${k + 1}`) : 'NULL')).join(', ')}]`;
  const sums = `[${Array.from({ length: n }, (_, k) => (k ? `s${k + 1}` : 'toFloat64(0)')).join(', ')}]`;
  const stuck = `[${Array.from({ length: n }, (_, k) => `x${k + 1}`).join(', ')}]`;
  const durations = n > 1 ? `[${Array.from({ length: n - 1 }, (_, k) => `d${k + 2}`).join(', ')}]` : 'emptyArrayFloat64()';
  // Entries per slot: (earliest, latest, entered, converted), from the sorted entries.
  const slot = params.bind(SLOT_MS, 'DOUBLE');
  const trend = `arrayMap((s, j) -> (tupleElement(es[s], 1), tupleElement(es[if(j < length(starts), toUInt64(starts[j + 1] - 1), length(es))], 1), if(j < length(starts), toUInt64(starts[j + 1] - 1), length(es)) - s + 1, conv[if(j < length(starts), toUInt64(starts[j + 1] - 1), length(es))] - conv[s - 1]), starts, arrayEnumerate(starts))`;
  const tally = `SELECT p, g, key, ${cols.join(', ')}, ${counts} AS cs, ${medians} AS mds, ${sums} AS ss, ${stuck} AS xs, ${durations} AS ds,
  arrayMap(x -> floor(tupleElement(x, 1) / ${slot}), es) AS sl,
  arrayFilter(i -> i = 1 OR sl[i] != sl[i - 1], arrayEnumerate(es)) AS starts,
  arrayCumSum(arrayMap(x -> toUInt64(tupleElement(x, 2)), es)) AS conv,
  ${trend} AS trend${n > 1 ? `,\n  ${ttcColumns(bins, params)}` : ''}
FROM (SELECT *, ${asOf} AS asof FROM (${runs}))
GROUP BY p, g, key`;
  // Per period: the whole funnel's tally, the trend slots and histogram (range only), and the
  // groups' tallies with their ranks and the "Other" medians.
  let groups = 'emptyArrayString() AS gkeys, emptyArrayUInt64() AS grk, emptyArrayUInt8() AS gcs, emptyArrayUInt8() AS gmds, emptyArrayUInt8() AS gss, emptyArrayUInt8() AS gxs, emptyArrayUInt8() AS other';
  if (plan.breakdown) {
    const limit = params.bind(plan.breakdown.limit, 'BIGINT');
    // mergeGroups(): ranked by step-1 count, ties by name (the caller checks the ranking against
    // localeCompare's); past the limit, groups merge into "Other", whose medians need their times.
    const merged = Array.from({ length: n }, (_, k) =>
      k ? sortedMedian(`arraySort(arrayReduce('groupArrayArray', arrayMap((d, r, gk) -> if(length(gkeys) > ${limit} AND (r > ${limit} OR gk = ${params.bind(OTHER, 'VARCHAR')}), d[${k}], emptyArrayFloat64()), gds, grk, gkeys)))`) : 'NULL',
    );
    groups = `groupArrayIf(key, g = 1) AS gkeys, groupArrayIf(cs, g = 1) AS gcs, groupArrayIf(mds, g = 1) AS gmds, groupArrayIf(ss, g = 1) AS gss, groupArrayIf(xs, g = 1) AS gxs, groupArrayIf(ds, g = 1) AS gds,
  arraySort((gk, c) -> (-toInt64(c[1]), lowerUTF8(gk), gk), gkeys, gcs) AS gsorted,
  arrayMap(gk -> toUInt64(indexOf(gsorted, gk)), gkeys) AS grk,
  [${merged.join(', ')}] AS other`;
  }
  const ttcOut = n > 1 ? 'anyIf(ttc, g = 0 AND p = 0)' : 'tuple(0)';
  const perPeriod = `SELECT p, anyIf(cs, g = 0) AS pcs, anyIf(mds, g = 0) AS pmds, anyIf(ss, g = 0) AS pss, anyIf(xs, g = 0) AS pxs, anyIf(trend, g = 0 AND p = 0) AS ptrend, ${ttcOut} AS pttc, ${groups}
FROM (${tally})
GROUP BY p`;
  // One row even when nothing matched: "now" is the latest event in range, matched or not.
  return `SELECT ${asOf} AS asof, groupArray((p, pcs, pmds, pss, pxs, ptrend, pttc, gkeys, grk, gcs, gmds, gss, gxs, other)) AS periods FROM (${perPeriod})`;
}

/**
 * `timeToConvert()` in SQL over `tde` (entity order, time): count, median, entity-ordered sum,
 * and the bins computed from the count, shortest and longest time as the in-memory function does.
 */
function ttcColumns(bins: number | undefined, params: ClickHouseParams): string {
  let shape: string;
  const lo = 'td[1]';
  const hi = 'td[length(td)]';
  const tn = 'length(td)';
  if (bins !== undefined) {
    const b = params.bind(bins, 'DOUBLE');
    shape = `${lo} AS tstart, if(${hi} > ${lo}, (${hi} - ${lo}) / ${b}, toFloat64(1)) AS twidth, if(${hi} > ${lo}, ${b}, toFloat64(1)) AS tbins`;
  } else {
    // target = min(40, ceil(log2 n) + 1); ceil(log2 n) counted exactly as the powers of two below n.
    const nice = `[${NICE_WIDTHS.map((w) => params.bind(w, 'DOUBLE')).join(', ')}]`;
    const month = params.bind(30 * DURATION.DAY, 'DOUBLE');
    const raw = `greatest(toFloat64(1), (${hi} - ${lo}) / toFloat64(least(40, length(arrayFilter(k -> bitShiftLeft(toUInt64(1), k) < ${tn}, range(63))) + 1)))`;
    const width = `if(arrayExists(w -> w >= ${raw}, ${nice}), arrayFirst(w -> w >= ${raw}, ${nice}), ceil(${raw} / ${month}) * ${params.bind(30, 'DOUBLE')} * ${params.bind(DURATION.DAY, 'DOUBLE')})`;
    shape = `${width} AS twidth, floor(${lo} / twidth) * twidth AS tstart, greatest(toFloat64(1), floor((${hi} - tstart) / twidth) + 1) AS tbins`;
  }
  const binOf = `arrayMap(d -> least(tbins - 1, floor((d - tstart) / twidth)), td)`;
  return `arraySort(arrayMap(x -> tupleElement(x, 2), tde)) AS td, ${shape},
  (${tn}, ${sortedMedian('td')}, arraySum(arrayMap(x -> tupleElement(x, 2), arraySort(x -> tupleElement(x, 1), tde))), tstart, twidth, tbins,
   if(${tn} = 0, emptyArrayUInt64(), arrayMap(b -> toUInt64(countEqual(${binOf}, toFloat64(b))), range(toUInt32(tbins))))) AS ttc`;
}

/**
 * The rows of {@link clickHouseFunnelSql} as DuckDB's funnel query returns them (`fam` 0 … 5, see
 * `funnelSql`), so one finish builds the contract from either.
 */
export function clickHouseFunnelRows(plan: EventFunnelPlan, rows: Row[]): Row[] {
  const n = plan.steps.length;
  const out: Row[] = [];
  const tally = (cs: unknown, mds: unknown, ss: unknown, xs: unknown): Row => {
    const r: Row = {};
    for (let k = 0; k < n; k++) {
      r[`c${k + 1}`] = (cs as unknown[])[k];
      if (k) {
        r[`md${k + 1}`] = (mds as unknown[])[k];
        r[`s${k + 1}`] = (ss as unknown[])[k];
      }
      r[`x${k + 1}`] = (xs as unknown[])[k];
    }
    return r;
  };
  const result = rows[0] ?? {};
  for (const period of (result.periods ?? []) as unknown[][]) {
    const [p0, cs, mds, ss, xs, trend, ttc, gkeys, grk, gcs, gmds, gss, gxs, other] = period;
    const p = Number(p0);
    out.push({ fam: 0, p, ...tally(cs, mds, ss, xs) });
    if (plan.breakdown) {
      const keys = gkeys as string[];
      const at = (a: unknown, i: number) => (a as unknown[])[i];
      keys.forEach((key, i) => out.push({ fam: 1, p, key, rk: at(grk, i), ...tally(at(gcs, i), at(gmds, i), at(gss, i), at(gxs, i)) }));
      if (keys.length > plan.breakdown.limit && n > 1) out.push({ fam: 2, p, ...Object.fromEntries((other as unknown[]).map((md, k) => [`md${k + 1}`, md])) });
    }
    if (p === 0) {
      for (const [lo, hi, entered, converted] of (trend ?? []) as unknown[][]) out.push({ fam: 4, lo, hi, entered, converted });
      if (n > 1) {
        const [tn, tmd, tsum, tstart, twidth, tbins, tcounts] = ttc as unknown[];
        out.push({ fam: 5, tn, tmd, tsum, tstart, twidth, tbins, tcounts: (tcounts as unknown[]).map((c, b) => ({ b, c })) });
      }
    }
  }
  let asof: unknown = result.asof ?? null;
  if (plan.asOf !== null) asof = plan.asOf;
  out.push({ fam: 3, asof });
  return out;
}

/**
 * The query for one drill-down list (current period only): the whole funnel's ids in entity
 * order, at most `entityLimit` (`id`); or per breakdown group its step-1 count (`c1`) and its first
 * `entityLimit` listed ids with their order (`ids`, `eos`).
 */
export function clickHouseEntitiesSql(plan: EventFunnelPlan, options: SqlOptions, step: number, outcome: 'converted' | 'dropped', groups: boolean): string {
  const params = new ClickHouseParams();
  const runs = clickHouseRuns(plan, options, params);
  // Tally.add: reached step k when m ≥ k + 1; dropped before step k (k ≥ 1) when m = k.
  const listed = outcome === 'converted' ? `m >= ${step + 1}` : step === 0 ? '0' : `m = ${step}`;
  const limit = params.bind(plan.entityLimit, 'BIGINT');
  if (!groups) return `SELECT e AS id FROM (${runs}) WHERE p = 0 AND g = 0 AND ${listed} ORDER BY eo LIMIT ${limit}`;
  return `SELECT key, countIf(m >= 1) AS c1, arraySlice(arraySort(groupArrayIf((eo, e), ${listed})), 1, ${limit}) AS ids
FROM (${runs}) WHERE p = 0 AND g = 1 GROUP BY key`;
}

/** {@link clickHouseEntitiesSql}'s group rows as DuckDB's (`fam` 1: key, c1; `fam` 2: key, id, eo). */
export function clickHouseEntityRows(rows: Row[]): Row[] {
  const out: Row[] = [];
  for (const r of rows) {
    out.push({ fam: 1, key: r.key, c1: r.c1 });
    for (const [eo, id] of r.ids as unknown[][]) out.push({ fam: 2, key: r.key, id, eo });
  }
  return out;
}
