/**
 * In-page benchmark entry, bundled by bench/run.mjs with esbuild and exposed as
 * `globalThis.fkBench`. Data is generated once per size, outside the timed region; each timed
 * run calls the engine (computeFunnel, computeCohorts, computeKpis or computeAnomalies) or its
 * reference on the same contract / column arrays.
 * @module
 */
import {
  computeAnomalies,
  computeCohorts,
  computeFunnel,
  computeKpis,
  type AnomalyViewModel,
  type CohortViewModel,
  type FunnelViewModel,
  type KpiResult,
  type KpiViewModel,
} from '../src/analytics/index.js';
import type { AnomalyContract, CohortContract, ColumnsData, FunnelContract, InlineContract, KpiContract } from '../src/analytics/contract.js';
import { contractColumns, parseTimes } from '../src/analytics/columns.js';
import { parseDuration } from '../src/analytics/time.js';
import { ANOMALY_DAYS, generateAnomalyEvents, generateFiveYearPoints, OFFSET_MS, TIME_ZONE } from './anomaly-data.js';
import { referenceBand, referenceSplitCounts, type BandReferenceResult, type SplitReferenceResult } from './anomaly-reference.js';
import { generateCohortData, PERIODS, RANGE, RETURN_EVENT, START_EVENT } from './cohort-data.js';
import { referenceCohorts, type CohortReferenceResult } from './cohort-reference.js';
import { generateBenchData, STEPS } from './data.js';
import { generateKpiData } from './kpi-data.js';
import { referenceKpis, type KpiReferenceResult, type ReferenceKpi } from './kpi-reference.js';
import { referenceFunnel, type ReferenceResult } from './reference.js';
import { KPI_AS_OF, kpiContract } from '../demo/kpis.js';

export type BenchKind = 'funnel' | 'cohort' | 'kpi' | 'anomaly' | 'anomaly-band';

export interface BenchOptions {
  kind: BenchKind;
  name: string;
  events: number;
  entities: number;
  seed?: number;
  warmup?: number;
  runs?: number;
}

export interface BenchResult {
  bench: string;
  /** The function timed: `computeFunnel`, `computeCohorts`, `computeKpis` or `computeAnomalies`. */
  engine: string;
  ms: number;
  refMs: number;
  ratio: number;
  events: number;
  entities: number;
  /**
   * Size figures of the data printed after `entities`: `stepEvents`; `startEvents`, `returnEvents`,
   * `members`; `leads`, `closed`, `cash`; `series`, `points`, `alerts` (anomaly).
   */
  sizes: Record<string, number>;
  runs: number;
  samples: number[];
  refSamples: number[];
  /** The engine's counts, for the log: step counts, a line per cohort (week, size: cells), or the KPI values. */
  counts: string;
  error?: string;
}

/** One benchmark's data and contract, and what to time and compare on them. */
interface Loaded<V = unknown, R = unknown> {
  engine: string;
  /** An anomaly contract over given points has no data or fields. */
  contract: InlineContract | AnomalyContract;
  events: number;
  entities: number;
  sizes: Record<string, number>;
  compute(): V;
  reference(): R;
  /** Undefined when the counts agree, else both sides' counts where they differ. */
  compare(view: V, ref: R): string | undefined;
  counts(view: V): string;
}

const WINDOW = '14d';

/** What both contracts share: the inline columns and the entity / time / event fields. */
const eventsContract = (columns: ColumnsData['columns']) =>
  ({ version: 1, data: { columns }, fields: { entity: 'entity', time: 'ts', event: 'event' } }) as const;

