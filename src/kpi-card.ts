/**
 * Registers `<kpi-card>`. Import this module to use the tag; import the class from
 * `funnelkit` to register it under another name.
 */
import { KpiCard } from './elements/kpi-card.js';
import { define } from './elements/define.js';

define('kpi-card', KpiCard);

export { KpiCard };
export type { KpiViewModel } from './analytics/kpi/view-model.js';

declare global {
  interface HTMLElementTagNameMap {
    'kpi-card': KpiCard;
  }
}
