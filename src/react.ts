/**
 * `funnelkit/react`: the widgets as React components, through `@lit/react`. Importing this module
 * registers the five tags. Each component sets `contract`, `fetchOptions` and the other element
 * properties as properties (not attributes), and takes its events as typed `on…` props:
 *
 * ```tsx
 * import { FunnelChart } from 'funnelkit/react';
 *
 * <FunnelChart contract={contract} view="steps" onFunnelStepClick={(e) => open(e.detail.convertedIds)} />
 * ```
 *
 * `react` is an optional peer dependency of funnelkit: only this module imports it.
 * @module
 */
import * as React from 'react';
import { createComponent, type EventName } from '@lit/react';
import { FunnelChart as FunnelChartElement, type FunnelStepClickDetail } from './funnel-chart.js';
import { CohortChart as CohortChartElement, type CohortCellClickDetail } from './cohort-chart.js';
import { AnomalyChart as AnomalyChartElement, type AnomalyPointClickDetail, type AnomalyStateChangeDetail } from './anomaly-chart.js';
import { KpiCard as KpiCardElement, type KpiClickDetail } from './kpi-card.js';
import { KpiGrid as KpiGridElement } from './kpi-grid.js';
import type { FunnelKitErrorDetail, FunnelKitRenderDetail } from './elements/events.js';

/** The events every widget fires (`@fires` on `FunnelKitElement`). */
const baseEvents = {
  /** A view is on screen, or the contract has no data in range (`detail.state` is `empty`). */
  onFunnelkitRender: 'funnelkit-render' as EventName<CustomEvent<FunnelKitRenderDetail>>,
  /** The contract or its data could not be used; the detail names the JSON path. */
  onFunnelkitError: 'funnelkit-error' as EventName<CustomEvent<FunnelKitErrorDetail>>,
};

/** `<funnel-chart>`: a conversion funnel from raw events or step counts. */
export const FunnelChart = createComponent({
  tagName: 'funnel-chart',
  elementClass: FunnelChartElement,
  react: React,
  events: {
    ...baseEvents,
    /** A step bar or step label was clicked or activated. */
    onFunnelStepClick: 'funnel-step-click' as EventName<CustomEvent<FunnelStepClickDetail>>,
  },
  displayName: 'FunnelChart',
});

/** `<cohort-chart>`: retention or repurchase by cohort, as a heatmap or curves. */
export const CohortChart = createComponent({
  tagName: 'cohort-chart',
  elementClass: CohortChartElement,
  react: React,
  events: {
    ...baseEvents,
    /** A heatmap cell was clicked or activated. */
    onCohortCellClick: 'cohort-cell-click' as EventName<CustomEvent<CohortCellClickDetail>>,
  },
  displayName: 'CohortChart',
});

/** `<anomaly-chart>`: a metric over time checked against alert rules. */
export const AnomalyChart = createComponent({
  tagName: 'anomaly-chart',
  elementClass: AnomalyChartElement,
  react: React,
  events: {
    ...baseEvents,
    /** A point was clicked or activated, or an alert's button pressed. */
    onAnomalyPointClick: 'anomaly-point-click' as EventName<CustomEvent<AnomalyPointClickDetail>>,
    /** Some rule's current state differs from the previous render's. */
    onAnomalyStateChange: 'anomaly-state-change' as EventName<CustomEvent<AnomalyStateChangeDetail>>,
  },
  displayName: 'AnomalyChart',
});

/** `<kpi-card>`: one KPI with comparison, target, status and sparkline. */
export const KpiCard = createComponent({
  tagName: 'kpi-card',
  elementClass: KpiCardElement,
  react: React,
  events: {
    ...baseEvents,
    /** The card was clicked or activated. */
    onKpiClick: 'kpi-click' as EventName<CustomEvent<KpiClickDetail>>,
  },
  displayName: 'KpiCard',
});

/** `<kpi-grid>`: every KPI of one contract as a grid of cards. */
export const KpiGrid = createComponent({
  tagName: 'kpi-grid',
  elementClass: KpiGridElement,
  react: React,
  events: {
    ...baseEvents,
    /** A card was clicked or activated. */
    onKpiClick: 'kpi-click' as EventName<CustomEvent<KpiClickDetail>>,
  },
  displayName: 'KpiGrid',
});

// The element classes under other names, for refs (`useRef<FunnelChartElement>(null)`).
export { FunnelChartElement, CohortChartElement, AnomalyChartElement, KpiCardElement, KpiGridElement };
export type {
  FunnelStepClickDetail,
  CohortCellClickDetail,
  AnomalyPointClickDetail,
  AnomalyStateChangeDetail,
  KpiClickDetail,
  FunnelKitErrorDetail,
  FunnelKitRenderDetail,
};
export type { FunnelContract, CohortContract, AnomalyContract, KpiContract } from './analytics/contract.js';
