/**
 * From a contract to a view model for any kind, through the registry's pipelines. `computeView`
 * is the one function the elements call: plain data in, plain data out, no `this`, so a Worker
 * runs exactly this function. `computeFunnel` and friends are the synchronous public API for
 * contracts whose data is inline.
 * @module
 */
import type { AnomalyContract, CohortContract, ContractKind, FunnelContract, InlineContract, KpiContract } from './contract.js';
import { ContractError } from './contract-error.js';
import { contractColumns } from './columns.js';
import { resolveData, type ResolveOptions } from './resolve-data.js';
import { pipelineOf, type ContractOf, type ViewModelOf } from './registry.js';

/**
 * The view model of a validated contract of `kind`. URL data is fetched (cancelled by
 * `options.signal`) and parsed here, after the plan is made, so a contract error is reported
 * without downloading the data. Throws {@link ContractError} naming the JSON path.
 */
export async function computeView<K extends ContractKind>(kind: K, contract: ContractOf<K>, options: ResolveOptions = {}): Promise<ViewModelOf<K>> {
  if (contract.kind !== kind) throw new ContractError('/kind', `expected "${kind}", got ${JSON.stringify(contract.kind)}`);
  const pipeline = pipelineOf(kind);
  const plan = pipeline.plan(contract);
  const inline = await resolveData(contract, options);
  return pipeline.shape(plan, pipeline.execute(plan, contractColumns(inline)));
}

/** The view model of a contract whose data is inline, computed synchronously. */
export function computeInline<K extends ContractKind>(kind: K, contract: InlineContract<ContractOf<K>>): ViewModelOf<K> {
  const pipeline = pipelineOf(kind);
  const plan = pipeline.plan(contract);
  return pipeline.shape(plan, pipeline.execute(plan, contractColumns(contract)));
}

/** A funnel from raw events (PostHog semantics) or pre-aggregated step counts. */
export const computeFunnel = (contract: InlineContract<FunnelContract>) => computeInline('funnel', contract);
/** Retention or repurchase by start cohort. */
export const computeCohort = (contract: InlineContract<CohortContract>) => computeInline('cohort', contract);
/** A metric per period checked against alert rules. */
export const computeAnomaly = (contract: InlineContract<AnomalyContract>) => computeInline('anomaly', contract);
/** One KPI against the previous period and a target, with a sparkline. */
export const computeKpi = (contract: InlineContract<KpiContract>) => computeInline('kpi', contract);
