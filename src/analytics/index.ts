/**
 * `funnelkit/analytics`: the pure computation layer. Contract in, plain JSON-serialisable view
 * model out; no DOM, so it runs in Node, a Worker or the page.
 * @module
 */
export type * from './contract.js';
export { ContractError, type ContractIssue } from './contract-error.js';
export { validateContract, contractIssues } from './validate-contract.js';
export { resolveData, type ResolveOptions } from './data.js';
export { parseDuration, parseTimestamp, periodStart, addPeriods, periodKey, type Period } from './time.js';
export { computeKpi, DEFAULT_KPI_DAYS, type KpiViewModel } from './kpi.js';
export type { SeriesPoint, Metric } from './metric-series.js';
export { computeFunnel, OTHER, type FunnelViewModel, type FunnelStepResult, type FunnelGroup } from './funnel.js';
export { computeCohort, type CohortViewModel, type CohortRow, type CohortCell } from './cohort.js';
export { computeAnomaly, type AnomalyViewModel, type AnomalyPoint, type AlertHit, type AlertState, type AlertSeverity } from './anomaly.js';
