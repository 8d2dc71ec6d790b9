/**
 * `<funnel-chart>` specs, one per view:
 * - `steps`: one bar per step, the converted part solid and the part lost since the first step
 *   ghosted; the largest drop-off in the alert colour; with a breakdown, grouped bars and a legend
 *   that is always shown; with a comparison, the previous period as a dashed outline and a delta.
 *   Step names are not drawn by Vega: the element lays HTML labels over the reserved band
 *   (`STEP_LABEL_BAND`) so they wrap, truncate with a tooltip and take keyboard focus;
 * - `time-to-convert`: the histogram of conversion times with the median marked;
 * - `trends`: conversion by entry period, periods still inside their window dashed.
 * @module
 */
import type { TopLevelSpec } from 'vega-lite';
import type { FunnelStepResult, FunnelViewModel } from '../analytics/funnel/view-model.js';
import { formatChange, formatDuration, formatNumber, formatPercent, timeAxisFormat, wallTime } from './format.js';
import { groupName, seriesKey, seriesLabelExpr } from './group-names.js';
import { message } from './messages.js';
import type { SpecContext } from './spec-context.js';
import { DURATION_FORMAT } from './vega-formats.js';

export type FunnelView = 'steps' | 'time-to-convert' | 'trends';
export type FunnelMetric = 'count' | 'first' | 'previous';
export type FunnelOrientation = 'vertical' | 'horizontal';

export interface FunnelSpecOptions {
  view: FunnelView;
  metric: FunnelMetric;
  orientation: FunnelOrientation;
}

/** Count axis: SI prefixes (`1.5k`), but a bare `0` rather than Vega's shared-prefix `0k`. */
const COUNT_AXIS = { format: '~s', labelExpr: "datum.value === 0 ? '0' : datum.label", tickMinStep: 1, tickCount: 5 };

export { DURATION_FORMAT };

/** Room kept for the HTML step labels: below vertical bars (px high), left of horizontal ones (px wide). */
export const STEP_LABEL_BAND = { vertical: 44, verticalWithBadge: 62, horizontal: 150 } as const;

/** Whether a step's label carries a badge line under its name: a stuck count, or the largest drop-off. */
export function stepHasBadge(vm: FunnelViewModel, index: number): boolean {
  const stuck = vm.steps[index].stuck;
  return Boolean(stuck && stuck.count > 0) || index === vm.largestDropOff;
}

/** Height of the band under vertical bars: taller when any label has a badge line. */
export function verticalLabelBand(vm: FunnelViewModel): number {
  return vm.steps.some((s) => stepHasBadge(vm, s.index)) ? STEP_LABEL_BAND.verticalWithBadge : STEP_LABEL_BAND.vertical;
}

/** Vertical bars narrower than this show only the step number; the name is in the tooltip. */
export const COMPACT_LABEL_WIDTH = 56;

/** Bar orientation for `orientation` unset: more than 8 steps read better as horizontal rows. */
export function autoOrientation(stepCount: number): FunnelOrientation {
  return stepCount > 8 ? 'horizontal' : 'vertical';
}

/** The bar label for a step under the chosen metric. */
export function stepLabel(step: FunnelStepResult, metric: FunnelMetric, locale: string): string {
  if (metric === 'first') return formatPercent(step.conversionFromFirst, locale);
  if (metric === 'previous') return formatPercent(step.conversionFromPrevious, locale);
  return formatNumber(step.count, locale);
}

/** The band value of step `index` (names may repeat; the number keeps bands apart). */
export function stepKey(step: { name: string; index: number }): string {
  return `${step.index + 1}. ${step.name}`;
}

export function buildFunnelSpec(vm: FunnelViewModel, ctx: SpecContext, options: FunnelSpecOptions): TopLevelSpec {
  if (options.view === 'time-to-convert') return timeToConvertSpec(vm, ctx);
  if (options.view === 'trends') return trendsSpec(vm, ctx);
  return stepsSpec(vm, ctx, options);
}

const base = (ctx: SpecContext) => ({
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  width: ctx.width,
  height: ctx.height,
  autosize: { type: 'fit', contains: 'padding' },
});

