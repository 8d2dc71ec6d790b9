// Contracts for property-based tests, in Node and in the browser: built like the schema's, with
// mostly real data, and hostile values to put at random paths.
import fc from 'fast-check';
import type { ContractKind } from '../../src/analytics/contract.js';

const EVENTS = ['lead', 'mql', 'won', 'lost', 'order', 'constructor', '__proto__', 'toString'];
const goodTime = fc.oneof(
  fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2026, 11, 31) }),
  fc.date({ min: new Date('2025-01-01'), max: new Date('2026-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  fc.constantFrom('2026-03-01T09:00', '2026-03-01 10:00:00+08:00'),
);
// Mostly real times, so most contracts compute; now and then one a parser must refuse.
const time = fc.oneof({ arbitrary: goodTime, weight: 40 }, { arbitrary: fc.constantFrom('9999-12-31', 8.64e15, 8640000000000001, -1e20, 'soon', ''), weight: 1 });
const cell = fc.oneof(fc.string({ maxLength: 4 }), fc.integer({ min: -5, max: 1000 }), fc.double(), fc.boolean(), fc.constant(null), fc.constantFrom(...EVENTS));
const row = fc.record({
  id: fc.oneof(fc.constantFrom('a', 'b', 'c', 'd', 'constructor', '__proto__', ''), fc.integer({ min: 0, max: 4 })),
  ev: fc.constantFrom(...EVENTS),
  ts: time,
  v: fc.oneof({ arbitrary: fc.oneof(fc.integer({ min: 0, max: 500 }), fc.constant(null)), weight: 40 }, { arbitrary: fc.oneof(fc.double(), fc.string({ maxLength: 3 })), weight: 1 }),
  seg: cell,
});
const rows = fc.array(row, { maxLength: 40 });
const range = fc.option(fc.record({ from: goodTime, to: fc.oneof(goodTime, time) }, { requiredKeys: ['from'] }), { nil: undefined });

const filter = fc.record({ event: fc.oneof(fc.constantFrom(...EVENTS), fc.constant(['lead', 'won'])), where: fc.constantFrom({ seg: 'a' }, { v: { min: 1, max: 100 } }) }, { requiredKeys: [] });
const simpleMeasure = fc.record({ op: fc.constantFrom('count', 'distinct', 'sum', 'mean', 'median', 'min', 'max', 'last'), filter }, { requiredKeys: ['op'] });
const kpiMeasure = fc.oneof(
  simpleMeasure,
  fc.record({ op: fc.constant('ratio'), numerator: simpleMeasure, denominator: simpleMeasure }),
  fc.record({ op: fc.constant('duration'), from: filter, to: filter, summary: fc.constantFrom('median', 'mean') }, { requiredKeys: ['op', 'from', 'to'] }),
);
const kpiSpec = fc.record(
  {
    id: fc.constant('k'),
    label: fc.string({ maxLength: 8 }),
    measure: kpiMeasure,
    value: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }),
    previous: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }),
    target: fc.integer(),
    period: fc.oneof(range.map((r) => r ?? {}), fc.record({ last: fc.integer({ min: 1, max: 40 }), unit: fc.constantFrom('day', 'week', 'month') })),
    compare: fc.record({ previous: fc.boolean(), yearAgo: fc.boolean() }, { requiredKeys: [] }),
    direction: fc.constantFrom('higher-is-better', 'lower-is-better', 'neutral'),
    thresholds: fc.record({ mode: fc.constantFrom('absolute', 'percent-of-target'), steps: fc.array(fc.record({ value: fc.option(fc.integer(), { nil: null }), status: fc.constantFrom('good', 'warning', 'critical') }), { minLength: 1, maxLength: 4 }) }, { requiredKeys: ['steps'] }),
    interval: fc.constantFrom('day', 'week', 'month'),
    format: fc.record({ style: fc.constantFrom('number', 'compact', 'currency', 'percent', 'duration') }),
  },
  { requiredKeys: ['id', 'label'] },
);

