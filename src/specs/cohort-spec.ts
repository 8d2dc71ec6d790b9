/**
 * `<cohort-chart>` specs, one per view:
 * - `heatmap`: the retention triangle, one row per cohort (its size in a column of its own) and
 *   one column per period since the cohort's, the weighted mean row on top. Fills come from the
 *   theme's ramp (heat-colors.ts) and each cell's text colour is picked for 4.5:1 contrast on its
 *   fill; incomplete cells are faded with a dashed border; periods not begun are not drawn;
 * - `curve`: one retention curve per cohort (incomplete tails dashed) under the emphasised mean
 *   curve; with a breakdown and no group chosen, one mean curve per group instead.
 * The element lays keyboard-reachable buttons over the heatmap cells from the view's band scales.
 * @module
 */
import type { TopLevelSpec } from 'vega-lite';
import type { CohortCell, CohortMean, CohortRow, CohortViewModel } from '../analytics/cohort/view-model.js';
import type { FormatOptions } from '../analytics/contract.js';
import { formatCurrency, formatNumber, formatPercent } from './format.js';
import { groupName, seriesKey, seriesLabelExpr } from './group-names.js';
import { heatFill, inkFor, mix } from './heat-colors.js';
import { message, offsetLabel } from './messages.js';
import type { SpecContext } from './spec-context.js';

export type CohortView = 'heatmap' | 'curve';
/** `cohort`: % of the cohort (`rate`); `previous`: % of the period before (`ratePrevious`). */
export type CohortMetric = 'cohort' | 'previous';
/** Cell text: the metric in percent, or the count (or sum) behind it. */
export type CohortDisplay = 'percent' | 'count';

/** The `group` value that picks every cohort (heatmap) or compares the groups' means (curve). */
export const ALL_GROUPS = '*';

export interface CohortSpecOptions {
  view: CohortView;
  metric: CohortMetric;
  display: CohortDisplay;
  /** A breakdown value, {@link ALL_GROUPS}, or unset (heatmap: the first group; curve: compare). */
  group?: string | null;
  /** The contract's number format, for sums. */
  format?: FormatOptions;
}

/** What a `group` choice shows. */
export interface CohortSelection {
  /** The breakdown value shown; null for every cohort (no breakdown, or all groups). */
  group: string | null;
  cohorts: CohortRow[];
  mean: CohortMean[];
  /** The curve view draws one mean curve per group. */
  compare: boolean;
}

/** `group` unset (undefined, or null once the attribute is removed): the view's default. */
export function selectCohorts(vm: CohortViewModel, view: CohortView, group: string | null | undefined): CohortSelection {
  const groups = vm.breakdown?.length ? vm.breakdown : null;
  const all = { group: null, cohorts: vm.cohorts, mean: vm.mean };
  if (!groups) return { ...all, compare: false };
  if (group === ALL_GROUPS || (group == null && view === 'curve')) return { ...all, compare: view === 'curve' };
  const chosen = groups.find((g) => g.value === group) ?? groups[0];
  return { group: chosen.value, cohorts: chosen.cohorts, mean: chosen.mean, compare: false };
}

/** A cell's figure under the metric: its rate, or its rate of the period before (null: none). */
export function metricValue(cell: Pick<CohortCell, 'rate' | 'ratePrevious'>, metric: CohortMetric): number | null {
  return metric === 'previous' ? cell.ratePrevious : cell.rate;
}

/** The mean row's cells as cells: weighted rate, the mean curve's change, count per cohort. */
export function meanCells(mean: CohortMean[]): Array<Pick<CohortCell, 'period' | 'count' | 'rate' | 'ratePrevious'>> {
  return mean
    .filter((m) => m.rate !== null)
    .map((m) => {
      const before = mean[m.period - 1]?.rate;
      return { period: m.period, count: m.cohorts ? m.count / m.cohorts : 0, rate: m.rate!, ratePrevious: before ? m.rate! / before : null };
    });
}

