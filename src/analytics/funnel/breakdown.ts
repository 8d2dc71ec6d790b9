/**
 * Breakdown tallies, with PostHog's four attributions: the first or last non-empty value on the
 * entity's step events (one group per entity), every value seen on its funnel events (the funnel
 * run once per value), or the value on one chosen step.
 * @module
 */
import type { Cell } from '../contract.js';
import { matchEntity, type MatchInput, type MatchOptions, type MatchResults, type StepGuard } from './match.js';
import { groupKey, topGroups } from '../groups.js';
import type { Attribution } from './plan.js';
import { entityWindow, moveTo, type Prepared } from './prepare.js';
import { Tally, type StepTally, type TallyConfig } from './tally.js';

export function breakdownTallies(
  p: Prepared,
  overall: MatchResults,
  ids: readonly unknown[],
  valueAt: (row: number) => Cell,
  attribution: Attribution,
  options: MatchOptions,
  config: TallyConfig,
): Map<string, Tally> {
  const tallies = new Map<string, Tally>();
  const tally = (key: string) => {
    let t = tallies.get(key);
    if (!t) tallies.set(key, (t = new Tally(config)));
    return t;
  };
  const window = entityWindow(p);
  for (let e = 0; e < overall.count; e++) {
    const input = moveTo(window, p, e);
    if (attribution === 'first-touch' || attribution === 'last-touch') {
      tally(touchValue(input, valueAt, attribution === 'first-touch')).add(overall.view(e), ids[e]);
      continue;
    }
    // Per value: one run of the funnel; an entity may count in several groups.
    const candidates = new Set<string>();
    for (let j = input.start; j < input.end; j++) {
      const relevant = attribution === 'all-events' ? input.steps[j] || input.exclusions[j] : input.steps[j] & (1 << attribution.step);
      if (relevant) candidates.add(groupKey(valueAt(input.rows[j])));
    }
    for (const key of candidates) {
      if (attribution === 'all-events') {
        tally(key).add(matchEntity(filterInput(input, (row) => groupKey(valueAt(row)) === key), options), ids[e]);
      } else {
        const guard: StepGuard = { step: attribution.step, accept: (row) => groupKey(valueAt(row)) === key };
        tally(key).add(matchEntity(input, options, guard), ids[e]);
      }
    }
  }
  return tallies;
}

/** The first (or last) non-empty breakdown value on the entity's step events. */
function touchValue(input: MatchInput, valueAt: (row: number) => Cell, first: boolean): string {
  for (let o = 0; o < input.end - input.start; o++) {
    const j = first ? input.start + o : input.end - 1 - o;
    if (!input.steps[j]) continue;
    const key = groupKey(valueAt(input.rows[j]));
    if (key !== '') return key;
  }
  return '';
}

function filterInput(input: MatchInput, keep: (row: number) => boolean): MatchInput {
  const idx: number[] = [];
  for (let j = input.start; j < input.end; j++) if (keep(input.rows[j])) idx.push(j);
  return {
    times: idx.map((j) => input.times[j]),
    steps: idx.map((j) => input.steps[j]),
    exclusions: idx.map((j) => input.exclusions[j]),
    rows: idx.map((j) => input.rows[j]),
    start: 0,
    end: idx.length,
  };
}

/** Groups by step-1 count (then name), the first `limit` kept and the rest merged into `Other`. */
export function mergeGroups(tallies: Map<string, Tally>, limit: number, config: TallyConfig): Array<{ value: string; steps: StepTally[] }> {
  const merge = (into: Tally | undefined, from: Tally) => {
    const other = into ?? new Tally(config);
    other.merge(from);
    return other;
  };
  return topGroups(tallies, (t) => t.counts[0], limit, merge).map(([value, t]) => ({ value, steps: t.steps() }));
}
