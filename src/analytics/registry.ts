import type { AnomalyContract, CohortContract, FunnelContract, KpiContract } from './contract.js';
import type { FunnelViewModel } from './funnel.js';
import type { CohortViewModel } from './cohort.js';
import type { AnomalyViewModel } from './anomaly.js';
import type { KpiViewModel } from './kpi.js';

interface Kinds {
  funnel: { contract: FunnelContract; viewModel: FunnelViewModel };
  cohort: { contract: CohortContract; viewModel: CohortViewModel };
  anomaly: { contract: AnomalyContract; viewModel: AnomalyViewModel };
  kpi: { contract: KpiContract; viewModel: KpiViewModel };
}
export type ContractOf<K extends keyof Kinds> = Kinds[K]['contract'];
export type ViewModelOf<K extends keyof Kinds> = Kinds[K]['viewModel'];