/** The text a cell shows: its metric in percent, or its count (a sum in the contract's format). */
export function cellText(
  cell: Pick<CohortCell, 'count' | 'rate' | 'ratePrevious'>,
  options: Pick<CohortSpecOptions, 'metric' | 'display' | 'format'>,
  measure: CohortViewModel['measure'],
  locale: string,
): string {
  if (options.display === 'count') {
    return measure === 'sum' ? formatCurrency(cell.count, locale, { compact: true, ...options.format }) : formatNumber(cell.count, locale, { maximumFractionDigits: 1 });
  }
  const value = metricValue(cell, options.metric);
  return value === null ? '–' : formatPercent(value, locale);
}

/** The cells drawn for a cohort: none for an empty one (its rates would read 0%, not "no one"). */
export const drawnCells = (c: CohortRow): CohortCell[] => (c.size > 0 ? c.cells : []);

/** The y-band of the mean row. */
export const meanLabel = (locale: string) => message('mean', locale);

/** The x-bands: the size column, then one per period. */
export function cohortColumns(vm: CohortViewModel, locale: string): string[] {
  return [message('size', locale), ...Array.from({ length: vm.periods }, (_, k) => offsetLabel(vm.period, k, locale))];
}

/**
 * The top of the colour scale: the largest figure shown after period 0 (which is 100% of the
 * cohort by definition, and drawn full), so the rates that differ use the whole ramp; 100% when
 * there is none.
 */
export function colorTop(selection: CohortSelection, metric: CohortMetric): number {
  const later = (cells: Array<Pick<CohortCell, 'period' | 'rate' | 'ratePrevious'>>) => cells.filter((c) => c.period > 0).map((c) => metricValue(c, metric) ?? 0);
  return Math.max(0, ...selection.cohorts.flatMap((c) => later(drawnCells(c))), ...later(meanCells(selection.mean))) || 1;
}

export function buildCohortSpec(vm: CohortViewModel, ctx: SpecContext, options: CohortSpecOptions): TopLevelSpec {
  const selection = selectCohorts(vm, options.view, options.group);
  return options.view === 'curve' ? curveSpec(vm, selection, ctx, options) : heatmapSpec(vm, selection, ctx, options);
}

const base = (ctx: SpecContext) => ({
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  width: ctx.width,
  height: ctx.height,
  autosize: { type: 'fit', contains: 'padding' },
});

/** Tooltip fields every cell and point carries. */
function tooltip(vm: CohortViewModel, locale: string) {
  return [
    { field: 'rowLabel', title: message('cohort', locale) },
    { field: 'columnLabel', title: message('period', locale) },
    { field: 'rateText', title: message('ofCohort', locale) },
    { field: 'previousText', title: message('ofPrevious', locale) },
    { field: 'countText', title: message(vm.measure === 'sum' ? 'value' : 'entities', locale) },
    { field: 'status', title: message('incomplete', locale) },
  ];
}

/** The figures of one cell (or mean cell) as datum fields, for tooltips and the click. */
function figures(cell: Pick<CohortCell, 'count' | 'rate' | 'ratePrevious'>, vm: CohortViewModel, locale: string, format?: FormatOptions) {
  return {
    rateText: formatPercent(cell.rate, locale),
    previousText: cell.ratePrevious === null ? '–' : formatPercent(cell.ratePrevious, locale),
    countText: vm.measure === 'sum' ? formatCurrency(cell.count, locale, format) : formatNumber(cell.count, locale, { maximumFractionDigits: 1 }),
  };
}

