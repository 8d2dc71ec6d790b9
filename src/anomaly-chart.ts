/**
 * Registers `<anomaly-chart>`. Import this module to use the tag; import the class from
 * `funnelkit` to register it under another name.
 */
import { AnomalyChart } from './elements/anomaly-chart.js';
import { define } from './elements/define.js';

define('anomaly-chart', AnomalyChart);

export { AnomalyChart };
export type { AnomalyViewModel, AnomalyPoint, AnomalySeries, AnomalyRuleView, AlertInterval, RuleEvaluation, RuleNow, RuleState, StepBand, AlertSeverity } from './analytics/anomaly/view-model.js';
export type { AnomalyPointClickDetail, AnomalyStateChangeDetail, AnomalyRuleStateChange } from './elements/events.js';
export type { AnomalyLayout } from './specs/anomaly-data.js';

declare global {
  interface HTMLElementTagNameMap {
    'anomaly-chart': AnomalyChart;
  }
}