function loadFunnel(seed: number, events: number, entities: number): Loaded<FunnelViewModel, ReferenceResult> {
  const data = generateBenchData({ seed, events, entities });
  const c = data.columns;
  const contract: InlineContract<FunnelContract> = {
    ...eventsContract(c as ColumnsData['columns']),
    kind: 'funnel',
    funnel: {
      steps: STEPS.map((event) => ({ event })),
      order: 'ordered',
      window: WINDOW,
      breakdown: { field: 'region', attribution: 'first-touch', limit: 10 },
    },
  };
  const windowMs = parseDuration(WINDOW, '/funnel/window');
  return {
    engine: 'computeFunnel',
    contract,
    events: data.events,
    entities: data.entities,
    sizes: { stepEvents: data.stepEvents },
    compute: () => computeFunnel(contract),
    reference: () => referenceFunnel({ entity: c.entity, event: c.event, time: c.ts as number[], breakdown: c.region }, STEPS, windowMs),
    compare: compareFunnel,
    counts: (view) => JSON.stringify(view.steps.map((s) => s.count)),
  };
}

function loadCohort(seed: number, events: number, entities: number): Loaded<CohortViewModel, CohortReferenceResult> {
  const data = generateCohortData({ seed, events, entities });
  const c = data.columns;
  const contract: InlineContract<CohortContract> = {
    ...eventsContract(c),
    kind: 'cohort',
    cohort: {
      start: { event: START_EVENT },
      return: { event: RETURN_EVENT },
      type: 'first-time',
      period: 'week',
      periods: PERIODS,
      mode: 'on',
      range: RANGE,
    },
  };
  const spec = { start: START_EVENT, return: RETURN_EVENT, periods: PERIODS, from: Date.parse(RANGE.from), to: Date.parse(RANGE.to) };
  const reference = () => referenceCohorts({ entity: c.entity, event: c.event, time: c.ts }, spec);
  const { members } = reference();
  return {
    engine: 'computeCohorts',
    contract,
    events: data.events,
    entities: data.entities,
    sizes: { startEvents: data.startEvents, returnEvents: data.returnEvents, members },
    compute: () => computeCohorts(contract),
    reference,
    compare: compareCohorts,
    counts: (view) => view.cohorts.map((row) => `\n  ${row.cohort} ${row.size}: ${row.cells.map((cell) => cell.count).join(' ')}`).join(''),
  };
}

/** The demo's seven lead-to-cash KPIs (demo/kpis.js): last 30 days, the 30 before, daily sparklines. */
function loadKpi(seed: number, events: number, entities: number): Loaded<KpiViewModel, KpiReferenceResult> {
  const data = generateKpiData({ seed, events, entities });
  const c = data.columns;
  const contract = kpiContract({ columns: c }, 'en', { title: 'Lead to cash', timeZone: 'Asia/Shanghai' }) as InlineContract<KpiContract>;
  const spec = { asOf: Date.parse(KPI_AS_OF), days: 30, offsetMs: 8 * 3_600_000 };
  return {
    engine: 'computeKpis',
    contract,
    events: data.events,
    entities: data.entities,
    sizes: { kpis: contract.kpi.kpis!.length, leads: data.leads, closed: data.closed, cash: data.cash },
    compute: () => computeKpis(contract),
    reference: () => referenceKpis({ event: c.event, time: c.ts as number[], amount: c.amount }, spec),
    compare: compareKpis,
    counts: (view) => view.kpis.map((k) => `\n  ${k.id}: ${k.value} (previous ${k.previous})`).join(''),
  };
}

/** The three rules of `anomaly-1M`: a bound, a change and a band, each on every series. */
const ANOMALY_RULES: NonNullable<AnomalyContract['anomaly']['rules']> = [
  { id: 'floor', name: 'Under 20 leads a day', type: 'threshold', bound: { op: '<', value: 20 }, severity: 'warning' },
  { id: 'dod-drop', name: 'Day-over-day drop > 10%', type: 'change', compare: 'previous', direction: 'drop', threshold: 10, severity: 'critical' },
  { id: 'band', name: 'Mean ± 3σ, 14 days', type: 'band', method: 'mean-stddev', window: 14, minWindow: 7, k: 3 },
];
const SPLIT_LIMIT = 20;

/**
 * Leads a day by campaign from raw events: 1M rows, 36 campaigns, the 20 with most rows and
 * "Other" (21 series × 180 days), three rules on each. The reference computes the daily counts.
 */
