/**
 * The KPI sparkline, drawn by the card itself as a small inline SVG (no Vega): the line over the
 * periods with a gap at each missing one, the area under it, stretched to the box it sits in.
 * @module
 */
import { html, svg, nothing, type TemplateResult } from 'lit';

/** The drawing's own units; the SVG stretches them to its box (`preserveAspectRatio="none"`). */
const WIDTH = 100;
const HEIGHT = 40;
/** Room above the highest and below the lowest point, so the stroke is not cut. */
const PAD = 3;

export interface SparklinePaths {
  /** The line: one subpath per run of periods with a value. */
  line: string;
  /** The area under each run, down to the bottom of the box. */
  area: string;
}

const num = (x: number) => String(Math.round(x * 100) / 100);

/**
 * The paths of a sparkline over `values`, one per period, evenly spaced; null is a gap. A run of
 * one period is a zero-length segment, drawn as a dot by its round cap. Null when nothing has a value.
 */
export function sparklinePaths(values: ReadonlyArray<number | null>): SparklinePaths | null {
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (known.length === 0) return null;
  const min = Math.min(...known);
  const max = Math.max(...known);
  const x = (i: number) => (values.length === 1 ? WIDTH / 2 : (i / (values.length - 1)) * WIDTH);
  // A flat series sits in the middle.
  const y = (v: number) => (max === min ? HEIGHT / 2 : PAD + ((max - v) / (max - min)) * (HEIGHT - 2 * PAD));
  const runs: Array<Array<[number, number]>> = [];
  let run: Array<[number, number]> | null = null;
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      run = null;
      return;
    }
    if (!run) runs.push((run = []));
    run.push([x(i), y(v)]);
  });
  const line = runs.map((r) => `M${r.map(([px, py]) => `${num(px)},${num(py)}`).join('L')}${r.length === 1 ? 'h0' : ''}`).join('');
  const area = runs
    .filter((r) => r.length > 1)
    .map((r) => `M${num(r[0][0])},${HEIGHT}L${r.map(([px, py]) => `${num(px)},${num(py)}`).join('L')}L${num(r[r.length - 1][0])},${HEIGHT}Z`)
    .join('');
  return { line, area };
}

/** The sparkline's SVG, hidden from assistive technology (the card's sentence and table say it). */
export function sparkline(values: ReadonlyArray<number | null>): TemplateResult | typeof nothing {
  const paths = sparklinePaths(values);
  if (!paths) return nothing;
  return html`<svg class="sparkline" viewBox="0 0 ${WIDTH} ${HEIGHT}" preserveAspectRatio="none" aria-hidden="true" focusable="false">
    ${paths.area ? svg`<path class="spark-area" d=${paths.area}></path>` : nothing}
    <path class="spark-line" d=${paths.line} vector-effect="non-scaling-stroke"></path>
  </svg>`;
}
