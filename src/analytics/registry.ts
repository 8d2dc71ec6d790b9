/**
 * Every widget kind's pipeline in one table: `plan` (contract → plain serialisable plan, every
 * contract error), `execute` (plan over data → counts), `shape` (plan and counts → view model).
 * A new kind is one line here; a new executor (a Worker, a database) runs the same plans.
 * @module
 */
import type { AnomalyContract, CohortContract, Contract, ContractKind, FunnelContract, KpiContract } from './contract.js';
import type { Columns } from './columns.js';
import { planFunnel } from './funnel/plan.js';
import { executeFunnel } from './funnel/execute-memory.js';
import { shapeFunnel, type FunnelViewModel } from './funnel/view-model.js';
import { planCohort } from './cohort/plan.js';
import { executeCohort } from './cohort/execute-memory.js';
import { shapeCohort, type CohortViewModel } from './cohort/view-model.js';
import { planAnomaly } from './anomaly/plan.js';
import { executeAnomaly } from './anomaly/execute-memory.js';
import { shapeAnomaly, type AnomalyViewModel } from './anomaly/view-model.js';
import { planKpi } from './kpi/plan.js';
import { executeKpi } from './kpi/execute-memory.js';
import { shapeKpi, type KpiViewModel } from './kpi/view-model.js';

/** One kind's three steps. `P` is the plan, `R` what the executor returns. */
export interface Pipeline<C extends Contract, P, R, VM> {
  plan(contract: C): P;
  execute(plan: P, columns: Columns): R;
  shape(plan: P, result: R): VM;
}

interface Kinds {
  funnel: { contract: FunnelContract; viewModel: FunnelViewModel };
  cohort: { contract: CohortContract; viewModel: CohortViewModel };
  anomaly: { contract: AnomalyContract; viewModel: AnomalyViewModel };
  kpi: { contract: KpiContract; viewModel: KpiViewModel };
}
export type ContractOf<K extends ContractKind> = Kinds[K]['contract'];
export type ViewModelOf<K extends ContractKind> = Kinds[K]['viewModel'];

export const PIPELINES = {
  funnel: { plan: planFunnel, execute: executeFunnel, shape: shapeFunnel },
  cohort: { plan: planCohort, execute: executeCohort, shape: shapeCohort },
  anomaly: { plan: planAnomaly, execute: executeAnomaly, shape: shapeAnomaly },
  kpi: { plan: planKpi, execute: executeKpi, shape: shapeKpi },
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each kind has its own plan and result types
} satisfies { [K in ContractKind]: Pipeline<ContractOf<K>, any, any, ViewModelOf<K>> };

/** The pipeline of one kind, its plan and result types erased for generic callers. */
export function pipelineOf<K extends ContractKind>(kind: K): Pipeline<ContractOf<K>, unknown, unknown, ViewModelOf<K>> {
  return PIPELINES[kind] as unknown as Pipeline<ContractOf<K>, unknown, unknown, ViewModelOf<K>>;
}
