/**
 * Registers `<kpi-grid>`. Import this module to use the tag; import the class from
 * `funnelkit` to register it under another name. Loads no Vega.
 */
import { KpiGrid } from './elements/kpi-grid.js';
import { define } from './elements/define.js';

define('kpi-grid', KpiGrid);

export { KpiGrid };
export type { KpiClickDetail } from './elements/kpi-view.js';
export type { KpiViewModel, KpiResult } from './analytics/kpi/view-model.js';

declare global {
  interface HTMLElementTagNameMap {
    'kpi-grid': KpiGrid;
  }
}