function stepsSpec(vm: FunnelViewModel, ctx: SpecContext, options: FunnelSpecOptions): TopLevelSpec {
  const { locale, tokens } = ctx;
  const groups = vm.breakdown ?? [{ value: '', steps: vm.steps }];
  const grouped = Boolean(vm.breakdown);
  const compared = vm.comparison ?? null;
  const rows = groups.flatMap((g, gi) => {
    const first = g.steps[0]?.count ?? 0;
    // The same group in the previous period (absent there: nothing to compare).
    const before = previousSteps(vm, g.value);
    return g.steps.map((s) => {
      const prev = before?.[s.index];
      const delta = prev ? { count: s.count - prev.count, countChange: prev.count ? (s.count - prev.count) / prev.count : null } : null;
      return {
        step: stepKey(s),
        name: s.name,
        index: s.index,
        group: groupName(g.value, grouped, locale),
        groupKey: seriesKey(gi),
        value: g.value,
        count: s.count,
        base: first,
        label: stepLabel(s, options.metric, locale),
        countText: formatNumber(s.count, locale),
        fromFirst: formatPercent(s.conversionFromFirst, locale),
        fromPrevious: formatPercent(s.conversionFromPrevious, locale),
        dropOff: `${formatNumber(s.dropOff, locale)} (${formatPercent(s.dropOffRate, locale)})`,
        time: s.medianTimeMs === null ? '–' : formatDuration(s.medianTimeMs, locale),
        stuck: s.stuck ? formatNumber(s.stuck.count, locale) : '',
        worst: !grouped && s.index === vm.largestDropOff,
        prev: prev ? prev.count : null,
        // Where labels sit: above the taller of this bar and its previous-period outline.
        top: Math.max(s.count, prev?.count ?? 0),
        prevText: prev ? formatNumber(prev.count, locale) : '',
        delta: delta ? deltaText(delta.count, delta.countChange, locale) : '',
        deltaSign: delta ? Math.sign(delta.count) : 0,
      };
    });
  });
  const horizontal = options.orientation === 'horizontal';
  const stepChannel = horizontal ? 'y' : 'x';
  const valueChannel = horizontal ? 'x' : 'y';
  const offsetChannel = horizontal ? 'yOffset' : 'xOffset';
  const band = horizontal ? STEP_LABEL_BAND.horizontal : verticalLabelBand(vm);
  const stepEncoding = {
    field: 'step',
    type: 'nominal',
    // The rows are written in step order: the domain keeps it (an explicit sort list would be a
    // per-row expression run again on every data update).
    sort: null,
    title: null,
    scale: { paddingInner: grouped ? 0.2 : 0.25, paddingOuter: 0.1 },
    // The element draws the names as HTML in the band kept free by `padding` below.
    axis: { labels: false, ticks: false, domain: true },
  };
  // The tooltip is one object per bar, written here in JS, not a Vega expression: Vega would
  // rebuild it for every mark on every data update (a large share of an update's main-thread time).
  const tipFields: Array<[field: string, title: string]> = [
    ['name', message('step', locale)],
    ...(grouped ? [['group', message('group', locale)] as [string, string]] : []),
    ['countText', message('entities', locale)],
    ['fromFirst', message('fromFirst', locale)],
    ['fromPrevious', message('fromPrevious', locale)],
    ['dropOff', message('dropOff', locale)],
    ['time', message('medianTime', locale)],
    ...(vm.steps.some((s) => s.stuck) ? [['stuck', message('stuck', locale)] as [string, string]] : []),
    ...(compared ? ([['prevText', message('previous', locale)], ['delta', message('change', locale)]] as Array<[string, string]>) : []),
  ];
  for (const row of rows) {
    const r = row as Record<string, unknown>;
    r.tip = Object.fromEntries(tipFields.map(([field, title]) => [title, String(r[field] ?? '')]));
  }
  const tooltip = { expr: 'datum.tip' };
  // Bars are grouped by an index key, not the value itself: Vega keeps groups in plain objects,
  // where a value named "constructor" or "__proto__" breaks the view. The legend shows the names.
  const groupNames = seriesLabelExpr(groups.map((g) => groupName(g.value, grouped, locale)));
  // Groups too keep the rows' order (groups outer, steps inner).
  const offset = { field: 'groupKey', type: 'nominal', sort: null, scale: { paddingInner: 0.08 } };
  const groupEncoding: Record<string, unknown> = grouped
    ? {
        [offsetChannel]: offset,
        color: {
          field: 'groupKey',
          type: 'nominal',
          sort: null,
          title: null,
          legend: { orient: 'top', direction: 'horizontal', columns: 0, labelExpr: groupNames },
        },
      }
    : { color: { condition: { test: 'datum.worst', value: tokens.alert }, value: tokens.accent } };
  // Counts are always numbers, so the bars say `invalid: 'show'`: Vega-Lite then adds no filter
  // of invalid values, which it would run on every row at every data update.
  const layers: object[] = [
    {
      // Ghost: what the first step had, so the lost part reads at a glance.
      mark: { type: 'bar', color: tokens.ghost, opacity: 0.55, cornerRadiusEnd: 3, tooltip, invalid: 'show' },
      encoding: {
        [valueChannel]: {
          field: 'base',
          type: 'quantitative',
          // One bar per step and group: nothing to stack (Vega-Lite would add a stack transform
          // and per-bar extent expressions, run again on every data update).
          stack: null,
          title: null,
          // From the data by expression, not a number in the spec: a contract whose only change is
          // its data then keeps the spec and updates the drawn view in place.
          scale: { domainMax: { expr: `max(1, ${datasetMax('steps', 'base')}, ${datasetMax('steps', 'prev')})` } },
          axis: { ...COUNT_AXIS, grid: true },
        },
        ...(grouped ? { [offsetChannel]: offset } : {}),
      },
    },
    {
      mark: { type: 'bar', cornerRadiusEnd: 3, cursor: 'pointer', tooltip, invalid: 'show' },
      encoding: { [valueChannel]: { field: 'count', type: 'quantitative', stack: null }, ...groupEncoding },
    },
  ];
  if (compared) {
    layers.push({
      // The previous period: a dashed outline where its bar ended.
      mark: { type: 'bar', fillOpacity: 0, stroke: tokens.text, strokeOpacity: 0.7, strokeWidth: 1.5, strokeDash: [4, 3], cornerRadiusEnd: 3, tooltip },
      encoding: { [valueChannel]: { field: 'prev', type: 'quantitative', stack: null }, ...(grouped ? { [offsetChannel]: offset } : {}) },
    });
  }
  // Value labels only where each bar has room for one (8 groups × 6 steps do not).
  const bars = vm.steps.length * groups.length;
  // Horizontal bars share the height; vertical ones the width left of the label band.
  const perBar = ((horizontal ? ctx.height - 20 : ctx.width - 40) / Math.max(1, bars)) * 0.75;
  const roomForValues = perBar >= (horizontal ? 11 : 30);
  if (roomForValues) layers.push({
    mark: {
      type: 'text',
      [horizontal ? 'dx' : 'dy']: horizontal ? 4 : -6,
      align: horizontal ? 'left' : 'center',
      baseline: horizontal ? 'middle' : 'bottom',
      fontSize: 11,
      fontWeight: 600,
      color: tokens.text,
    },
    encoding: {
      [valueChannel]: { field: 'top', type: 'quantitative' },
      text: { field: 'label' },
      ...(grouped ? { [offsetChannel]: offset } : {}),
    },
  });
  if (compared && roomForValues) {
    layers.push({
      mark: {
        type: 'text',
        [horizontal ? 'dx' : 'dy']: horizontal ? 4 : -20,
        ...(horizontal ? { dy: 12 } : {}),
        align: horizontal ? 'left' : 'center',
        baseline: horizontal ? 'middle' : 'bottom',
        fontSize: 10,
      },
      encoding: {
        [valueChannel]: { field: 'top', type: 'quantitative' },
        text: { field: 'delta' },
        ...(grouped ? { [offsetChannel]: offset } : {}),
        color: { condition: { test: 'datum.deltaSign < 0', value: tokens.alert }, value: tokens.success },
      },
    });
  }
  return {
    ...base(ctx),
    padding: horizontal ? { left: band, top: 4, right: 40, bottom: 4 } : { left: 4, top: compared ? 30 : 16, right: 4, bottom: band },
    datasets: { steps: rows },
    data: { name: 'steps' },
    encoding: { [stepChannel]: stepEncoding },
    layer: layers,
  } as TopLevelSpec;
}

