/**
 * `<kpi-card>` spec: a sparkline of the figure over its range, with the target as a rule.
 * @module
 */
import type { VisualizationSpec } from 'vega-embed';
import type { KpiViewModel } from '../analytics/kpi/view-model.js';
import { wallTime } from './format.js';
import { message } from './messages.js';
import type { SpecContext } from './spec-context.js';

export function buildKpiSpec(vm: KpiViewModel, ctx: SpecContext): VisualizationSpec {
  const points = vm.sparkline.map((p) => ({ period: p.period, start: wallTime(p.period), value: p.value }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: ctx.width,
    height: ctx.height,
    autosize: { type: 'fit', contains: 'padding' },
    datasets: { series: points },
    data: { name: 'series' },
    encoding: {
      x: { field: 'start', type: 'temporal', axis: null, scale: { type: 'utc' } },
      y: { field: 'value', type: 'quantitative', axis: null, scale: { zero: false } },
    },
    layer: [
      { mark: { type: 'area', opacity: 0.15, line: false, interpolate: 'monotone' } },
      { mark: { type: 'line', interpolate: 'monotone' } },
      {
        mark: { type: 'point', filled: true, size: 60, opacity: 0 },
        encoding: {
          tooltip: [
            { field: 'period', type: 'nominal', title: message('period', ctx.locale) },
            { field: 'value', type: 'quantitative', title: message('value', ctx.locale), format: ',.4~r' },
          ],
        },
      },
    ],
  } as VisualizationSpec;
}