function loadAnomaly(seed: number, events: number): Loaded<AnomalyViewModel, SplitReferenceResult> {
  const data = generateAnomalyEvents({ seed, events });
  const c = data.columns;
  const contract: InlineContract<AnomalyContract> = {
    version: 1,
    kind: 'anomaly',
    timeZone: TIME_ZONE,
    data: { columns: c },
    fields: { time: 'ts', event: 'event' },
    anomaly: {
      grain: 'day',
      measure: { op: 'count', filter: { event: 'lead' } },
      split: { field: 'campaign', limit: SPLIT_LIMIT },
      rules: ANOMALY_RULES,
    },
  };
  const compute = () => computeAnomalies(contract);
  const view = compute();
  return {
    engine: 'computeAnomalies',
    contract,
    events: data.events,
    entities: data.campaigns,
    sizes: { leads: data.leads, series: view.series.length, points: view.series.reduce((n, s) => n + s.points.length, 0), rules: ANOMALY_RULES.length, alerts: view.alerts.length },
    compute,
    reference: () => referenceSplitCounts({ time: c.ts, event: c.event, split: c.campaign }, { event: 'lead', limit: SPLIT_LIMIT, offsetMs: OFFSET_MS }),
    compare: compareSplitCounts,
    counts: (v) => v.series.map((s) => `
  ${s.key}: ${s.points.reduce((n, p) => n + (p.value ?? 0), 0)} leads, now ${s.state}`).join(''),
  };
}

const BAND = { window: 28, minWindow: 14, k: 3 };

/** Five years of pre-aggregated daily points (1,826) against a mean ± 3σ band over 28 days. */
function loadAnomalyBand(seed: number): Loaded<AnomalyViewModel, BandReferenceResult> {
  const points = generateFiveYearPoints({ seed });
  const contract: AnomalyContract = {
    version: 1,
    kind: 'anomaly',
    anomaly: { grain: 'day', points, rules: [{ id: 'band', type: 'band', method: 'mean-stddev', ...BAND }] },
  };
  const compute = () => computeAnomalies(contract);
  const view = compute();
  return {
    engine: 'computeAnomalies',
    contract,
    events: points.length,
    entities: 1,
    sizes: { series: view.series.length, points: view.series[0].points.length, window: BAND.window, alerts: view.alerts.length },
    compute,
    reference: () => referenceBand(points.map((p) => p.value), BAND),
    compare: compareBand,
    counts: (v) => `${v.alerts.length} alerts: ${v.alerts.map((a) => a.start).join(' ')}`,
  };
}

const LOADERS: Record<BenchKind, (seed: number, events: number, entities: number) => Loaded> = {
  funnel: loadFunnel,
  cohort: loadCohort,
  kpi: loadKpi,
  anomaly: loadAnomaly,
  'anomaly-band': loadAnomalyBand,
};

let current: { key: string; loaded: Loaded } | null = null;

