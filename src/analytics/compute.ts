/**
 * The one entry point from a contract to a view model, for any kind: data fetched and parsed,
 * then the kind's pipeline (plan → execute → shape) from the registry. It takes plain data and
 * returns plain data and uses no `this`, so a Worker runs exactly this function.
 * @module
 */
import type { ContractKind } from './contract.js';
import { ContractError } from './contract-error.js';
import { resolveData, type ResolveOptions } from './data.js';
import { computeFunnel } from './funnel.js';
import { computeCohort } from './cohort.js';
import { computeAnomaly } from './anomaly.js';
import { computeKpi } from './kpi.js';
import type { ContractOf, ViewModelOf } from './registry.js';

const COMPUTE = { funnel: computeFunnel, cohort: computeCohort, anomaly: computeAnomaly, kpi: computeKpi };

/**
 * Computes the view model of a validated contract of `kind`. URL data is fetched (cancelled by
 * `options.signal`) and parsed here, not by the caller. Throws {@link ContractError} naming the
 * JSON path for input it cannot use.
 */
export async function computeView<K extends ContractKind>(kind: K, contract: ContractOf<K>, options: ResolveOptions = {}): Promise<ViewModelOf<K>> {
  if (contract.kind !== kind) throw new ContractError('/kind', `expected "${kind}", got ${JSON.stringify(contract.kind)}`);
  const inline = await resolveData(contract, options);
  return (COMPUTE[kind] as (c: typeof inline) => ViewModelOf<K>)(inline);
}