function heatmapSpec(vm: CohortViewModel, selection: CohortSelection, ctx: SpecContext, options: CohortSpecOptions): TopLevelSpec {
  const { locale, tokens } = ctx;
  const columns = cohortColumns(vm, locale);
  const mean = meanCells(selection.mean);
  const top = colorTop(selection, options.metric);
  const neutral = mix(tokens.background, tokens.text, 0.08);
  const cell = (c: Pick<CohortCell, 'period' | 'count' | 'rate' | 'ratePrevious'>, rowLabel: string, row: number, incomplete: boolean) => {
    const value = metricValue(c, options.metric);
    const fill = value === null ? neutral : heatFill(value / top, tokens, incomplete);
    return {
      kind: row < 0 ? 'mean' : 'cell',
      row,
      period: c.period,
      rowLabel,
      columnLabel: columns[c.period + 1],
      text: cellText(c, options, vm.measure, locale),
      fill,
      ink: inkFor(fill, tokens),
      incomplete,
      status: incomplete ? message('periodOpen', locale) : '',
      ...figures(c, vm, locale, options.format),
    };
  };
  const meanRow = meanLabel(locale);
  const cells = [
    ...mean.map((m) => cell(m, meanRow, -1, false)),
    ...selection.cohorts.flatMap((c, i) => drawnCells(c).map((x) => cell(x, c.cohort, i, x.incomplete))),
  ];
  const sizes = [
    { rowLabel: meanRow, columnLabel: columns[0], text: formatNumber(selection.cohorts.reduce((n, c) => n + c.size, 0), locale) },
    ...selection.cohorts.map((c) => ({ rowLabel: c.cohort, columnLabel: columns[0], text: formatNumber(c.size, locale) })),
  ];
  const rows = [meanRow, ...selection.cohorts.map((c) => c.cohort)];
  // Text only where a cell has room for "100.0%" at 11px.
  const roomForText = (ctx.width - 110) / columns.length >= 34 && (ctx.height - 30) / rows.length >= 14;
  // Few cohorts or periods keep cells of a readable size, from the top left, rather than fill the box.
  const band = (length: number, count: number, most: number) => ({ paddingInner: 0.06, paddingOuter: Math.max(0, (length / most - count + 0.06) / 2), align: 0 });
  const text = (kind: string, weight: number) => ({
    data: { name: 'cells' },
    transform: [{ filter: `datum.kind === '${kind}'` }],
    mark: { type: 'text', fontSize: 11, fontWeight: weight, cursor: 'pointer' },
    encoding: { text: { field: 'text' }, color: { field: 'ink', type: 'nominal', scale: null }, tooltip: tooltip(vm, locale) },
  });
  return {
    ...base(ctx),
    datasets: { cells, sizes },
    encoding: {
      x: { field: 'columnLabel', type: 'ordinal', sort: columns, title: null, scale: band(ctx.width - 110, columns.length, 120), axis: { orient: 'top', labelAngle: 0, ticks: false, domain: false, labelOverlap: true } },
      y: {
        field: 'rowLabel',
        type: 'ordinal',
        sort: rows,
        title: null,
        scale: band(ctx.height - 24, rows.length, 36),
        axis: { ticks: false, domain: false, labelColor: tokens.text, labelFontWeight: { condition: { test: `datum.value === ${JSON.stringify(meanRow)}`, value: 700 }, value: 400 } },
      },
    },
    layer: [
      {
        data: { name: 'cells' },
        mark: { type: 'rect', cornerRadius: 2, strokeWidth: 1.5, strokeDash: [3, 2], cursor: 'pointer' },
        encoding: {
          fill: { field: 'fill', type: 'nominal', scale: null },
          stroke: { condition: { test: 'datum.incomplete', value: tokens.muted }, value: null },
          tooltip: tooltip(vm, locale),
        },
      },
      ...(roomForText ? [text('cell', 400), text('mean', 700)] : []),
      { data: { name: 'sizes' }, mark: { type: 'text', fontSize: 11, color: tokens.text }, encoding: { text: { field: 'text' } } },
    ],
  } as TopLevelSpec;
}

