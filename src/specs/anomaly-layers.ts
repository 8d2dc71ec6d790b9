/**
 * The layers of one `<anomaly-chart>` panel, back to front: shaded threshold steps, alert
 * intervals and their labels, baseline bands with the expected line, threshold lines, the series
 * (line, area or bars), dots for lone points, breaching points by severity, and the invisible
 * hit targets that carry the tooltip and the click. Colours come in the data (`scale: null`), so
 * no layer's colour scale can clash with another's.
 * @module
 */
import type { AnomalySets, AnomalyStyle } from './anomaly-data.js';
import type { SpecContext } from './spec-context.js';

/** The mark names the element looks for in the scenegraph (Vega-Lite adds `_marks`). */
export const HIT_MARK = 'hits';
export const BAR_MARK = 'bars';

type Layer = Record<string, unknown>;

export interface PanelScales {
  x: Record<string, unknown>;
  y: Record<string, unknown>;
}

export interface PanelOptions {
  /** Which series this panel draws: a Vega expression over `datum.s`. */
  filter: string;
  /** The panel's index: threshold lines and steps are laid out per panel (`datum.p`). */
  index: number;
  /** Vega expressions for the panel's top and bottom edge, px. */
  top: string;
  bottom: string;
  /** Unique among the panels, for the mark names. */
  id: string;
  style: AnomalyStyle;
  dash: boolean;
  scales: PanelScales;
  /** Which of the rules' datasets there are. */
  sets: AnomalySets;
}

const nominal = (field: string) => ({ field, type: 'nominal', scale: null, legend: null });
const tooltip = { expr: 'datum.tip' };

/** The layers of a panel, leaving out those with nothing to draw (a named dataset nobody reads is dropped by Vega-Lite). */
export function panelLayers(ctx: SpecContext, o: PanelOptions): Layer[] {
  const { tokens } = ctx;
  const where = { filter: o.filter };
  const mine = { filter: `datum.p === ${o.index}` };
  const band = { y: { value: { expr: o.top } }, y2: { value: { expr: o.bottom } } };
  const x = o.scales.x;
  const y = o.scales.y;
  // Channels after the first layer's share its scale and axis.
  const xAt = (field: string) => ({ ...x, field });
  const yAt = (field: string) => ({ ...y, field });
  const layers: Array<Layer | false> = [
    o.sets.areas && {
      name: `steps_${o.id}`,
      data: { name: 'areas' },
      transform: [mine],
      mark: { type: 'rect', opacity: 0.1, clip: true },
      encoding: { y: yAt('y0'), y2: { field: 'y1' }, fill: nominal('color') },
    },
    o.sets.intervals && {
      name: `intervals_${o.id}`,
      data: { name: 'intervals' },
      transform: [where],
      mark: { type: 'rect', opacity: 0.16, clip: true, tooltip },
      encoding: { x: xAt('x0'), x2: { field: 'x1' }, ...band, fill: nominal('color') },
    },
    o.sets.intervals && {
      data: { name: 'intervals' },
      transform: [where],
      // Stacked by rule from the top, so overlapping intervals' labels do not overprint. In the
      // text colour: over the interval's tint (and a threshold area) the muted grey falls below 4.5:1.
      mark: { type: 'text', align: { expr: "datum.right ? 'right' : 'left'" }, baseline: 'top', dx: { expr: 'datum.right ? -3 : 3' }, dy: { expr: 'datum.row * 12' }, fontSize: 10, limit: 140, color: tokens.text, clip: true },
      encoding: { x: xAt('lx'), y: { value: { expr: `${o.top} + 2` } }, text: { field: 'label' } },
    },
    o.sets.bands && {
      name: `band_${o.id}`,
      data: { name: 'bands' },
      transform: [where],
      mark: { type: 'area', opacity: 0.14, clip: true },
      encoding: { x: xAt('t'), y: { ...yAt('lower'), stack: null }, y2: { field: 'upper' }, fill: nominal('color'), detail: [{ field: 's' }, { field: 'rule' }] },
    },
    o.sets.bands && {
      name: `expected_${o.id}`,
      data: { name: 'bands' },
      transform: [where],
      mark: { type: 'line', strokeWidth: 1, strokeDash: [3, 3], opacity: 0.8, clip: true },
      encoding: { x: xAt('t'), y: { ...yAt('expected'), stack: null }, stroke: nominal('color'), detail: [{ field: 's' }, { field: 'rule' }] },
    },
    o.sets.lines && {
      name: `thresholds_${o.id}`,
      data: { name: 'lines' },
      transform: [mine],
      mark: { type: 'rule', strokeWidth: 1.5, clip: true, ...(o.dash ? { strokeDash: [6, 4] } : {}) },
      encoding: { y: yAt('y'), stroke: nominal('color') },
    },
    ...seriesLayers(o, xAt, yAt),
    {
      name: `breaches_${o.id}`,
      data: { name: 'series' },
      transform: [where, { filter: 'datum.mark !== null && datum.value !== null' }],
      mark: { type: 'point', shape: 'circle', filled: true, size: 64, opacity: 1, stroke: tokens.background, strokeWidth: 1, clip: true },
      encoding: { x: xAt('t'), y: yAt('value'), fill: nominal('mark') },
    },
    {
      name: `${HIT_MARK}_${o.id}`,
      data: { name: 'series' },
      transform: [where, { filter: 'datum.value !== null' }],
      mark: { type: 'point', shape: 'circle', filled: true, size: 280, opacity: 0, cursor: 'pointer', tooltip, clip: true },
      encoding: { x: xAt('t'), y: yAt('value') },
    },
  ];
  return shareScales(layers.filter((l): l is Layer => l !== false));
}

