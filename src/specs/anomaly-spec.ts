/**
 * `<anomaly-chart>` spec: a metric over time checked against alert rules, Grafana's way. The
 * series as a line, area or bars (null values are gaps, never zero), threshold steps as solid or
 * dashed lines and/or shaded bands, bound rules as lines in their severity's colour, baseline
 * bands with the expected value, breaching points coloured by severity and alert intervals shaded
 * behind. Several series are overlaid or drawn as small multiples; an overview strip below
 * brushes the time axis of the panels above (double-click resets), and a `zoom` parameter lets
 * the element zoom from the keyboard. Values read in the measure's unit (`14%`, `¥1,200`).
 *
 * One view, not a concatenation: the panels and the strip are layers whose scales' ranges are
 * bands of the view's height, so the spec's only sizes are its top-level width and height, and a
 * resize (or new data: every domain is in the `domains` dataset) updates the view in place.
 * @module
 */
import type { TopLevelSpec } from 'vega-lite';
import type { AnomalyViewModel } from '../analytics/anomaly/view-model.js';
import { anomalyData, anomalySets, type AnomalyData, type AnomalyLayout, type AnomalySets, type AnomalyStyle } from './anomaly-data.js';
import { anomalyTimeFormat, anomalyVegaLocale, seriesName, valueAxisExtent, valueAxisLabels } from './anomaly-format.js';
import { panelLayers } from './anomaly-layers.js';
import { seriesKey } from './group-names.js';
import type { SpecContext } from './spec-context.js';

export { HIT_MARK, BAR_MARK } from './anomaly-layers.js';

export interface AnomalySpecOptions {
  /** Overrides the contract's `display.layout` (the element's `layout` attribute). */
  layout?: AnomalyLayout;
}

/** Fewer points than this get no overview strip: there is nothing to zoom into. */
export const BRUSH_MIN_POINTS = 3;
/** Gap between panels, a panel title's room, the overview strip's height and the time axis' room, px. */
const GAP = 10;
const TITLE_HEIGHT = 16;
const OVERVIEW_HEIGHT = 28;
const TIME_AXIS = 20;

/** The layout drawn: small multiples only with more than one series. */
export function effectiveLayout(vm: AnomalyViewModel, layout?: AnomalyLayout): AnomalyLayout {
  return (layout ?? vm.display.layout) === 'multiples' && vm.series.length > 1 ? 'multiples' : 'overlay';
}

/** Whether the chart gets an overview strip to brush. */
export const hasBrush = (vm: AnomalyViewModel) => Math.max(0, ...vm.series.map((s) => s.points.filter((p) => p.value !== null).length)) >= BRUSH_MIN_POINTS;

/** The least height the chart needs for its panels to stay legible. */
export function anomalyMinHeight(vm: AnomalyViewModel, layout?: AnomalyLayout): number {
  const panels = effectiveLayout(vm, layout) === 'multiples' ? vm.series.length : 1;
  return panels * (panels > 1 ? 60 + TITLE_HEIGHT + GAP : 100) + (hasBrush(vm) ? OVERVIEW_HEIGHT : 0) + TIME_AXIS + 8;
}

/** d3's nice step for about `count` ticks over `span`: 1, 2 or 5 times a power of ten. */
function niceStep(span: number, count: number): number {
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const error = raw / power;
  return power * (error >= 7.5 ? 10 : error >= 3.5 ? 5 : error >= 1.5 ? 2 : 1);
}

/**
 * The value range a panel shows: its series, bands and the threshold lines near them (a line far
 * beyond the data would flatten it), from zero for bars and areas, padded a little and rounded
 * out to nice ticks (here, not by Vega: steps are shaded up to these very edges).
 */
export function valueDomain(data: AnomalyData, keys: ReadonlySet<string>, style: AnomalyStyle): [number, number] {
  const mine = (s: string) => keys.has(s);
  const values = [
    ...data.points.filter((p) => mine(p.s) && p.value !== null).map((p) => p.value!),
    ...data.bands.filter((b) => mine(b.s)).flatMap((b) => [b.lower, b.upper, b.expected].filter((v): v is number => v !== null)),
  ];
  if (!values.length) return [0, 1];
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  const span = hi - lo || Math.abs(hi) || 1;
  const edges = [...data.lines.filter((l) => l.s === '*' || mine(l.s)).map((l) => l.y), ...data.areas.filter((a) => a.s === '*' || mine(a.s)).flatMap((a) => [a.y0, a.y1])];
  for (const y of edges) {
    if (Number.isFinite(y) && y >= lo - span && y <= hi + span) {
      lo = Math.min(lo, y);
      hi = Math.max(hi, y);
    }
  }
  if (style !== 'line') {
    lo = Math.min(lo, 0);
    hi = Math.max(hi, 0);
  }
  const pad = (hi - lo || span) * 0.05;
  // Padding never crosses zero: a rate or a count is not drawn below 0.
  lo = lo >= 0 ? Math.max(0, lo - pad) : lo - pad;
  hi = hi <= 0 ? Math.min(0, hi + pad) : hi + pad;
  const step = niceStep(hi - lo, 5);
  return [Math.floor(lo / step) * step, Math.ceil(hi / step) * step];
}