/** The steps of the same group (or the whole funnel) in the previous period; null if it had none. */
export function previousSteps(vm: FunnelViewModel, groupValue: string | null): FunnelStepResult[] | null {
  if (!vm.comparison) return null;
  if (groupValue === null || !vm.breakdown) return vm.comparison.steps;
  return vm.comparison.breakdown?.find((p) => p.value === groupValue)?.steps ?? null;
}

/** "+12 (+8.2%)" / "−3 (−1.5%)": a step's change against the previous period. */
function deltaText(count: number, change: number | null, locale: string): string {
  const n = new Intl.NumberFormat(locale, { signDisplay: 'exceptZero' }).format(count);
  return change === null ? n : `${n} (${formatChange(change, locale)})`;
}

function messageSpec(ctx: SpecContext, text: string): TopLevelSpec {
  return {
    ...base(ctx),
    datasets: { note: [{ text }] },
    data: { name: 'note' },
    mark: { type: 'text', fontSize: 13, color: ctx.tokens.muted },
    encoding: { text: { field: 'text' } },
  } as TopLevelSpec;
}

function timeToConvertSpec(vm: FunnelViewModel, ctx: SpecContext): TopLevelSpec {
  const { locale, tokens } = ctx;
  const ttc = vm.timeToConvert;
  if (!ttc || ttc.count === 0) return messageSpec(ctx, message(vm.aggregated ? 'needsEvents' : 'noConversions', locale));
  const name = (i: number) => stepKey(vm.steps[i]);
  const bins = ttc.bins.map((b) => ({
    start: b.startMs,
    end: b.endMs,
    count: b.count,
    range: `${formatDuration(b.startMs, locale)} – ${formatDuration(b.endMs, locale)}`,
    share: formatPercent(b.count / ttc.count, locale),
  }));
  // The left line's label on the first row, the right line's on the second, each reading away from
  // its line (rightwards, unless the plot ends first). Each line runs down from its own label, so
  // the right line stops below the first row and never runs through the left line's label.
  const min = ttc.bins[0].startMs;
  const max = ttc.bins[ttc.bins.length - 1].endMs;
  const plotWidth = Math.max(1, ctx.width - 60);
  const marks = [
    { label: message('median', locale), ms: ttc.medianMs!, dash: [] as number[] },
    { label: message('mean', locale), ms: ttc.meanMs!, dash: [4, 3] },
  ]
    .sort((a, b) => a.ms - b.ms)
    .map((m, row) => {
      const text = `${m.label} ${formatDuration(m.ms, locale)}`;
      const roomRight = ((max - m.ms) / Math.max(1, max - min)) * plotWidth;
      const right = roomRight > text.length * 7 + 8;
      return { ...m, text, top: 10 + row * 14, rowTop: 4 + row * 14, align: right ? 'left' : 'right', dx: right ? 4 : -4 };
    });
  // Ticks at round durations (whole hours, days, weeks…), not at the bins' raw edges.
  const x = {
    type: 'quantitative',
    title: `${name(ttc.from)} → ${name(ttc.to)}`,
    axis: { formatType: DURATION_FORMAT, format: locale, values: durationTicks(min, max, Math.max(2, Math.floor(ctx.width / 90))), grid: false },
    scale: { zero: false, nice: false, domain: [min, max] },
  };
  return {
    ...base(ctx),
    datasets: { bins, marks },
    layer: [
      {
        data: { name: 'bins' },
        mark: { type: 'bar', binSpacing: 1 },
        encoding: {
          x: { field: 'start', bin: 'binned', ...x },
          x2: { field: 'end' },
          y: { field: 'count', type: 'quantitative', stack: null, title: message('entities', locale), axis: COUNT_AXIS },
          tooltip: [
            { field: 'range', title: message('timeToConvert', locale) },
            { field: 'count', type: 'quantitative', title: message('entities', locale), format: ',' },
            { field: 'share', title: message('share', locale) },
          ],
        },
      },
      {
        data: { name: 'marks' },
        mark: { type: 'rule', strokeWidth: 2, color: tokens.alert },
        encoding: {
          x: { field: 'ms', type: 'quantitative' },
          y: { field: 'rowTop', type: 'quantitative', scale: null },
          y2: { value: 'height' },
          strokeDash: { field: 'dash', type: 'nominal', scale: null, legend: null },
        },
      },
      {
        data: { name: 'marks' },
        mark: { type: 'text', align: { expr: 'datum.align' }, dx: { expr: 'datum.dx' }, fontSize: 11, fontWeight: 600, color: tokens.alert },
        encoding: {
          x: { field: 'ms', type: 'quantitative' },
          y: { field: 'top', type: 'quantitative', scale: null },
          text: { field: 'text' },
        },
      },
    ],
  } as TopLevelSpec;
}

