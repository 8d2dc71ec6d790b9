/**
 * Registers `<funnel-chart>`. Import this module to use the tag; import the class from
 * `funnelkit` to register it under another name.
 */
import { FunnelChart } from './elements/funnel-chart.js';
import { define } from './elements/define.js';

define('funnel-chart', FunnelChart);

export { FunnelChart };
export type { FunnelStepClickDetail } from './elements/funnel-chart.js';
export type { FunnelViewModel, FunnelStepResult, FunnelGroup } from './analytics/funnel/view-model.js';

declare global {
  interface HTMLElementTagNameMap {
    'funnel-chart': FunnelChart;
  }
}
