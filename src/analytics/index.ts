/**
 * `funnelkit/analytics`: the pure computation layer. Contract in, plain JSON-serialisable view
 * model out; no DOM, so it runs in Node, a Worker or the page.
 * @module
 */
export type * from './contract.js';
export { ContractError, type ContractIssue } from './contract-error.js';
export { validateContract, contractIssues } from './validate-contract.js';
export { resolveData, fetchBody, parseBody, type FetchedBody, type ResolveOptions } from './resolve-data.js';
export { setFetch, type FetchLike } from './fetcher.js';
export { parseDuration, parseTimestamp, periodStart, addPeriods, periodKey, type Period } from './time.js';
export { computeViewModel, ComputePool, WorkerUnavailable, type ComputeMode, type ComputeOptions, type ComputeStage } from './worker/pool.js';
export { computeView, computeInline, computeParsed, planView, computeFunnel, computeCohorts, computeCohort, computeAnomalies, computeAnomaly, computeKpis, computeKpi } from './compute.js';
export { PIPELINES, type Pipeline, type ContractOf, type ViewModelOf } from './registry.js';
export { contractColumns, arrowColumns, type ArrowTableLike, type Columns } from './columns.js';
export type { Measure, MeasureOp } from './measures/measure.js';
export type { PlannedMeasure } from './measures/plan-measure.js';
export type { SeriesPoint } from './measures/series.js';
export { DEFAULT_KPI_DAYS } from './kpi/plan.js';
export { formatKpiFigures, formatKpiValue } from './kpi/format.js';
export type { KpiViewModel, KpiResult, KpiDirection, DeltaClass, KpiStatus, KpiFormatStyle } from './kpi/view-model.js';
export { OTHER } from './groups.js';
export type { FunnelViewModel, FunnelStepResult, FunnelGroup, FunnelComparison, StuckEntities } from './funnel/view-model.js';
export type { TimeToConvert, TimeToConvertBin, FunnelTrends, FunnelTrendPoint } from './funnel/insights.js';
export type { FunnelPlan } from './funnel/plan.js';
export type { CohortViewModel, CohortRow, CohortCell, CohortMean, CohortGroup } from './cohort/view-model.js';
export type { AnomalyViewModel, AnomalyPoint, AnomalySeries, AnomalyRuleView, AlertInterval, RuleEvaluation, RuleNow, StepBand, AlertSeverity, RuleState } from './anomaly/view-model.js';
export type { Check } from './anomaly/rules.js';
