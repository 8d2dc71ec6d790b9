/**
 * `<cohort-chart>` spec: the classic retention triangle, one row per cohort and one column per
 * period since start, shaded by rate and labelled in percent; incomplete periods are faded.
 * @module
 */
import type { VisualizationSpec } from 'vega-embed';
import type { CohortViewModel } from '../analytics/cohort/view-model.js';
import { formatNumber, formatPercent } from './format.js';
import { message, offsetLabel } from './messages.js';
import type { SpecContext } from './spec-context.js';

export function buildCohortSpec(vm: CohortViewModel, ctx: SpecContext): VisualizationSpec {
  const { locale, tokens } = ctx;
  const rowLabel = (cohort: string, size: number) => `${cohort} (${formatNumber(size, locale)})`;
  const cells = vm.cohorts.flatMap((c) =>
    c.cells.map((cell) => ({
      row: rowLabel(c.cohort, c.size),
      column: offsetLabel(vm.period, cell.offset, locale),
      offset: cell.offset,
      rate: cell.rate,
      label: formatPercent(cell.rate, locale, 0),
      count: cell.count,
      incomplete: cell.incomplete,
    })),
  );
  const rows = vm.cohorts.map((c) => rowLabel(c.cohort, c.size));
  const columns = Array.from({ length: vm.periods }, (_, k) => offsetLabel(vm.period, k, locale));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: ctx.width,
    height: ctx.height,
    autosize: { type: 'fit', contains: 'padding' },
    datasets: { cells },
    data: { name: 'cells' },
    encoding: {
      x: { field: 'column', type: 'ordinal', sort: columns, title: null, axis: { orient: 'top', labelAngle: 0 } },
      y: { field: 'row', type: 'ordinal', sort: rows, title: message('cohort', locale) },
    },
    layer: [
      {
        mark: { type: 'rect', cornerRadius: 2 },
        encoding: {
          color: {
            field: 'rate',
            type: 'quantitative',
            scale: { domain: [0, 1], range: [tokens.ghost, tokens.accent] },
            legend: null,
          },
          opacity: { condition: { test: 'datum.incomplete', value: 0.45 }, value: 1 },
          tooltip: [
            { field: 'row', title: message('cohort', locale) },
            { field: 'column', title: message('period', locale) },
            { field: 'label', title: message('rate', locale) },
            { field: 'count', type: 'quantitative', title: message('entities', locale), format: ',' },
          ],
        },
      },
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: {
          text: { field: 'label' },
          color: { condition: { test: 'datum.rate > 0.5', value: '#ffffff' }, value: tokens.text },
        },
      },
    ],
  } as VisualizationSpec;
}