/** The time range, and panel `i`'s value range, read from the `domains` dataset. */
const X_DOMAIN = "[data('domains')[0].x0, data('domains')[0].x1]";
const yDomain = (i: number) => `[data('domains')[${i}].y0, data('domains')[${i}].y1]`;
const ALL_Y = "[data('domains')[0].lo, data('domains')[0].hi]";

export function buildAnomalySpec(vm: AnomalyViewModel, ctx: SpecContext, options: AnomalySpecOptions = {}): TopLevelSpec {
  const { locale, tokens } = ctx;
  const layout = effectiveLayout(vm, options.layout);
  const style = vm.display.style;
  const data = anomalyData(vm, ctx, layout);
  const sets = anomalySets(vm);
  const keys = vm.series.map((_, i) => seriesKey(i));
  const panels = layout === 'multiples' ? keys.map((k) => new Set([k])) : [new Set(keys)];
  const domains = panels.map((p) => valueDomain(data, p, style));
  const brush = hasBrush(vm);
  const extent = valueAxisExtent(vm.format);
  const n = panels.length;
  const title = layout === 'multiples' ? TITLE_HEIGHT : 0;
  // Panels from the top, each `panelHeight` tall under its title; the time axis and the strip below.
  const below = brush ? TIME_AXIS + OVERVIEW_HEIGHT : 0;
  const top = (i: number) => `${title} + ${i} * (panelHeight + ${GAP + title})`;
  const bottom = (i: number) => `${top(i)} + panelHeight`;
  const x = {
    field: 't',
    type: 'temporal',
    title: null,
    scale: { type: 'utc', domain: { expr: X_DOMAIN }, domainRaw: { expr: brush ? 'zoom || brush["t"]' : 'zoom' } },
    axis: { format: anomalyTimeFormat(locale), grid: false, labelOverlap: true, labelFlush: true, tickCount: { expr: 'max(2, floor(width / 90))' }, offset: -below },
  };
  const y = (i: number) => ({
    field: 'value',
    type: 'quantitative',
    title: null,
    scale: { domain: { expr: yDomain(i) }, range: [{ expr: bottom(i) }, { expr: top(i) }], zero: false, nice: false },
    axis: { orient: 'left', ...valueAxisLabels(vm.format), labelLimit: extent - 6, tickCount: { expr: 'max(2, min(6, floor(panelHeight / 36)))' }, minExtent: extent, maxExtent: extent },
  });
  const dash = vm.display.thresholds === 'dashed' || vm.display.thresholds === 'dashed+area';
  const charts = panels.map((panel, i) => {
    const filter = `indexof(${JSON.stringify([...panel])}, datum.s) >= 0`;
    // The panels share the time scale and axis: the first declares them.
    const xi = i === 0 ? x : { field: 't', type: 'temporal', title: null };
    return { layer: [...panelLayers(ctx, { filter, index: i, top: top(i), bottom: bottom(i), id: String(i), style, dash, scales: { x: xi, y: y(i) }, sets }), panelTitle(i, top(i), layout, tokens.text)] };
  });
  const all = domains.reduce<[number, number]>((d, p) => [Math.min(d[0], p[0]), Math.max(d[1], p[1])], [Infinity, -Infinity]);
  const main = { layer: charts, resolve: { scale: { y: 'independent' }, axis: { y: 'independent' } } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: ctx.width,
    height: ctx.height,
    autosize: { type: 'fit', contains: 'padding' },
    // The contract currency's symbol for d3's `$`; the rest is the widget locale's.
    config: { locale: anomalyVegaLocale(vm.format, locale) },
    params: [
      { name: 'zoom', value: null },
      { name: 'panelHeight', expr: `max(24, (height - ${below + (n - 1) * (GAP + title) + title}) / ${n})` },
    ],
    datasets: datasetsOf(data, sets, panels, domains, all, vm.series.map((s) => seriesName(vm, s, locale))),
    // The strip first: its brush's full-height rect then lies under the panels' marks.
    layer: brush ? [overview(sets, tokens), main] : [main],
    resolve: { scale: { x: 'independent', y: 'independent' }, axis: { x: 'independent', y: 'independent' } },
  } as unknown as TopLevelSpec;
}

/** A small multiple's title (the series' name, from the `domains` dataset); in one panel, an empty text that keeps that dataset read. */
function panelTitle(i: number, top: string, layout: AnomalyLayout, color: string) {
  return {
    name: `title_${i}`,
    data: { name: 'domains' },
    transform: [{ filter: `datum.panel === ${i}` }],
    mark: { type: 'text', align: 'left', baseline: 'bottom', fontSize: 11, fontWeight: 600, color, limit: 300 },
    encoding: { x: { value: 0 }, y: { value: { expr: `${top} - 3` } }, text: { field: layout === 'multiples' ? 'name' : 'none' } },
  };
}