function trendsSpec(vm: FunnelViewModel, ctx: SpecContext): TopLevelSpec {
  const { locale, tokens } = ctx;
  const trends = vm.trends;
  if (!trends || trends.points.every((p) => p.entered === 0)) return messageSpec(ctx, message(vm.aggregated ? 'needsEvents' : 'noConversions', locale));
  const points = trends.points.filter((p) => p.rate !== null);
  // The dashed line starts at the last complete point, so the two lines join.
  const lastComplete = points.reduce((at, p, i) => (p.incomplete ? at : i), -1);
  const series = points.map((p, i) => ({
    start: wallTime(p.period),
    period: p.period,
    rate: p.rate,
    rateText: formatPercent(p.rate!, locale),
    entered: p.entered,
    converted: p.converted,
    segment: p.incomplete ? 'open' : 'closed',
    status: p.incomplete ? message('incompleteHint', locale) : '',
    join: i === lastComplete,
  }));
  const lines = series.flatMap((p) => (p.join && lastComplete < series.length - 1 ? [p, { ...p, segment: 'open' }] : [p]));
  // Ticks on period starts (weeks start on Monday), thinned to what fits.
  const ticks = thin(series.map((p) => p.start), Math.max(2, Math.floor(ctx.width / 80))).map(utcDateTime);
  const x = { field: 'start', type: 'temporal', title: null, scale: { type: 'utc' }, axis: { grid: false, values: ticks, format: timeAxisFormat(locale) } };
  return {
    ...base(ctx),
    datasets: { lines, series },
    layer: [
      {
        data: { name: 'lines' },
        mark: { type: 'line', color: tokens.accent },
        encoding: {
          x,
          y: { field: 'rate', type: 'quantitative', title: message('conversionRate', locale), axis: { format: '.0%', tickCount: 5 } },
          detail: { field: 'segment' },
          strokeDash: { field: 'segment', type: 'nominal', scale: { domain: ['closed', 'open'], range: [[1, 0], [5, 4]] }, legend: null },
        },
      },
      {
        data: { name: 'series' },
        mark: { type: 'point', filled: true, size: 40, strokeWidth: 1.5, color: tokens.accent, stroke: tokens.accent },
        encoding: {
          x,
          y: { field: 'rate', type: 'quantitative' },
          fillOpacity: { condition: { test: "datum.segment === 'open'", value: 0 }, value: 1 },
          tooltip: [
            { field: 'period', title: message('period', locale) },
            { field: 'entered', type: 'quantitative', title: message('entered', locale), format: ',' },
            { field: 'converted', type: 'quantitative', title: message('converted', locale), format: ',' },
            { field: 'rateText', title: message('conversionRate', locale) },
            { field: 'status', title: message('incomplete', locale) },
          ],
        },
      },
    ],
  } as TopLevelSpec;
}

