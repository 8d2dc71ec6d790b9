/**
 * Reference KPIs for the benchmark: lead volume, opportunity win rate, collection ratio and
 * resource input over the last N days, the N days before and per day, as one plain pass over
 * the same JS column arrays the contract gets into typed-array day bins, with no table library
 * and no FunnelKit code. Its time is a floor for what these four cost; `computeKpis` computes
 * three more (lead conversion, output per deal, sales cycle) in the same call.
 *
 * Semantics (those of the demo's contract, demo/kpis.js): days are cut at a fixed UTC offset
 * (Asia/Shanghai, +8 h, has had no daylight saving since 1991); the period is the N days ending
 * with the one holding `asOf`, the previous period the N days before it. Lead volume counts
 * `lead` rows; win rate is `signed` / (`signed` + `lost`) rows; the collection ratio is the sum of
 * `amount` on `collected` rows over that on `invoice` rows; resource input sums `amount` on `cost`
 * rows. A ratio over nothing is null. Row order does not matter.
 * @module
 */
const DAY = 86_400_000;

export interface KpiReferenceInput {
  event: ArrayLike<unknown>;
  /** Epoch ms. */
  time: ArrayLike<number>;
  amount: ArrayLike<unknown>;
}

export interface KpiReferenceSpec {
  /** Epoch ms of "now". */
  asOf: number;
  days: number;
  /** The zone's fixed offset from UTC, ms. */
  offsetMs: number;
}

/** One KPI: the period's value, the previous period's, and the value per day of the period. */
export interface ReferenceKpi {
  value: number | null;
  previous: number | null;
  daily: Array<number | null>;
}

export interface KpiReferenceResult {
  leadVolume: ReferenceKpi;
  winRate: ReferenceKpi;
  collectionRatio: ReferenceKpi;
  resourceInput: ReferenceKpi;
}

const [LEAD, SIGNED, LOST, INVOICE, COLLECTED, COST] = [0, 1, 2, 3, 4, 5];
const CODES = new Map<unknown, number>([['lead', LEAD], ['signed', SIGNED], ['lost', LOST], ['invoice', INVOICE], ['collected', COLLECTED], ['cost', COST]]);

export function referenceKpis(input: KpiReferenceInput, spec: KpiReferenceSpec): KpiReferenceResult {
  const { event, time, amount } = input;
  const { days, offsetMs } = spec;
  const dayOf = (ms: number): number => Math.floor((ms + offsetMs) / DAY);
  // Bins: the previous period's days, then the period's: 2 × days.
  const first = dayOf(spec.asOf) + 1 - 2 * days;
  const bins = 2 * days;
  const counts = [LEAD, SIGNED, LOST].map(() => new Int32Array(bins));
  const sums = [INVOICE, COLLECTED, COST].map(() => new Float64Array(bins));
  for (let i = 0; i < event.length; i++) {
    const code = CODES.get(event[i]);
    if (code === undefined) continue;
    const d = dayOf(time[i]) - first;
    if (d < 0 || d >= bins) continue;
    if (code <= LOST) counts[code][d]++;
    else {
      const v = amount[i];
      if (typeof v === 'number') sums[code - INVOICE][d] += v;
    }
  }
  const [leads, signed, lost] = counts;
  const [invoiced, collected, cost] = sums;
  const total = (bin: ArrayLike<number>, from: number, to: number): number => {
    let s = 0;
    for (let d = from; d < to; d++) s += bin[d];
    return s;
  };
  /** A KPI from a function of the bins summed over [from, to). */
  const kpi = (of: (from: number, to: number) => number | null): ReferenceKpi => ({
    value: of(days, bins),
    previous: of(0, days),
    daily: Array.from({ length: days }, (_, d) => of(days + d, days + d + 1)),
  });
  const ratio = (top: ArrayLike<number>, bottom: (from: number, to: number) => number) => (from: number, to: number) => {
    const b = bottom(from, to);
    return b ? total(top, from, to) / b : null;
  };
  return {
    leadVolume: kpi((from, to) => total(leads, from, to)),
    winRate: kpi(ratio(signed, (from, to) => total(signed, from, to) + total(lost, from, to))),
    collectionRatio: kpi(ratio(collected, (from, to) => total(invoiced, from, to))),
    resourceInput: kpi((from, to) => total(cost, from, to)),
  };
}
