/**
 * `funnelkit/classes`: the widget classes without registering any tag, to define them under other
 * names (`customElements.define('acme-funnel', FunnelChart)`) or to subclass them. Importing it
 * defines nothing; `funnelkit` and `funnelkit/<tag>.js` are the modules that register.
 * @module
 */
export { FunnelChart } from './elements/funnel-chart.js';
export { CohortChart } from './elements/cohort-chart.js';
export { AnomalyChart } from './elements/anomaly-chart.js';
export { KpiCard } from './elements/kpi-card.js';
export { KpiGrid } from './elements/kpi-grid.js';
export { FunnelKitElement, type WidgetState, type FunnelKitErrorDetail, type FunnelKitRenderDetail } from './elements/funnelkit-element.js';
export { VegaElement } from './elements/vega-element.js';
export { KpiElement } from './elements/kpi-view.js';
export { setFetch, type FetchLike } from './analytics/fetcher.js';
export { registerMessages, type Messages, type MessageKey } from './specs/messages.js';
