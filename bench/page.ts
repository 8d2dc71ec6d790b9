/**
 * In-page benchmark entry, bundled by bench/run.mjs with esbuild and exposed as
 * `globalThis.funnelBench`. Data is generated once per size, outside the timed region; each
 * timed run calls computeFunnel (or the reference) on the same contract / column arrays.
 * @module
 */
import { computeFunnel, type FunnelViewModel } from '../src/analytics/index.js';
import type { ColumnsData, FunnelContract, InlineContract } from '../src/analytics/contract.js';
import { contractColumns, parseTimes } from '../src/analytics/columns.js';
import { parseDuration } from '../src/analytics/time.js';
import { generateBenchData, STEPS, type BenchData } from './data.js';
import { referenceFunnel, type ReferenceResult } from './reference.js';

export interface BenchOptions {
  name: string;
  events: number;
  entities: number;
  seed?: number;
  warmup?: number;
  runs?: number;
}

export interface BenchResult {
  bench: string;
  ms: number;
  refMs: number;
  ratio: number;
  events: number;
  entities: number;
  stepEvents: number;
  runs: number;
  samples: number[];
  refSamples: number[];
  counts: number[];
  error?: string;
}

const WINDOW = '14d';
let current: { key: string; data: BenchData; contract: InlineContract<FunnelContract> } | null = null;

function load(events: number, entities: number, seed: number) {
  const key = `${events}/${entities}/${seed}`;
  if (current?.key !== key) {
    current = null; // let the previous size be collected first
    const data = generateBenchData({ seed, events, entities });
    const contract: InlineContract<FunnelContract> = {
      version: 1,
      kind: 'funnel',
      data: { columns: data.columns as ColumnsData['columns'] },
      fields: { entity: 'entity', time: 'ts', event: 'event' },
      funnel: {
        steps: STEPS.map((event) => ({ event })),
        order: 'ordered',
        window: WINDOW,
        breakdown: { field: 'region', attribution: 'first-touch', limit: 10 },
      },
    };
    current = { key, data, contract };
  }
  return current;
}

function runReference(data: BenchData): ReferenceResult {
  const c = data.columns;
  return referenceFunnel(
    { entity: c.entity, event: c.event, time: c.ts as number[], breakdown: c.region },
    STEPS,
    parseDuration(WINDOW, '/funnel/window'),
  );
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** Counts from both implementations, or a description of how they differ. */
function compare(view: FunnelViewModel, ref: ReferenceResult): string | undefined {
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

export function runBench({ name, events, entities, seed = 1, warmup = 2, runs = 7 }: BenchOptions): BenchResult {
  const { data, contract } = load(events, entities, seed);
  let view: FunnelViewModel | undefined;
  let ref: ReferenceResult | undefined;
  for (let i = 0; i < warmup; i++) {
    view = computeFunnel(contract);
    ref = runReference(data);
  }
  const samples: number[] = [];
  const refSamples: number[] = [];
  // Interleaved so drift (thermal, other load) hits both alike; GC between runs when exposed.
  for (let i = 0; i < runs; i++) {
    gc();
    let t0 = performance.now();
    view = computeFunnel(contract);
    samples.push(performance.now() - t0);
    gc();
    t0 = performance.now();
    ref = runReference(data);
    refSamples.push(performance.now() - t0);
  }
  const ms = median(samples);
  const refMs = median(refSamples);
  return {
    bench: name,
    ms: round(ms),
    refMs: round(refMs),
    ratio: round(ms / refMs, 2),
    events: data.events,
    entities: data.entities,
    stepEvents: data.stepEvents,
    runs,
    samples: samples.map((x) => round(x)),
    refSamples: refSamples.map((x) => round(x)),
    counts: view!.steps.map((s) => s.count),
    error: compare(view!, ref!),
  };
}

/**
 * Where computeFunnel's time goes, by phase, re-running the exported pieces it is built from on
 * the same contract: contractColumns (the column arrays by name), parseTimes (every
 * row's time as epoch ms; computeFunnel does this inside its own pass, so this is an upper bound)
 * and the remainder (the per-row pass in prepare, matching, tallies, breakdown, insights).
 * Medians over `runs`, after one warm-up. The CPU profile (--profile) gives the finer split.
 */
export function profilePhases({ events, entities, seed = 1, runs = 5 }: BenchOptions): Record<string, number> {
  const { contract } = load(events, entities, seed);
  const names = ['total', 'contractColumns', 'parseTimes', 'rest'];
  const phases: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < runs + 1; i++) {
    const sample: Record<string, number> = {};
    gc();
    let t0 = performance.now();
    computeFunnel(contract);
    sample.total = performance.now() - t0;
    gc();
    t0 = performance.now();
    const columns = contractColumns(contract);
    sample.contractColumns = performance.now() - t0;
    t0 = performance.now();
    parseTimes(columns, contract.fields.time!, contract.timeZone ?? 'UTC');
    sample.parseTimes = performance.now() - t0;
    sample.rest = sample.total - sample.contractColumns - sample.parseTimes;
    if (i === 0) continue; // warm-up
    for (const n of names) phases[n].push(sample[n]);
  }
  return Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, round(median(v))]));
}

export function computeOnce({ events, entities, seed = 1 }: BenchOptions): void {
  const { contract } = load(events, entities, seed);
  computeFunnel(contract);
}

export function prepareData({ events, entities, seed = 1 }: BenchOptions): void {
  load(events, entities, seed);
}