const ruleBase = { id: fc.constantFrom('r', 'constructor', '__proto__'), name: fc.string({ maxLength: 6 }), severity: fc.constantFrom('warning', 'critical'), for: fc.oneof(fc.nat(4), fc.constantFrom('15m', '2h', '3d', '1w')), keepFiringFor: fc.oneof(fc.nat(4), fc.constantFrom('30m', '1d')), noData: fc.constantFrom('nodata', 'alerting', 'ok', 'keep-last') };
const anomalyRule = fc.oneof(
  fc.record({ ...ruleBase, type: fc.constant('threshold'), mode: fc.constantFrom('absolute', 'percentage'), steps: fc.array(fc.record({ value: fc.option(fc.integer({ min: -10, max: 500 }), { nil: null }), color: fc.constantFrom('red', '#EAB839'), severity: fc.constantFrom('warning', 'critical') }, { requiredKeys: ['value'] }), { minLength: 1, maxLength: 4 }) }, { requiredKeys: ['type', 'steps'] }),
  fc.record({ ...ruleBase, type: fc.constant('threshold'), bound: fc.oneof(fc.record({ op: fc.constantFrom('>', '>=', '<', '<='), value: fc.integer() }), fc.record({ op: fc.constantFrom('within', 'outside'), low: fc.integer({ min: -5, max: 100 }), high: fc.integer({ min: 0, max: 500 }) })) }, { requiredKeys: ['type', 'bound'] }),
  fc.record({ ...ruleBase, type: fc.constant('change'), lag: fc.integer({ min: 1, max: 8 }), unit: fc.constantFrom('percent', 'absolute'), direction: fc.constantFrom('rise', 'drop', 'both'), threshold: fc.double({ min: 0, max: 100, noNaN: true }) }, { requiredKeys: ['type', 'threshold'] }),
  fc.record({ ...ruleBase, type: fc.constant('band'), method: fc.constantFrom('mean-stddev', 'median-mad'), window: fc.integer({ min: 1, max: 20 }), minWindow: fc.nat(20), k: fc.double({ min: 0, max: 5, noNaN: true }), direction: fc.constantFrom('above', 'below', 'both') }, { requiredKeys: ['type'] }),
);
// Ids made unique by position, as a real contract's are (a repeated id is a tested error of its own).
const anomalyRules = fc.array(anomalyRule, { maxLength: 3 }).map((rules) => rules.map((r, i) => ({ ...r, id: `${r.id}${i}` })));

const sections: { [K in ContractKind]: fc.Arbitrary<Record<string, unknown>> } = {
  funnel: fc.record(
    {
      steps: fc.array(fc.record({ event: fc.constantFrom(...EVENTS), maxDwell: fc.constantFrom('1d', '2h', 5) }, { requiredKeys: ['event'] }), { minLength: 1, maxLength: 5 }),
      order: fc.constantFrom('ordered', 'strict', 'any'),
      window: fc.constantFrom('14d', '1h', 0, '1w'),
      exclusions: fc.array(fc.record({ event: fc.constantFrom(...EVENTS), from: fc.nat(3), to: fc.nat(4) }), { maxLength: 2 }),
      breakdown: fc.record({ field: fc.constantFrom('seg', 'ev', 'nope'), attribution: fc.oneof(fc.constantFrom('first-touch', 'last-touch', 'all-events'), fc.record({ step: fc.nat(5) })), limit: fc.integer({ min: 1, max: 4 }) }, { requiredKeys: ['field'] }),
      range,
      trends: fc.record({ interval: fc.constantFrom('day', 'week', 'month') }),
      compare: fc.constant('previous-period'),
      asOf: time,
      timeToConvert: fc.record({ from: fc.nat(4), to: fc.nat(4), bins: fc.integer({ min: 1, max: 20 }) }, { requiredKeys: [] }),
      entityLimit: fc.nat(5),
    },
    { requiredKeys: ['steps'] },
  ),
  cohort: fc.record(
    {
      start: fc.record({ event: fc.constantFrom(...EVENTS), where: fc.constant({ seg: 'a' }) }, { requiredKeys: [] }),
      return: fc.record({ event: fc.constantFrom(...EVENTS) }, { requiredKeys: [] }),
      type: fc.constantFrom('recurring', 'first-time'),
      period: fc.constantFrom('hour', 'day', 'week', 'month'),
      periods: fc.integer({ min: 1, max: 12 }),
      weekStart: fc.constantFrom('monday', 'sunday'),
      mode: fc.constantFrom('on', 'on-or-after', 'by'),
      value: fc.record({ measure: fc.constantFrom('entities', 'sum') }),
      breakdown: fc.record({ field: fc.constantFrom('seg', 'ev', 'nope'), limit: fc.integer({ min: 1, max: 4 }) }, { requiredKeys: ['field'] }),
      asOf: time,
      entityLimit: fc.nat(5),
      range,
    },
    { requiredKeys: [] },
  ),
  anomaly: fc.oneof(
    fc.record({ grain: fc.constantFrom('minute', 'hour', 'day', 'week', 'month'), measure: kpiMeasure, split: fc.record({ field: fc.constantFrom('seg', 'ev', 'nope'), limit: fc.integer({ min: 1, max: 4 }) }, { requiredKeys: ['field'] }), rules: anomalyRules, range }, { requiredKeys: [] }),
    fc.record({ grain: fc.constantFrom('minute', 'hour', 'day', 'week', 'month'), points: fc.array(fc.record({ t: time, value: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }), series: fc.constantFrom('a', 'b', '__proto__') }, { requiredKeys: ['t', 'value'] }), { maxLength: 30 }), rules: anomalyRules, range }, { requiredKeys: ['points'] }),
  ),
  kpi: fc.oneof(
    fc.record({ metric: fc.constantFrom('sum', 'count', 'mean', 'countDistinct', 'last'), event: fc.constantFrom(...EVENTS), range, compare: fc.constantFrom('previous-period', 'none'), target: fc.integer(), better: fc.constantFrom('up', 'down'), interval: fc.constantFrom('day', 'week', 'month') }, { requiredKeys: [] }),
    fc.record({ asOf: time, kpis: fc.array(kpiSpec, { minLength: 1, maxLength: 4 }).map((list) => list.map((k, i) => ({ ...k, id: `k${i}` }))) }, { requiredKeys: ['kpis'] }),
  ),
};

