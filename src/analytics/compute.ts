/**
 * From a contract to a view model for any kind, through the registry's pipelines. `computeView`
 * is the one function the elements call: plain data in, plain data out, no `this`, so a Worker
 * runs exactly this function. `computeFunnel` and friends are the synchronous public API for
 * contracts whose data is inline.
 * @module
 */
import type { AnomalyContract, CohortContract, ContractKind, FunnelContract, InlineContract, KpiContract } from './contract.js';
import { ContractError } from './contract-error.js';
import { contractColumns, type DataOrigin } from './columns.js';
import { resolveData, type ResolveOptions } from './resolve-data.js';
import { showUrl } from './fetcher.js';
import { validateContract } from './validate-contract.js';
import { pipelineOf, type ContractOf, type ViewModelOf } from './registry.js';

/**
 * The view model of a contract of `kind`. URL data is fetched (cancelled by `options.signal`) and
 * parsed here, after the contract is checked and planned, so a contract error is reported without
 * downloading the data. Throws {@link ContractError} naming the JSON path.
 */
export async function computeView<K extends ContractKind>(kind: K, contract: ContractOf<K>, options: ResolveOptions = {}): Promise<ViewModelOf<K>> {
  const pipeline = pipelineOf(kind);
  const plan = pipeline.plan(checked(kind, contract));
  const inline = await resolveData(withData(contract), options);
  const origin = contract.data && 'url' in contract.data ? { url: showUrl(String(contract.data.url)) } : undefined;
  return pipeline.shape(plan, pipeline.execute(plan, contractColumns(inline, origin)));
}

/** The view model of a contract whose data is inline, computed synchronously. */
export function computeInline<K extends ContractKind>(kind: K, contract: InlineContract<ContractOf<K>>): ViewModelOf<K> {
  return computeParsed(kind, contract);
}

/**
 * Checks and plans a contract without reading its data: every contract error, before any download
 * (a Worker pool calls it on the page, then fetches, then computes in the Worker).
 */
export function planView<K extends ContractKind>(kind: K, contract: ContractOf<K>): void {
  pipelineOf(kind).plan(checked(kind, contract));
}

/**
 * {@link computeInline} for data that came from `origin` (a fetched file, parsed already, as in a
 * Worker): a bad cell is reported at `/data/url`, naming the file's row and column.
 */
export function computeParsed<K extends ContractKind>(kind: K, contract: InlineContract<ContractOf<K>>, origin?: DataOrigin): ViewModelOf<K> {
  const pipeline = pipelineOf(kind);
  const plan = pipeline.plan(checked(kind, contract));
  return pipeline.shape(plan, pipeline.execute(plan, contractColumns(withData(contract) as InlineContract, origin)));
}

/** A contract that may leave out its data (anomaly points) with empty rows and fields in their place. */
function withData<C extends ContractOf<ContractKind>>(contract: C): C & { data: NonNullable<C['data']>; fields: NonNullable<C['fields']> } {
  return { ...contract, data: contract.data ?? { rows: [] }, fields: contract.fields ?? {} } as C & { data: NonNullable<C['data']>; fields: NonNullable<C['fields']> };
}

/**
 * The contract checked against the schema and its kind, so the pipelines meet only valid input.
 * The data's cells are not walked here (the executors check the cells they read), so a million
 * rows cost nothing, and typed-array columns, which JSON Schema cannot describe, pass.
 */
function checked<K extends ContractKind>(kind: K, contract: unknown): ContractOf<K> {
  const data = (contract as { data?: unknown } | null)?.data;
  const shape =
    data !== null && typeof data === 'object' && !Array.isArray(data)
      ? Object.fromEntries(Object.entries(data).map(([key, value]) => [key, inlineShape(key, value)]))
      : data;
  validateContract({ ...(contract as object), data: shape });
  const given = (contract as { kind: unknown }).kind;
  if (given !== kind) throw new ContractError('/kind', `expected "${kind}", got ${JSON.stringify(given)}`);
  return contract as ContractOf<K>;
}

/**
 * Inline rows, columns and Arrow tables stand in empty, of the same type, for the schema check:
 * their cells are not the schema's to walk, and a table's own properties are no business of it.
 */
function inlineShape(key: string, value: unknown): unknown {
  if (key === 'rows' && Array.isArray(value)) return [];
  if ((key === 'columns' || key === 'arrow') && value !== null && typeof value === 'object' && !Array.isArray(value)) return {};
  return value;
}

/** A funnel from raw events (PostHog semantics) or pre-aggregated step counts. */
export const computeFunnel = (contract: InlineContract<FunnelContract>) => computeInline('funnel', contract);
/** Retention or repurchase by start cohort (PostHog's retention semantics). */
export const computeCohorts = (contract: InlineContract<CohortContract>) => computeInline('cohort', contract);
/** The same as {@link computeCohorts}, under the name of the other kinds' functions. */
export const computeCohort = computeCohorts;
/**
 * Series (a measure per period from events, or given points) checked against alert rules with
 * Grafana's semantics: threshold steps and bounds, changes, baseline bands, and each rule's state
 * over time (`for`, `keepFiringFor`, `noData`). Throws {@link ContractError} naming the JSON path.
 */
export const computeAnomalies = (contract: AnomalyContract) => computeInline('anomaly', contract as InlineContract<AnomalyContract>);
/** The same as {@link computeAnomalies}, under the name of the other kinds' functions. */
export const computeAnomaly = computeAnomalies;
/** Any number of KPIs over the same data, each against the previous period, a target and thresholds. */
export const computeKpis = (contract: InlineContract<KpiContract>) => computeInline('kpi', contract);
/** The same as {@link computeKpis}, under the name of the other kinds' functions. */
export const computeKpi = computeKpis;
