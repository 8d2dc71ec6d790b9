/**
 * A cohort contract resolved into a plan: which events start and return, the period, how many
 * periods, the mode and the range. Plain JSON, no data.
 * @module
 */
import type { CohortContract } from '../contract.js';
import { fieldOf } from '../columns.js';
import { checkTimeZone, planRange, type Period, type PlannedRange } from '../time.js';

export interface CohortPlan {
  kind: 'cohort';
  timeZone: string;
  /** Columns holding the entity, event time and (when events are named) event name. */
  fields: { entity: string; time: string; event: string | null };
  /** Null: any event. */
  startEvent: string | null;
  returnEvent: string | null;
  period: Period;
  periods: number;
  mode: 'retention' | 'unbounded';
  range: PlannedRange;
}

export function planCohort(contract: CohortContract): CohortPlan {
  const spec = contract.cohort;
  const timeZone = checkTimeZone(contract.timeZone ?? 'UTC');
  const needsEvent = spec.startEvent !== undefined || spec.returnEvent !== undefined;
  return {
    kind: 'cohort',
    timeZone,
    fields: {
      entity: fieldOf(contract.fields, 'entity'),
      time: fieldOf(contract.fields, 'time'),
      event: needsEvent ? fieldOf(contract.fields, 'event') : null,
    },
    startEvent: spec.startEvent ?? null,
    returnEvent: spec.returnEvent ?? null,
    period: spec.period ?? 'week',
    periods: spec.periods ?? 8,
    mode: spec.mode ?? 'retention',
    range: planRange(spec.range, timeZone, '/cohort/range'),
  };
}