/**
 * The scale and axis of x and y stay on one layer, the first that draws the channel without its
 * range partner (`x2`, `y2`): Vega-Lite merges them into the panel's shared scales, and reads a
 * domain given twice, or beside a range channel, as a conflict.
 */
function shareScales(layers: Layer[]): Layer[] {
  const encodings = layers.map((l) => ({ ...(l.encoding as Record<string, Record<string, unknown>>) }));
  for (const channel of ['x', 'y']) {
    const owner = encodings.findIndex((e) => e[channel] && 'field' in e[channel] && !e[`${channel}2`]);
    encodings.forEach((e, i) => {
      if (i === owner || !e[channel] || !('field' in e[channel])) return;
      const { scale: _scale, axis: _axis, ...rest } = e[channel];
      e[channel] = rest;
    });
  }
  return layers.map((layer, i) => ({ ...layer, encoding: encodings[i] }));
}

function seriesLayers(o: PanelOptions, xAt: (f: string) => object, yAt: (f: string) => object): Layer[] {
  const where = { filter: o.filter };
  const y = { ...yAt('value'), stack: null };
  if (o.style === 'bars') {
    return [
      {
        name: `${BAR_MARK}_${o.id}`,
        data: { name: 'series' },
        transform: [where, { filter: 'datum.value !== null' }],
        mark: { type: 'bar', cursor: 'pointer', tooltip, clip: true },
        encoding: { x: xAt('x0'), x2: { field: 'x1' }, y, y2: { datum: 0 }, fill: nominal('color') },
      },
    ];
  }
  const line = {
    name: `line_${o.id}`,
    data: { name: 'series' },
    transform: [where],
    mark: { type: 'line', strokeWidth: 2, clip: true },
    encoding: { x: xAt('t'), y, stroke: nominal('color'), detail: { field: 's' } },
  };
  const dots = {
    data: { name: 'series' },
    transform: [where, { filter: 'datum.isolated' }],
    mark: { type: 'point', shape: 'circle', filled: true, size: 30, opacity: 1, clip: true },
    encoding: { x: xAt('t'), y: yAt('value'), fill: nominal('color') },
  };
  if (o.style === 'area') {
    const area = { ...line, name: `area_${o.id}`, mark: { type: 'area', opacity: 0.22, clip: true }, encoding: { x: xAt('t'), y, fill: nominal('color'), detail: { field: 's' } } };
    return [area, line, dots];
  }
  return [line, dots];
}