function load({ kind, events, entities, seed = 1 }: BenchOptions): Loaded {
  const key = `${kind}/${events}/${entities}/${seed}`;
  if (current?.key !== key) {
    current = null; // let the previous data be collected first
    current = { key, loaded: LOADERS[kind](seed, events, entities) };
  }
  return current.loaded;
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** Step counts from both implementations, or a description of how they differ. */
function compareFunnel(view: FunnelViewModel, ref: ReferenceResult): string | undefined {
  const problems: string[] = [];
  const got = view.steps.map((s) => s.count);
  if (JSON.stringify(got) !== JSON.stringify(ref.steps)) {
    problems.push(`step counts differ: computeFunnel ${JSON.stringify(got)} vs reference ${JSON.stringify(ref.steps)}`);
  }
  const groups = new Map((view.breakdown ?? []).map((g) => [g.value, g.steps.map((s) => s.count)]));
  const keys = new Set([...groups.keys(), ...ref.groups.keys()]);
  for (const key of keys) {
    const a = JSON.stringify(groups.get(key) ?? null);
    const b = JSON.stringify(ref.groups.get(key) ?? null);
    if (a !== b) problems.push(`breakdown "${key}" differs: computeFunnel ${a} vs reference ${b}`);
  }
  return problems.length ? problems.join('\n') : undefined;
}

/**
 * Cohort by cohort (same number of cohorts, same start week): the size, and every cell the view
 * model has (cells of periods that have not begun by the latest event are absent there).
 */
function compareCohorts(view: CohortViewModel, ref: CohortReferenceResult): string | undefined {
  const problems: string[] = [];
  if (view.cohorts.length !== ref.cohorts.length) {
    problems.push(`number of cohorts differs: computeCohorts ${view.cohorts.length} vs reference ${ref.cohorts.length}`);
  }
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  for (let i = 0; i < Math.max(view.cohorts.length, ref.cohorts.length); i++) {
    const got = view.cohorts[i];
    const want = ref.cohorts[i];
    const a = got ? `${day(got.start)} size ${got.size} cells ${JSON.stringify(got.cells.map((cell) => cell.count))}` : 'none';
    const b = want ? `${day(want.start)} size ${want.size} cells ${JSON.stringify(want.counts)}` : 'none';
    const differs =
      !got ||
      !want ||
      got.start !== want.start ||
      got.size !== want.size ||
      got.cells.some((cell) => cell.period < want.counts.length && cell.count !== want.counts[cell.period]);
    if (differs) problems.push(`cohort ${i}: computeCohorts ${a}\n    vs reference ${b}`);
  }
  if (view.entities !== ref.members) problems.push(`entities in any cohort: computeCohorts ${view.entities} vs reference ${ref.members}`);
  return problems.length ? problems.join('\n') : undefined;
}

/** The KPIs the reference computes, by id in demo/kpis.js: value, previous and every sparkline point must be equal. */
function compareKpis(view: KpiViewModel, ref: KpiReferenceResult): string | undefined {
  const pairs: Array<[string, ReferenceKpi]> = [
    ['lead-volume', ref.leadVolume],
    ['win-rate', ref.winRate],
    ['collection-ratio', ref.collectionRatio],
    ['resource-input', ref.resourceInput],
  ];
  const problems: string[] = [];
  for (const [id, want] of pairs) {
    const got: KpiResult | undefined = view.kpis.find((k) => k.id === id);
    const a = got && { value: got.value, previous: got.previous, daily: got.sparkline.map((p) => p.value) };
    if (JSON.stringify(a ?? null) !== JSON.stringify(want)) problems.push(`${id}: computeKpis ${JSON.stringify(a ?? null)}\n    vs reference ${JSON.stringify(want)}`);
  }
  return problems.length ? problems.join('\n') : undefined;
}

/** Series by series (same keys in the same order): every day's start and count. */
function compareSplitCounts(view: AnomalyViewModel, ref: SplitReferenceResult): string | undefined {
  const problems: string[] = [];
  const got = view.series.map((s) => s.key);
  const want = ref.series.map((s) => s.key);
  if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`series differ: computeAnomalies ${JSON.stringify(got)}\n    vs reference ${JSON.stringify(want)}`);
  for (const s of view.series) {
    const r = ref.series.find((x) => x.key === s.key);
    if (!r) continue;
    const starts = s.points.map((p) => p.start);
    if (starts.length !== ref.days.length || starts.some((t, i) => t !== ref.days[i])) {
      problems.push(`"${s.key}": days differ: computeAnomalies ${starts.length} from ${s.points[0]?.period} vs reference ${ref.days.length} from ${new Date(ref.days[0] + OFFSET_MS).toISOString().slice(0, 10)}`);
      continue;
    }
    const bad = s.points.findIndex((p, i) => p.value !== r.counts[i]);
    if (bad >= 0) problems.push(`"${s.key}" ${s.points[bad].period}: computeAnomalies ${s.points[bad].value} vs reference ${r.counts[bad]}`);
  }
  if (view.series.length && view.series[0].points.length !== ANOMALY_DAYS) problems.push(`expected ${ANOMALY_DAYS} days, got ${view.series[0].points.length}`);
  return problems.length ? problems.join('\n') : undefined;
}

