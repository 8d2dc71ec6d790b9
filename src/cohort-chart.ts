/**
 * Registers `<cohort-chart>`. Import this module to use the tag; import the class from
 * `funnelkit` to register it under another name.
 */
import { CohortChart } from './elements/cohort-chart.js';
import { define } from './elements/define.js';

define('cohort-chart', CohortChart);

export { CohortChart };
export type { CohortCellClickDetail } from './elements/cohort-chart.js';
export type { CohortViewModel, CohortRow, CohortCell, CohortMean, CohortGroup } from './analytics/cohort/view-model.js';

declare global {
  interface HTMLElementTagNameMap {
    'cohort-chart': CohortChart;
  }
}
