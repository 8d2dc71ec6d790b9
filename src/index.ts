/**
 * `funnelkit`: registers `<funnel-chart>`, `<cohort-chart>`, `<anomaly-chart>`, `<kpi-card>` and `<kpi-grid>`
 * and exports their classes (to register under other names) and types.
 * @module
 */
export * from './funnel-chart.js';
export * from './cohort-chart.js';
export * from './anomaly-chart.js';
export * from './kpi-card.js';
export * from './kpi-grid.js';
export { VegaElement } from './elements/vega-element.js';
export { KpiElement } from './elements/kpi-view.js';
export {
  FunnelKitElement,
  type WidgetState,
  type FunnelKitErrorDetail,
  type FunnelKitRenderDetail,
  type FunnelKitEventMap,
  type DrawMode,
  type DataTableModel,
} from './elements/funnelkit-element.js';
export type { SpecContext } from './specs/spec-context.js';
export { registerMessages, type Messages, type MessageKey } from './specs/messages.js';
export type { ThemeTokens } from './specs/theme.js';
export * from './analytics/index.js';
