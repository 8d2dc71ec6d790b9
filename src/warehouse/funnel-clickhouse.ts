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
 *   per arrival (it stays best until then), and the chain of replacements reduces to "the first
 *   arrival at M, not continuing an excluded attempt, first of its kind since the last marking
 *   exclusion, that no marking exclusion reaches".
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


/** A prefix for the query's aliases that no column of the table starts with (ClickHouse aliases shadow columns). */
function aliasPrefix(options: SqlOptions): string {
  const names = [...(options.columnTypes?.keys() ?? [])];
  for (let i = 0; ; i++) {
    const prefix = `fk${i}_`;
    if (!names.some((n) => n.startsWith(prefix))) return prefix;
  }
}

/**
 * The aliases as nested SELECTs over `base` (which gives the columns `inputs`): each alias goes
 * one level above the deepest alias it reads, so no alias reads another of its own SELECT (ClickHouse
 * 18.16 would expand it in place, growing the query exponentially) and the query stays shallow;
 * and each level passes on only the columns a later level or `outputs` reads, since analysing a
 * level costs ClickHouse time for every column it carries.
 */
function nest(base: string, inputs: string[], aliases: Array<{ name: string; expr: string }>, outputs: string[], prefix: string): string {
  const level = new Map<string, number>(inputs.map((name) => [name, -1]));
  const token = new RegExp(`${prefix}[A-Za-z0-9_]+`, 'g');
  const levels: Array<Array<{ name: string; sql: string; refs: string[] }>> = [];
  for (const { name, expr } of aliases) {
    const refs = [...new Set(expr.match(token) ?? [])].filter((ref) => level.has(ref));
    const at = Math.max(0, ...refs.map((ref) => level.get(ref)! + 1));
    level.set(name, at);
    // ClickHouse 18.16 prunes a subquery's columns the outer query does not name, and misses
    // names used only inside a lambda: every column read is named outside one too.
    const sql = refs.length ? `tupleElement((${expr}, ${refs.join(', ')}), 1)` : expr;
    (levels[at] ??= []).push({ name, sql, refs });
  }
  // Live columns above each level: read by a later level or by the outputs.
  const live: Array<Set<string>> = [];
  let needed = new Set(outputs);
  for (let i = levels.length - 1; i >= 0; i--) {
    live[i] = needed;
    needed = new Set([...needed].filter((name) => !(levels[i] ?? []).some((a) => a.name === name)));
    for (const a of levels[i] ?? []) for (const ref of a.refs) needed.add(ref);
  }
  let query = base;
  levels.forEach((aliasesHere, i) => {
    const made = new Set(aliasesHere.map((a) => a.name));
    const kept = [...live[i]].filter((name) => !made.has(name));
    const made_ = aliasesHere.filter((a) => live[i].has(a.name)).map((a) => `${a.sql} AS ${a.name}`);
    query = `SELECT ${[...kept, ...made_].join(', ')} FROM (\n${query}\n)`;
  });
  return query;
}

/**
 * `ignore(…)` (always 0) in a WHERE names a subquery's columns the SELECT does not otherwise read:
 * ClickHouse 18.16 analyses a subquery a second time to drop columns its reader does not name,
 * which costs as much again as the subquery's (deep) analysis.
 */
const NAME_ALL = 'ignore';

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
  const base = `SELECT ${entity} AS ${P}e, ${period} AS ${P}p, min(${order}) AS ${P}eo, ${all}
FROM ${quoteClickHouseTable(options.table)}
WHERE ${keep}
GROUP BY ${P}e, ${P}p`;
  const query = nest(base, [`${P}e`, `${P}p`, `${P}eo`, `${P}all`], a, [`${P}e`, `${P}p`, `${P}eo`, `${P}run`, `${P}m`, `${P}ts`], P);
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
 * processes them. Expressions are inlined where that saves a nested SELECT: ClickHouse's
 * analysis time grows faster than linearly with the query's depth.
 */