/**
 * Epoch ms as a Vega-Lite DateTime, for temporal axis `values`: Vega-Lite writes a bare number as
 * `datetime(ms)`, which vega-interpreter (the CSP-safe evaluator) reads as a year and draws no tick
 * (vega/vega#3632), and a UTC DateTime as `utc(…)`, which it evaluates like compiled code.
 */
function utcDateTime(ms: number) {
  const d = new Date(ms);
  return { utc: true, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, date: d.getUTCDate(), hours: d.getUTCHours(), minutes: d.getUTCMinutes() };
}

/** At most `max` of the values, evenly spaced, always keeping the first. */
/** A Vega expression: the largest `field` in the named dataset, 0 when it has none. */
const datasetMax = (dataset: string, field: string) => `(extent(pluck(data('${dataset}'), '${field}'))[1] || 0)`;

/** Tick steps that read as round durations: seconds, minutes, hours, days, weeks, months. */
const DURATION_STEPS = [1, 2, 5, 10, 15, 30].map((n) => n * 1000)
  .concat([1, 2, 5, 10, 15, 30].map((n) => n * 60_000))
  .concat([1, 2, 3, 6, 12].map((n) => n * 3_600_000))
  .concat([1, 2, 5, 7, 14, 30, 60, 90, 180, 365].map((n) => n * 86_400_000));

/**
 * At most `count` ticks across [min, max] at multiples of the smallest round duration step that
 * keeps them that few: 0, 7, 14, 21 days rather than 5.7, 30.4, 55.
 */
export function durationTicks(min: number, max: number, count: number): number[] {
  const span = Math.max(0, max - min);
  const year = DURATION_STEPS[DURATION_STEPS.length - 1];
  const step = DURATION_STEPS.find((s) => span / s <= count) ?? Math.ceil(span / count / year) * year;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max; t += step) ticks.push(t);
  return ticks;
}

function thin<T>(values: T[], max: number): T[] {
  const step = Math.ceil(values.length / max);
  return values.filter((_, i) => i % step === 0);
}