function curveSpec(vm: CohortViewModel, selection: CohortSelection, ctx: SpecContext, options: CohortSpecOptions): TopLevelSpec {
  const { locale, tokens } = ctx;
  const columns = cohortColumns(vm, locale).slice(1);
  const point = (c: Pick<CohortCell, 'period' | 'count' | 'rate' | 'ratePrevious'>, rowLabel: string, incomplete: boolean) => ({
    rowLabel,
    columnLabel: columns[c.period],
    value: metricValue(c, options.metric),
    incomplete,
    segment: incomplete ? 'open' : 'closed',
    status: incomplete ? message('periodOpen', locale) : '',
    ...figures(c, vm, locale, options.format),
  });
  // A set domain (0 to 100%, or the largest figure) also keeps a view with no points from warning.
  const y = (points: Array<{ value: number | null }>) => ({
    field: 'value',
    type: 'quantitative',
    title: message(options.metric === 'previous' ? 'ofPrevious' : 'ofCohort', locale),
    scale: { domain: [0, Math.max(1, ...points.map((p) => p.value ?? 0))] },
    axis: { format: '.0%', tickCount: 5 },
  });
  const x = { field: 'columnLabel', type: 'ordinal', sort: columns, title: null, axis: { labelAngle: 0, labelOverlap: true, grid: false } };
  const drawn = { filter: 'datum.value !== null' };
  if (selection.compare) {
    const groups = vm.breakdown!;
    const names = groups.map((g) => groupName(g.value, true, locale));
    const means = groups.flatMap((g, gi) => meanCells(g.mean).map((m) => ({ ...point(m, `${names[gi]} · ${meanLabel(locale)}`, false), groupKey: seriesKey(gi) })));
    const keys = groups.map((_, gi) => seriesKey(gi));
    // The legend wraps to rows of what fits; past the palette's colours, lines are dashed.
    const legend = { orient: 'top', direction: 'horizontal', columns: Math.max(1, Math.floor(ctx.width / 130)), labelLimit: 120, symbolType: 'stroke', labelExpr: seriesLabelExpr(names) };
    const color = { field: 'groupKey', type: 'nominal', sort: keys, title: null, legend };
    const dashes = keys.map((_, gi) => [[1, 0], [6, 3], [2, 2]][Math.floor(gi / Math.max(1, tokens.series.length)) % 3]);
    const strokeDash = { field: 'groupKey', type: 'nominal', sort: keys, title: null, scale: { domain: keys, range: dashes }, legend };
    return {
      ...base(ctx),
      datasets: { means },
      data: { name: 'means' },
      transform: [drawn],
      encoding: { x, y: y(means), color, strokeDash },
      layer: [
        { mark: { type: 'line', strokeWidth: 2.5 } },
        { mark: { type: 'point', filled: true, size: 36 }, encoding: { tooltip: tooltip(vm, locale) } },
      ],
    } as TopLevelSpec;
  }
  const curves = selection.cohorts.flatMap((c) => {
    const points = drawnCells(c).map((cell) => point(cell, c.cohort, cell.incomplete));
    // The dashed tail starts at the last complete point, so the two lines join.
    const join = points.findLastIndex((p) => !p.incomplete);
    return join >= 0 && join < points.length - 1 ? [...points, { ...points[join], segment: 'open' }] : points;
  });
  const mean = meanCells(selection.mean).map((m) => point(m, meanLabel(locale), false));
  return {
    ...base(ctx),
    datasets: { curves, mean },
    encoding: { x, y: y([...curves, ...mean]) },
    layer: [
      {
        data: { name: 'curves' },
        transform: [drawn],
        mark: { type: 'line', color: tokens.muted, strokeWidth: 1.2, opacity: 0.55 },
        encoding: {
          detail: [{ field: 'rowLabel' }, { field: 'segment' }],
          strokeDash: { field: 'segment', type: 'nominal', scale: { domain: ['closed', 'open'], range: [[1, 0], [4, 3]] }, legend: null },
        },
      },
      {
        data: { name: 'curves' },
        transform: [drawn],
        mark: { type: 'point', filled: true, size: 16, color: tokens.muted, opacity: 0.7 },
        encoding: { tooltip: tooltip(vm, locale) },
      },
      { data: { name: 'mean' }, transform: [drawn], mark: { type: 'line', color: tokens.accent, strokeWidth: 4 } },
      {
        data: { name: 'mean' },
        transform: [drawn],
        mark: { type: 'point', filled: true, size: 60, color: tokens.accent },
        encoding: { tooltip: tooltip(vm, locale) },
      },
    ],
  } as TopLevelSpec;
}
