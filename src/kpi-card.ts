/**
 * Registers `<kpi-card>`. Import this module to use the tag; import the class from
 * `funnelkit` to register it under another name. Loads no Vega.
 */
import { KpiCard } from './elements/kpi-card.js';
import { define } from './elements/define.js';

define('kpi-card', KpiCard);

export { KpiCard };
export type { KpiClickDetail } from './elements/kpi-view.js';
export type { KpiViewModel, KpiResult } from './analytics/kpi/view-model.js';

declare global {
  interface HTMLElementTagNameMap {
    'kpi-card': KpiCard;
  }
}