export const contract = fc.constantFrom<ContractKind>('funnel', 'cohort', 'anomaly', 'kpi').chain((kind) =>
  fc.record({
    kind: fc.constant(kind),
    doc: fc.record({
      version: fc.constant(1),
      kind: fc.constant(kind),
      timeZone: fc.constantFrom('UTC', 'Asia/Shanghai', 'America/New_York'),
      data: fc.oneof(rows.map((r) => ({ rows: r })), rows.map((r) => ({ columns: toColumns(r) }))),
      fields: fc.constant({ entity: 'id', event: 'ev', time: 'ts', value: 'v' }),
      [kind]: sections[kind],
    }),
  }),
);

function toColumns(list: Array<Record<string, unknown>>): Record<string, unknown[]> {
  const names = ['id', 'ev', 'ts', 'v', 'seg'];
  return Object.fromEntries(names.map((n) => [n, list.map((r) => r[n])]));
}

/** Hostile values a careless host or an attacker might put anywhere. */
export const hostile = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.bigInt(),
  fc.constantFrom(1e308, -0, NaN, Infinity, 8.64e15 + 1, '__proto__', 'constructor', 'toString', '', '<img src=x onerror=alert(1)>'),
  fc.constant(Symbol('x')),
  fc.constant(() => 1),
  fc.constant(deep(1000)),
);

function deep(n: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < n; i++) value = [value];
  return value;
}

/** Every path into a JSON document, as segment lists. */
function paths(value: unknown, at: string[] = [], out: string[][] = [], depth = 0): string[][] {
  out.push(at);
  if (depth < 6 && value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value).slice(0, 50)) paths(v, [...at, k], out, depth + 1);
  }
  return out;
}

export function mutate(doc: Record<string, unknown>, where: number, value: unknown): Record<string, unknown> {
  const copy = structuredClone(doc);
  const all = paths(copy).filter((p) => p.length > 0);
  const path = all[where % all.length];
  let parent = copy as Record<string, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
  parent[path[path.length - 1]] = value;
  return copy;
}

/** A JSON pointer lies in the document, or names a missing member of something that does. */
export function inContract(doc: unknown, pointer: string): boolean {
  if (pointer === '') return true;
  const segments = pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: unknown = doc;
  for (let i = 0; i < segments.length; i++) {
    if (node === null || typeof node !== 'object' || !Object.prototype.hasOwnProperty.call(node, segments[i])) return i === segments.length - 1 && node !== null && typeof node === 'object';
    node = (node as Record<string, unknown>)[segments[i]];
  }
  return true;
}

