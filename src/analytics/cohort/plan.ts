/**
 * A cohort contract resolved into a plan: which events start and return, the cohort type, period,
 * mode and measure, the range and "now", every cross-field error. Plain JSON, no data.
 * @module
 */
import type { CohortAggregate, CohortContract, WhereClause } from '../contract.js';
import { ContractError } from '../contract-error.js';
import { fieldOf } from '../columns.js';
import { checkTimeZone, parseTimestamp, planRange, plausibleTime, type Period, type PlannedRange, type WeekStart } from '../time.js';

/** An event a cohort reads: null event for any. */
export interface CohortEventPlan {
  event: string | null;
  where?: WhereClause;
}

export interface CohortPlan {
  kind: 'cohort';
  timeZone: string;
  /** Columns of the entity, time, event name (when an event is named) and value (for sums). */
  fields: { entity: string; time: string; event: string | null; value: string | null };
  start: CohortEventPlan;
  return: CohortEventPlan;
  type: 'recurring' | 'first-time';
  period: Exclude<Period, 'minute'>;
  periods: number;
  weekStart: WeekStart;
  mode: 'on' | 'on-or-after' | 'by';
  measure: 'entities' | 'sum';
  range: PlannedRange;
  /** Null: the latest event. */
  asOf: number | null;
  breakdown: { field: string; limit: number } | null;
  entityLimit: number;
  /** Given cohorts, for pre-aggregated input: nothing to compute from events. */
  given: Array<CohortAggregate & { start: number }> | null;
  /** Given cohorts per breakdown value (`cohort.groups`), drawn as a computed breakdown is. */
  givenGroups: Array<{ value: string; cohorts: Array<CohortAggregate & { start: number }> }> | null;
  /** Given distinct entities (`cohort.entities`); null: the sum of the given sizes. */
  givenEntities: number | null;
}

const DEFAULT_PERIODS = 11;
const DEFAULT_ENTITY_LIMIT = 100;
const DEFAULT_BREAKDOWN_LIMIT = 10;

export function planCohort(contract: CohortContract): CohortPlan {
  const spec = contract.cohort;
  const timeZone = checkTimeZone(contract.timeZone ?? 'UTC');
  const period = spec.period ?? 'day';
  const measure = spec.value?.measure ?? 'entities';
  const parseGiven = (cohorts: CohortAggregate[], path: string) =>
    cohorts.map((c, i) => {
      const start = parseTimestamp(c.cohort, timeZone);
      if (Number.isNaN(start) || !plausibleTime(start)) {
        throw new ContractError(`${path}/${i}/cohort`, `expected the cohort's first day as YYYY-MM-DD, got ${JSON.stringify(c.cohort)}`);
      }
      return { ...c, start };
    });
  const given = spec.cohorts ? parseGiven(spec.cohorts, '/cohort/cohorts') : null;
  if (spec.groups && !given) throw new ContractError('/cohort/groups', 'given groups need the overall cohorts in "cohorts" too');
  const givenGroups = spec.groups?.map((g, gi) => ({ value: g.value, cohorts: parseGiven(g.cohorts, `/cohort/groups/${gi}/cohorts`) })) ?? null;
  const periods = spec.periods ?? (given ? Math.max(1, ...given.map((c) => c.values.length)) : DEFAULT_PERIODS);
  let asOf: number | null = null;
  if (spec.asOf !== undefined) {
    asOf = parseTimestamp(spec.asOf, timeZone);
    if (!plausibleTime(asOf)) throw new ContractError('/cohort/asOf', `expected an ISO 8601 timestamp or epoch milliseconds within 10,000 years of 1970, got ${JSON.stringify(spec.asOf)}`);
  }
  const start = { event: spec.start?.event ?? null, ...(spec.start?.where ? { where: spec.start.where } : {}) };
  const back = { event: spec.return?.event ?? null, ...(spec.return?.where ? { where: spec.return.where } : {}) };
  const named = start.event !== null || back.event !== null;
  return {
    kind: 'cohort',
    timeZone,
    fields: given
      ? { entity: '', time: '', event: null, value: null }
      : {
          entity: fieldOf(contract.fields, 'entity'),
          time: fieldOf(contract.fields, 'time'),
          event: named ? fieldOf(contract.fields, 'event') : null,
          value: measure === 'sum' ? fieldOf(contract.fields, 'value') : null,
        },
    start,
    return: back,
    type: spec.type ?? 'recurring',
    period,
    periods,
    weekStart: spec.weekStart ?? 'monday',
    mode: spec.mode ?? 'on',
    measure,
    range: planRange(spec.range, timeZone, '/cohort/range'),
    asOf,
    breakdown: spec.breakdown ? { field: spec.breakdown.field, limit: spec.breakdown.limit ?? DEFAULT_BREAKDOWN_LIMIT } : null,
    entityLimit: spec.entityLimit ?? DEFAULT_ENTITY_LIMIT,
    given,
    givenGroups,
    givenEntities: spec.entities ?? null,
  };
}
