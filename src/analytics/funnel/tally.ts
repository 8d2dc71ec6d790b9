/**
 * Counting matched entities: how many reached each step, the time each took from the step before,
 * who they are (capped lists for drill-down) and who is stuck past a dwell limit.
 * @module
 */
import { median } from '../measures/stats.js';
import type { MatchResult } from './match.js';
import type { StuckEntities } from './view-model.js';

/** One step's figures as an executor reports them; the view model adds names and rates. */
export interface StepTally {
  /** Entities that reached at least this step. */
  count: number;
  /** Median and mean time from the previous step, ms; null for none. */
  medianTimeMs: number | null;
  meanTimeMs: number | null;
  /** Ids for drill-down (absent for pre-aggregated input). */
  convertedIds?: string[];
  droppedIds?: string[];
  stuck?: StuckEntities;
}

export interface TallyConfig {
  stepCount: number;
  /** Most ids kept per list. */
  entityLimit: number;
  dwell: Array<number | null>;
  asOf: number | null;
}

/** Numbers appended one at a time, kept in a Float64Array that doubles when full. */
class Samples {
  private data = new Float64Array(64);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  /** The numbers so far (a view, not a copy). */
  values(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

/** Counts entities by furthest step, the time each took from the step before, and who they are. */
export class Tally {
  readonly counts: number[];
  /** Per step, the time each entity took from the step before: millions of numbers, unboxed. */
  private readonly durations: Samples[];
  private readonly sums: number[];
  private readonly converted: string[][];
  private readonly dropped: string[][];
  private readonly stuck: Array<Array<{ id: string; dwellMs: number }>>;

  constructor(private readonly config: TallyConfig) {
    const n = config.stepCount;
    this.counts = new Array(n).fill(0);
    this.durations = Array.from({ length: n }, () => new Samples());
    this.sums = new Array(n).fill(0);
    this.converted = Array.from({ length: n }, () => []);
    this.dropped = Array.from({ length: n }, () => []);
    this.stuck = Array.from({ length: n }, () => []);
  }

  /** Counts one entity's best attempt; `id` is made a string only if a drill-down list keeps it. */
  add(result: MatchResult, id: unknown): void {
    if (result.excluded || result.furthest < 0) return;
    const { entityLimit, stepCount, dwell, asOf } = this.config;
    const furthest = result.furthest;
    for (let k = 0; k <= furthest; k++) {
      this.counts[k]++;
      if (k > 0) {
        const d = result.times[k] - result.times[k - 1];
        this.durations[k].push(d);
        this.sums[k] += d;
      }
      if (this.converted[k].length < entityLimit) this.converted[k].push(String(id));
    }
    if (furthest + 1 < stepCount && this.dropped[furthest + 1].length < entityLimit) this.dropped[furthest + 1].push(String(id));
    const limit = dwell[furthest];
    if (limit !== null && asOf !== null && asOf - result.times[furthest] > limit) {
      this.stuck[furthest].push({ id: String(id), dwellMs: asOf - result.times[furthest] });
    }
  }

  merge(other: Tally): void {
    const cap = (into: string[], from: string[]) => {
      for (const id of from) if (into.length < this.config.entityLimit) into.push(id);
    };
    other.counts.forEach((c, k) => {
      this.counts[k] += c;
      this.sums[k] += other.sums[k];
      for (const d of other.durations[k].values()) this.durations[k].push(d);
      cap(this.converted[k], other.converted[k]);
      cap(this.dropped[k], other.dropped[k]);
      for (const s of other.stuck[k]) this.stuck[k].push(s);
    });
  }

  steps(): StepTally[] {
    return this.counts.map((count, k) => {
      const d = this.durations[k];
      const step: StepTally = {
        count,
        medianTimeMs: median(d.values()),
        meanTimeMs: d.length ? this.sums[k] / d.length : null,
        convertedIds: this.converted[k],
        droppedIds: this.dropped[k],
      };
      const maxDwellMs = this.config.dwell[k];
      if (maxDwellMs !== null) {
        const stuck = this.stuck[k].sort((a, b) => b.dwellMs - a.dwellMs || (a.id < b.id ? -1 : 1));
        step.stuck = { maxDwellMs, count: stuck.length, entities: stuck.slice(0, this.config.entityLimit) };
      }
      return step;
    });
  }
}