/** Point by point: the band (expected, lower, upper, to 1e-9 relative) and whether it breaches. */
function compareBand(view: AnomalyViewModel, ref: BandReferenceResult): string | undefined {
  const problems: string[] = [];
  const points = view.series[0]?.points ?? [];
  if (points.length !== ref.expected.length) return `points differ: computeAnomalies ${points.length} vs reference ${ref.expected.length}`;
  const close = (a: number | null, b: number) => (a === null ? Number.isNaN(b) : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)));
  points.forEach((p, i) => {
    const e = p.rules[0];
    if (!close(e.expected, ref.expected[i]) || !close(e.lower, ref.lower[i]) || !close(e.upper, ref.upper[i]) || e.breach !== (ref.breach[i] === 1)) {
      if (problems.length < 5) {
        problems.push(`${p.period}: computeAnomalies ${JSON.stringify([e.expected, e.lower, e.upper, e.breach])} vs reference ${JSON.stringify([ref.expected[i], ref.lower[i], ref.upper[i], ref.breach[i] === 1])}`);
      }
    }
  });
  return problems.length ? problems.join('\n') : undefined;
}

export function runBench(options: BenchOptions): BenchResult {
  const { name, warmup = 2, runs = 7 } = options;
  const b = load(options);
  let view: unknown;
  let ref: unknown;
  for (let i = 0; i < warmup; i++) {
    view = b.compute();
    ref = b.reference();
  }
  const samples: number[] = [];
  const refSamples: number[] = [];
  // Interleaved so drift (thermal, other load) hits both alike; GC between runs when exposed.
  for (let i = 0; i < runs; i++) {
    gc();
    let t0 = performance.now();
    view = b.compute();
    samples.push(performance.now() - t0);
    gc();
    t0 = performance.now();
    ref = b.reference();
    refSamples.push(performance.now() - t0);
  }
  const ms = median(samples);
  const refMs = median(refSamples);
  return {
    bench: name,
    engine: b.engine,
    ms: round(ms),
    refMs: round(refMs),
    ratio: round(ms / refMs, 2),
    events: b.events,
    entities: b.entities,
    sizes: b.sizes,
    runs,
    samples: samples.map((x) => round(x)),
    refSamples: refSamples.map((x) => round(x)),
    counts: b.counts(view),
    error: b.compare(view, ref),
  };
}

/**
 * Where the engine's time goes, by phase, re-running the exported pieces it is built from on
 * the same contract: contractColumns (the column arrays by name), parseTimes (every row's time
 * as epoch ms; the engine may do this inside its own pass, so this is an upper bound) and the
 * remainder (the engine's own passes and view model). Medians over `runs`, after one warm-up.
 * The CPU profile (--profile) gives the finer split.
 */
export function profilePhases(options: BenchOptions): Record<string, number> {
  const { runs = 5 } = options;
  const b = load(options);
  const { contract } = b;
  const names = ['total', 'contractColumns', 'parseTimes', 'rest'];
  const phases: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < runs + 1; i++) {
    const sample: Record<string, number> = {};
    gc();
    let t0 = performance.now();
    b.compute();
    sample.total = performance.now() - t0;
    gc();
    // Given points (an anomaly contract without data) have no columns or times to parse.
    const time = contract.data ? contract.fields?.time : undefined;
    t0 = performance.now();
    const columns = time ? contractColumns(contract as InlineContract) : null;
    sample.contractColumns = performance.now() - t0;
    t0 = performance.now();
    if (columns && time) parseTimes(columns, time, contract.timeZone ?? 'UTC');
    sample.parseTimes = performance.now() - t0;
    sample.rest = sample.total - sample.contractColumns - sample.parseTimes;
    if (i === 0) continue; // warm-up
    for (const n of names) phases[n].push(sample[n]);
  }
  return Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, round(median(v))]));
}

export function computeOnce(options: BenchOptions): void {
  load(options).compute();
}

export function prepareData(options: BenchOptions): void {
  load(options);
}