function sequence(plan: EventFunnelPlan, v: (name: string) => string, alias: (name: string, expr: string) => void, window: string): void {
  const n = plan.steps.length;
  const strict = plan.order === 'strict';
  const exclusions = plan.exclusions.length > 0;
  const T = v('T');
  // xs: the steps whose attempts the event's exclusions mark (from … to-1).
  const covered = plan.exclusions.map((x, e) => {
    let steps = 0;
    for (let k = x.from; k < Math.min(x.to, n); k++) steps += 2 ** k;
    return `if(bitAnd(x, ${bit(e)}) != 0, toInt64(${steps}), toInt64(0))`;
  });
  alias('XS', exclusions ? `arrayMap(x -> ${covered.reduce((acc, c) => `bitOr(${acc}, ${c})`, 'toInt64(0)')}, ${v('XM')})` : `arrayMap(x -> toInt64(0), ${v('XM')})`);
  // Mixed timestamps: events at one time whose (step, exclusion) masks differ, found as an event
  // differing from the one before it at the same time, anywhere in the time's group.
  const ev = v('ev');
  alias('grp', `arrayCumSum(arrayMap(i -> i = 1 OR tupleElement(${ev}[i], 1) != tupleElement(${ev}[i - 1], 1), arrayEnumerate(${ev})))`);
  alias('gs', `arrayFilter(i -> i = 1 OR tupleElement(${ev}[i], 1) != tupleElement(${ev}[i - 1], 1), arrayEnumerate(${ev}))`);
  alias(
    'cdf',
    `arrayCumSum(arrayMap(i -> i > 1 AND tupleElement(${ev}[i], 1) = tupleElement(${ev}[i - 1], 1) AND (tupleElement(${ev}[i], 4) != tupleElement(${ev}[i - 1], 4) OR tupleElement(${ev}[i], 5) != tupleElement(${ev}[i - 1], 5)), arrayEnumerate(${ev})))`,
  );
  alias(
    'MX',
    `arrayMap(g -> ${v('cdf')}[if(g < length(${v('gs')}), toUInt64(${v('gs')}[g + 1] - 1), length(${ev}))] - ${v('cdf')}[${v('gs')}[g]] > 0, ${v('grp')})`,
  );
  // Units (t, kord, o, id, phase, event, gm, replay, exclusion unit).
  const unit = (kord: string, phase: number, gm: string, rp: number, xu: number) =>
    `(${T}[i], toUInt8(${kord}), ${v('O')}[i], toUInt64(${v('ID')}[i]), toUInt8(${phase}), toUInt32(i), toInt64(${gm}), toUInt8(${rp}), toUInt8(${xu}))`;
  const parts = [
    `arrayMap(i -> ${unit('0', 0, 'toInt64(0)', 0, 1)}, arrayFilter(i -> NOT ${v('MX')}[i] AND ${v('XS')}[i] != 0, ${v('idx')}))`,
    `arrayMap(i -> ${unit('0', 1, `${v('GM')}[i]`, 0, 0)}, arrayFilter(i -> NOT ${v('MX')}[i], ${v('idx')}))`,
    ...Array.from({ length: n }, (_, b) => `arrayMap(i -> ${unit(String(b), 1, `bitAnd(${v('GM')}[i], ${bit(b)})`, 1, 0)}, arrayFilter(i -> ${v('MX')}[i] AND bitAnd(${v('GM')}[i], ${bit(b)}) != 0, ${v('idx')}))`),
  ];
  alias('units', `arraySort(u -> (u.1, u.2, u.3, u.4, u.5), arrayConcat(${parts.join(', ')}))`);
  const units = v('units');
  alias('UT', `arrayMap(u -> u.1, ${units})`);
  alias('UG', `arrayMap(u -> u.7, ${units})`);
  alias('URP', `arrayMap(u -> u.8, ${units})`);
  alias('UID', `arrayMap(u -> u.4, ${units})`);
  alias('ui', `arrayEnumerate(${units})`);
  const L = (name: string, k: number) => v(`${name}${k}`);
  for (let k = 1; k <= n; k++) {
    // Strict: a step unit that is not step k ends every attempt waiting at level k.
    if (strict) alias(`cr${k}`, `arrayCumSum(arrayMap(u -> toUInt32(u.8 = 0 AND u.9 = 0 AND bitAnd(${v('SM')}[u.6], ${bit(k - 1)}) = 0), ${units}))`);
    // Exclusion units covering level k.
    if (exclusions) {
      const covers = `u.9 = 1 AND bitAnd(${v('XS')}[u.6], ${bit(k - 1)}) != 0`;
      alias(`cx${k}`, `arrayCumSum(arrayMap(u -> toUInt32(${covers}), ${units}))`);
      alias(`xp${k}`, `arrayFilter((i, u) -> ${covers}, arrayEnumerate(${units}), ${units})`);
    }
  }
  for (let k = 1; k <= n; k++) {
    const j = k - 1;
    // For unit i (w: the write at level k-1 it would continue, 0 for "now"): the attempt's start,
    // whether it is there (no strict reset since), excluded (a covering exclusion unit after
    // its write, before i, inside its window), and whether i is a candidate to advance it.
    let start: string;
    let there: string;
    let excluded: string;
    let cand: string;
    if (k === 1) {
      alias(`lw${k}`, `arrayMap(i -> toUInt32(0), ${v('ui')})`);
      start = `${v('UT')}[i]`;
      excluded = '0';
      cand = `bitAnd(${v('UG')}[i], ${bit(0)}) != 0`;
      alias(`TM${k}`, `arrayMap(t -> [t], ${v('UT')})`);
      alias(`RW${k}`, `arrayMap(r -> [r], ${v('UID')})`);
    } else {
      // The attempt at level k-1 when unit i comes: its last write before i.
      alias(`lw${k}`, `arrayMap(i -> if(i > 1 AND ${L('cw', j)}[i - 1] > 0, ${L('wp', j)}[${L('cw', j)}[i - 1]], toUInt32(0)), ${v('ui')})`);
      start = `${L('pS', j)}[w]`;
      there = strict ? `(w > 0 AND ${L('cr', j)}[i - 1] = ${L('cr', j)}[w])` : '(w > 0)';
      const x = `${L('xp', j)}[${L('cx', j)}[w] + 1]`;
      excluded = exclusions ? `(w > 0 AND ${x} > 0 AND ${x} < i AND NOT (${v('UT')}[${x}] - ${start} > ${window}))` : '0';
      cand = `bitAnd(${v('UG')}[i], ${bit(k - 1)}) != 0 AND ${there} AND NOT (${v('UT')}[i] - ${start} > ${window}) AND NOT (${v('URP')}[i] = 1 AND has(${L('RW', j)}[w], ${v('UID')}[i]))`;
      alias(`TM${k}`, `arrayMap((i, w) -> arrayPushBack(${L('TM', j)}[w], ${v('UT')}[i]), ${v('ui')}, ${L('lw', k)})`);
      alias(`RW${k}`, `arrayMap((i, w) -> arrayPushBack(${L('RW', j)}[w], ${v('UID')}[i]), ${v('ui')}, ${L('lw', k)})`);
    }
    const each = (body: string) => `arrayMap((i, w) -> ${body}, ${v('ui')}, ${L('lw', k)})`;
    alias(`pS${k}`, each(start));
    alias(`pe${k}`, each(`toUInt8(${excluded})`));
    alias(`cand${k}`, each(`toUInt8(${cand})`));
    // Non-excluded candidates: counted, and where they are.
    alias(`nec${k}`, `arrayCumSum(${each(`toUInt8((${cand}) AND NOT (${excluded}))`)})`);
    alias(`nep${k}`, `arrayFilter((i, w) -> (${cand}) AND NOT (${excluded}), ${v('ui')}, ${L('lw', k)})`);
    // "Already past this step": the last non-excluded candidate before i had the same start (and
    // reset epoch). Candidates' keys never decrease, so an earlier one with i's key would be
    // that last one.
    const key = (at: string) => (strict ? `(${L('pS', k)}[${at}], if(${at} > 1, ${L('cr', k)}[${at} - 1], toUInt64(0)))` : `${L('pS', k)}[${at}]`);
    const last = `${L('nep', k)}[${L('nec', k)}[i - 1]]`;
    const fire = `${L('cand', k)}[i] = 1 AND NOT (i > 1 AND ${L('nec', k)}[i - 1] > 0 AND ${key(last)} = ${key('i')})`;
    alias(`fire${k}`, `arrayMap(i -> toUInt8(${fire}), ${v('ui')})`);
    alias(`cw${k}`, `arrayCumSum(arrayMap(i -> toUInt8(${fire} AND ${L('pe', k)}[i] = 0), ${v('ui')}))`);
    alias(`wp${k}`, `arrayFilter(i -> ${fire} AND ${L('pe', k)}[i] = 0, ${v('ui')})`);
  }
  // M: the highest level any unit reached.
  const levels = Array.from({ length: n }, (_, i) => n - i);
  const M = `multiIf(${levels.map((k) => `has(${L('fire', k)}, 1), toUInt32(${k})`).join(', ')}, toUInt32(0))`;
  const atM = (name: string) => `[${Array.from({ length: n }, (_, i) => L(name, i + 1)).join(', ')}][greatest(${M}, toUInt32(1))]`;
  if (!exclusions) {
    // Without exclusions the first arrival at M stays the best attempt.
    alias('m', M);
    alias('ts', `if(${M} = 0, emptyArrayFloat64(), ${atM('TM')}[arrayFirstIndex(x -> x = 1, ${atM('fire')})])`);
    return;
  }
  alias('M', M);
  const pick = (name: string) => `[${Array.from({ length: n }, (_, i) => L(name, i + 1)).join(', ')}][greatest(${v('M')}, toUInt32(1))]`;
  for (const name of ['fire', 'pe', 'pS', 'cw', 'wp', 'cx', 'xp', 'TM', ...(strict ? ['cr'] : [])]) alias(`${name}M`, pick(name));
  const F = v('fireM');
  const reset = strict ? (w: string) => ` AND ${v('crM')}[x - 1] = ${v('crM')}[${w}]` : () => '';
  // H: covering exclusion units that mark the best attempt at M (the attempt in entered[M] is
  // there and not excluded yet: this is the first covering exclusion since its write).
  const lwM = `${v('wpM')}[${v('cwM')}[x - 1]]`;
  const H = `x > 1 AND ${v('cwM')}[x - 1] > 0${reset(lwM)} AND ${v('xpM')}[${v('cxM')}[${lwM}] + 1] = x`;
  alias('hp', `arrayFilter(x -> ${H}, ${v('xpM')})`);
  alias('hc', `arrayCumSum(arrayMap(i -> toUInt8(${v('cxM')}[i] > ${v('cxM')}[i - 1] AND (${H.replace(/\bx\b/g, 'i')})), ${v('ui')}))`);
  // The best attempt is replaced, at the next arrival at M, once it is excluded: an arrival that
  // continued an excluded attempt at once; any other at the first marking exclusion after it,
  // if that is inside its window (later ones are not). Arrivals between two marking exclusions
  // share the first one after them, so the walk enters each such segment at its first arrival,
  // passes the excluded ones, and stops at the first other one unless that one is marked. The
  // best attempt is the first arrival of that kind, first in its segment, that no marking
  // exclusion reaches; none: the best attempt is excluded, and the run counts nowhere.
  const clean = `arrayFilter(i -> ${F}[i] = 1 AND ${v('peM')}[i] = 0, ${v('ui')})`;
  const hx = `${v('hp')}[${v('hc')}[f] + 1]`;
  const lasts = `NOT (${hx} > 0 AND NOT (${v('UT')}[${hx}] - ${v('pSM')}[f] > ${window}))`;
  alias('best', `arrayFirst(f -> f > 0, arrayMap((f, u) -> if(u = 1 AND ${lasts}, f, toUInt32(0)), ${clean}, arrayEnumerateUniq(arrayMap(f -> ${v('hc')}[f], ${clean}))))`);
  alias('m', `if(${v('best')} = 0, toUInt32(0), ${v('M')})`);
  alias('ts', `if(${v('best')} = 0, emptyArrayFloat64(), ${v('TMM')}[${v('best')}])`);
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
  // Only lambdas over equally long arrays, none capturing a whole array: ClickHouse copies a
  // captured array for every element, so a lambda over every entity that reads \`sl[i - 1]\` or
  // \`es[s]\` costs entities² (a 100k-entity funnel asked for 128 GiB).
  const kept = (array: string, flags: string) => `arrayFilter((x, k) -> k, ${array}, ${flags})`;
  const trend = `arrayMap((f, l, s, e, cb, ce) -> (tupleElement(f, 1), tupleElement(l, 1), e - s + 1, ce - cb), ${kept('es', 'isStart')}, ${kept('es', 'isEnd')}, ${kept('arrayEnumerate(es)', 'isStart')}, ${kept('arrayEnumerate(es)', 'isEnd')}, ${kept('arrayPopBack(arrayPushFront(conv, toUInt64(0)))', 'isStart')}, ${kept('conv', 'isEnd')})`;
  const tally = `SELECT p, g, key, ${cols.join(', ')}, ${counts} AS cs, ${medians} AS mds, ${sums} AS ss, ${stuck} AS xs, ${durations} AS ds,
  arrayMap(x -> floor(tupleElement(x, 1) / ${slot}), es) AS sl,
  arrayMap((d, i) -> i = 1 OR d != 0, arrayDifference(sl), arrayEnumerate(sl)) AS isStart,
  if(length(es) = 0, emptyArrayUInt8(), arrayPushBack(arraySlice(isStart, 2), toUInt8(1))) AS isEnd,
  arrayCumSum(arrayMap(x -> toUInt64(tupleElement(x, 2)), es)) AS conv,
  ${trend} AS trend${n > 1 ? `,\n  ${ttcColumns(bins, params)}` : ''}
FROM (SELECT *, ${asOf} AS asof FROM (${runs}))
WHERE ${NAME_ALL}(e, asof) = 0
GROUP BY p, g, key`;
  // Helper columns of the tally that the next SELECT reads only through this (see NAME_ALL).
  const helpers = [
    ...Array.from({ length: n }, (_, k) => [`c${k + 1}`, `x${k + 1}`, ...(k ? [`d${k + 1}`, `s${k + 1}`] : [])]).flat(),
    'es', 'sl', 'isStart', 'isEnd', 'conv', ...(n > 1 ? ['tde', 'td', 'twidth', 'tstart', 'tbins'] : []), ...(plan.breakdown ? [] : ['ds']),
  ];
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
WHERE ${NAME_ALL}(${helpers.join(', ')}) = 0
GROUP BY p`;
  // One row even when nothing matched: "now" is the latest event in range, matched or not.
  return `SELECT ${asOf} AS asof, groupArray((p, pcs, pmds, pss, pxs, ptrend, pttc, gkeys, grk, gcs, gmds, gss, gxs, other)) AS periods FROM (${perPeriod})${plan.breakdown ? ` WHERE ${NAME_ALL}(gds, gsorted) = 0` : ''}`;
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
  // LIMIT takes a literal number only: the planned limit is a checked integer.
  if (!Number.isSafeInteger(plan.entityLimit) || plan.entityLimit < 0) throw new TypeError(`entityLimit: expected a non-negative integer, got ${plan.entityLimit}`);
  const limit = String(plan.entityLimit);
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