/**
 * The datasets: the series; what the rules call for, even when empty (a named dataset no layer
 * reads is dropped by Vega-Lite, and a later data update would fail); threshold lines and steps
 * per panel, within its range (steps clamped to it, lines beyond it left out); each panel's domains.
 */
function datasetsOf(data: AnomalyData, sets: AnomalySets, panels: Array<Set<string>>, domains: Array<[number, number]>, [lo, hi]: [number, number], names: string[]): Record<string, object[]> {
  const perPanel = <T extends { s: string }>(rows: T[]) => panels.flatMap((keys, p) => rows.filter((r) => r.s === '*' || keys.has(r.s)).map((r) => ({ ...r, p })));
  const within = (v: number, p: number) => Math.max(domains[p][0], Math.min(domains[p][1], v));
  return {
    series: data.points,
    ...(sets.bands ? { bands: data.bands } : {}),
    ...(sets.lines ? { lines: perPanel(data.lines).filter((l) => l.y >= domains[l.p][0] && l.y <= domains[l.p][1]) } : {}),
    ...(sets.areas ? { areas: perPanel(data.areas).map((a) => ({ ...a, y0: within(a.y0, a.p), y1: within(a.y1, a.p) })).filter((a) => a.y1 > a.y0) } : {}),
    ...(sets.intervals ? { intervals: data.intervals } : {}),
    domains: domains.map(([y0, y1], panel) => ({ panel, name: names[panel] ?? '', none: '', x0: data.xDomain[0], x1: data.xDomain[1], y0, y1, lo, hi })),
  };
}

/**
 * The strip under the panels: every series small over the whole range, alert intervals behind,
 * and the brush, which only starts (or moves) in the strip; its own band shows what is selected.
 */
function overview(sets: AnomalySets, tokens: SpecContext['tokens']) {
  // Event filters see no signals (not even `height` under the expression interpreter): the
  // strip is found from the height of the group under the pointer (the view's own, where no
  // interactive mark is: Vega-Lite leaves most marks non-interactive).
  // (No `?:` here: a colon ends an event selector's source.)
  const here = `event.item && y() >= (event.item.mark.group || event.item).height - ${OVERVIEW_HEIGHT}`;
  const inStrip = `[pointerdown[${here}], window:pointerup] > window:pointermove!`;
  const x = { field: 't', type: 'temporal', title: null, scale: { type: 'utc', domain: { expr: X_DOMAIN } }, axis: null };
  const y = { field: 'value', type: 'quantitative', title: null, stack: null, scale: { domain: { expr: ALL_Y }, range: [{ expr: 'height - 2' }, { expr: `height - ${OVERVIEW_HEIGHT - 2}` }], zero: false, nice: false }, axis: null };
  const strip = { y: { value: { expr: `height - ${OVERVIEW_HEIGHT}` } }, y2: { value: 'height' } };
  const color = (field: string) => ({ field, type: 'nominal', scale: null, legend: null });
  const selected = 'length(brush_x) === 2 && brush_x[0] !== brush_x[1]';
  return {
    layer: [
      { name: 'strip', data: { values: [{}] }, mark: { type: 'rect', fill: tokens.grid, opacity: 0.35 }, encoding: { x: { value: 0 }, x2: { value: 'width' }, ...strip } },
      ...(sets.intervals ? [{ data: { name: 'intervals' }, mark: { type: 'rect', opacity: 0.25, clip: true }, encoding: { x: { field: 'x0', type: 'temporal', title: null, axis: null }, x2: { field: 'x1' }, ...strip, fill: color('color') } }] : []),
      // Under the brush's own (transparent) rect, which takes the pointer to move the brush.
      {
        data: { values: [{}] },
        mark: { type: 'rect', fill: tokens.accent, fillOpacity: 0.18, stroke: tokens.accent, strokeOpacity: { expr: `${selected} ? 0.7 : 0` }, opacity: { expr: `${selected} ? 1 : 0` } },
        encoding: { x: { value: { expr: 'brush_x[0] || 0' } }, x2: { value: { expr: 'brush_x[1] || 0' } }, ...strip },
      },
      {
        name: 'overview',
        data: { name: 'series' },
        params: [
          {
            name: 'brush',
            select: { type: 'interval', encodings: ['x'], on: inStrip, translate: inStrip, zoom: `wheel![${here}]`, mark: { fillOpacity: 0, strokeOpacity: 0, cursor: 'default' } },
          },
        ],
        mark: { type: 'line', strokeWidth: 1, clip: true },
        encoding: { x, y, stroke: color('color'), detail: { field: 's' } },
      },
    ],
  };
}
