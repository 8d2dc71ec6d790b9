/**
 * The anomaly plan run over columns in memory: one series per split value (the largest by rows,
 * the rest as "Other"), each the measure read per period through the KPI engine's window
 * readers; or the given points, placed on the grain with missing periods as no data.
 * @module
 */
import { ContractError } from '../contract-error.js';
import { parseTimes, requireColumn, rowsInRange, type Columns } from '../columns.js';
import { groupKey, OTHER, topGroups } from '../groups.js';
import { encode, partition, reader, rowSource } from '../measures/reader.js';
import { MAX_PERIODS, periodStarts, readSeries, type SeriesPoint } from '../measures/series.js';
import { addPeriods, periodKey, periodStart, rangeLimits, type Period } from '../time.js';
import type { AnomalyPlan, EventSource, PointSource } from './plan.js';

export interface ExecutedSeries {
  key: string;
  other: boolean;
  points: SeriesPoint[];
}

export interface AnomalyExecution {
  series: ExecutedSeries[];
  /** Rows in range. */
  rows: number;
}

export function executeAnomaly(plan: AnomalyPlan, columns: Columns): AnomalyExecution {
  return plan.source.kind === 'points' ? givenSeries(plan, plan.source) : eventSeries(plan, plan.source, columns);
}

function eventSeries(plan: AnomalyPlan, source: EventSource, columns: Columns): AnomalyExecution {
  const { timeZone } = plan;
  const grain = plan.grain!;
  requireColumn(columns, source.time, '/fields/time');
  if (source.event !== null) requireColumn(columns, source.event, '/fields/event');
  if (source.split) requireColumn(columns, source.split.field, '/anomaly/split/field');
  const times = parseTimes(columns, source.time, timeZone);
  const { from, to } = rangeLimits(plan.range);
  const order = rowsInRange(times, from, to);
  if (order.length === 0) return { series: [], rows: 0 };
  // The span: the range where it is given, else from the first row's period to the last's.
  const span = {
    period: grain,
    timeZone,
    from: Number.isFinite(from) ? from : times[order[0]],
    to: Number.isFinite(to) ? to : addPeriods(periodStart(times[order[order.length - 1]], grain, timeZone), grain, 1, timeZone),
  };
  const groups = source.split ? splitRows(columns, source.split, order) : [{ key: '', other: false, rows: order }];
  const events = source.event !== null ? encode(columns.get(source.event), order) : undefined;
  const series = groups.map(({ key, other, rows }) => {
    const read = reader(source.measure, columns, rowSource(columns, times, rows, source.event, events));
    return { key, other, points: readSeries(read, span, '/anomaly/grain') };
  });
  return { series, rows: order.length };
}

/** Rows (in time order) per split value: the `limit` values with most rows, the rest merged as "Other". */
function splitRows(columns: Columns, split: NonNullable<EventSource['split']>, order: Int32Array): Array<{ key: string; other: boolean; rows: Int32Array }> {
  const { codes, values } = encode(columns.get(split.field), order);
  // Values that read the same (1 and "1", null and "") are one group.
  const sizes = new Int32Array(values.length);
  for (let i = 0; i < order.length; i++) sizes[codes[order[i]]]++;
  const byKey = new Map<string, { size: number; codes: number[] }>();
  values.forEach((value, code) => {
    const key = groupKey(value);
    const group = byKey.get(key);
    if (group) {
      group.size += sizes[code];
      group.codes.push(code);
    } else byKey.set(key, { size: sizes[code], codes: [code] });
  });
  const merge = (into: { size: number; codes: number[] } | undefined, from: { size: number; codes: number[] }) => ({ size: (into?.size ?? 0) + from.size, codes: [...(into?.codes ?? []), ...from.codes] });
  const kept = topGroups(byKey, (g) => g.size, split.limit, merge);
  const groupOf = new Int32Array(values.length);
  kept.forEach(([, group], g) => group.codes.forEach((code) => (groupOf[code] = g)));
  for (let i = 0; i < order.length; i++) codes[order[i]] = groupOf[codes[order[i]]];
  // The counting sort keeps time order, within "Other" too.
  const parts = partition(order, codes, kept.length);
  return kept.map(([key], g) => ({ key, other: key === OTHER && byKey.size > split.limit, rows: parts[g] }));
}

/** Given points by series (in order of first appearance), sorted, in range, gaps filled when a grain is named. */
function givenSeries(plan: AnomalyPlan, source: PointSource): AnomalyExecution {
  const { timeZone, grain } = plan;
  const { from, to } = rangeLimits(plan.range);
  const bySeries = new Map<string, Array<{ start: number; value: number | null; rows: number; index: number }>>();
  source.points.forEach((p, index) => {
    if (p.start < from || p.start >= to) return;
    const start = grain ? periodStart(p.start, grain, timeZone) : p.start;
    const list = bySeries.get(p.series);
    if (list) list.push({ start, value: p.value, rows: p.rows, index });
    else bySeries.set(p.series, [{ start, value: p.value, rows: p.rows, index }]);
  });
  const label = grain ?? labelGrain(source, timeZone);
  const series = [...bySeries].map(([key, list]): ExecutedSeries => {
    list.sort((a, b) => a.start - b.start || a.index - b.index);
    for (let i = 1; i < list.length; i++) {
      if (list[i].start === list[i - 1].start) {
        throw new ContractError(`/anomaly/points/${list[i].index}/t`, `repeats the ${grain ?? 'time'} of /anomaly/points/${list[i - 1].index}: one value per period${key ? ` and series` : ''}`);
      }
    }
    if (list.length > MAX_PERIODS) throw new ContractError('/anomaly/points', 'holds more than 10,000 points per series; aggregate them to a longer grain');
    const given = new Map(list.map((p) => [p.start, p]));
    const starts = grain && list.length ? periodStarts({ period: grain, timeZone, from: list[0].start, to: list[list.length - 1].start + 1 }, '/anomaly/grain') : list.map((p) => p.start);
    return {
      key,
      // A warehouse that split the events says whether its "Other" series merges the rest.
      other: key === OTHER && source.split?.other === true,
      points: starts.map((start) => ({ period: periodKey(start, label, timeZone), start, value: given.get(start)?.value ?? null, rows: given.get(start)?.rows ?? 0 })),
    };
  });
  return { series, rows: source.rows };
}

/** Labels for points without a grain: dates when every point falls on a midnight in the zone, else minutes. */
function labelGrain(source: PointSource, timeZone: string): Period {
  return source.points.every((p) => periodStart(p.start, 'day', timeZone) === p.start) ? 'day' : 'minute';
}
