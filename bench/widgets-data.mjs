// Data for the page-level widget benchmarks (bench/widgets.mjs): an event log generated straight
// into typed arrays (10M rows as row objects would not fit comfortably in Node), written as Arrow
// IPC (flechette) and Parquet (hyparquet-writer) into node_modules/.cache/funnelkit-bench/, with
// the typed-array reference funnel (bench/reference.ts) computed on the same arrays and cached
// next to the files. Deterministic for a seed: the same seed gives the same bytes and counts.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dictionary, float64, int32, int8, tableFromArrays, tableToIPC, utf8 } from '@uwdata/flechette';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { tsImport } from 'tsx/esm/api';
import { createStream } from '../demo/data/rng.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CACHE_DIR = join(ROOT, 'node_modules', '.cache', 'funnelkit-bench');
/** Bump when the generator changes: cached files carry it in their names. */
const GENERATOR_VERSION = 1;

export const STEPS = ['s1', 's2', 's3', 's4', 's5', 's6'];
export const WINDOW = '30d';
export const WINDOW_MS = 30 * 86_400_000;
export const REGIONS = ['North America', 'Europe', 'Asia Pacific', 'Latin America', 'Middle East', 'Africa', 'Oceania', 'Nordics'];
const REGION_WEIGHTS = [30, 25, 18, 9, 6, 5, 4, 3];
const FILLER = ['page_view', 'click', 'email_open']; // 60 / 30 / 10
const EVENT_NAMES = [...STEPS, ...FILLER];
const START = Date.UTC(2025, 0, 1);
const MINUTES = 90 * 24 * 60; // a 90-day range, whole minutes
const MINUTE = 60_000;
/** Chance to go on to the next step, and the mean gap before it (minutes, exponential). */
const CONTINUE = 0.6;
const MEAN_GAP = 4 * 24 * 60;
/** Chance of a second attempt (s1 again, later) after the first one stops. */
const RETRY = 0.2;

/** The contract's funnel section: 6 ordered steps, a 30-day window, broken down by region. */
export function funnelSection() {
  return { steps: STEPS.map((event) => ({ event })), order: 'ordered', window: WINDOW, breakdown: { field: 'region', limit: 10 } };
}

/**
 * `entities` users, each with one or two attempts at the 6-step funnel (every step event of a user
 * at a later minute than the one before: no ties), then page views, clicks and email opens of
 * uniform users at uniform minutes until there are exactly `events` rows. A user keeps one region.
 * Rows are sorted by minute (counting sort, stable). Columns: time (Float64Array, epoch ms),
 * entity (Int32Array, 1…entities), event and region (indices into EVENT_NAMES / REGIONS).
 */
export function generateEvents({ seed = 1, entities, events }) {
  const stepRng = createStream(seed, 1);
  const fillRng = createStream(seed, 2);
  const regionCum = cumulative(REGION_WEIGHTS);
  const regionOf = new Int8Array(entities);
  // Step events: at most 2 attempts × 6 steps per user.
  const cap = entities * 12;
  const sEnt = new Int32Array(cap);
  const sMin = new Int32Array(cap);
  const sEv = new Int8Array(cap);
  let s = 0;
  for (let e = 0; e < entities; e++) {
    regionOf[e] = pick(regionCum, stepRng());
    let t = Math.floor(stepRng() * MINUTES);
    for (let attempt = 0; attempt < 2 && t < MINUTES; attempt++) {
      if (attempt === 1 && stepRng() >= RETRY) break;
      for (let k = 0; k < STEPS.length && t < MINUTES; k++) {
        if (k > 0 && stepRng() >= CONTINUE) break;
        sEnt[s] = e;
        sMin[s] = t;
        sEv[s] = k;
        s++;
        t += 1 + Math.floor(-Math.log(1 - stepRng()) * MEAN_GAP);
      }
      t += 1 + Math.floor(stepRng() * 20 * 24 * 60);
    }
  }
  const stepEvents = s;
  if (stepEvents > events) throw new RangeError(`${stepEvents} step events exceed the target of ${events}`);
  // Counting sort by minute over step rows, then filler rows.
  const fEnt = new Int32Array(events - stepEvents);
  const fMin = new Int32Array(events - stepEvents);
  const fEv = new Int8Array(events - stepEvents);
  for (let i = 0; i < fEnt.length; i++) {
    fEnt[i] = Math.floor(fillRng() * entities);
    fMin[i] = Math.floor(fillRng() * MINUTES);
    const r = fillRng();
    fEv[i] = STEPS.length + (r < 0.6 ? 0 : r < 0.9 ? 1 : 2);
  }
  const offsets = new Int32Array(MINUTES + 1);
  for (let i = 0; i < stepEvents; i++) offsets[sMin[i] + 1]++;
  for (let i = 0; i < fMin.length; i++) offsets[fMin[i] + 1]++;
  for (let m = 0; m < MINUTES; m++) offsets[m + 1] += offsets[m];
  const time = new Float64Array(events);
  const entity = new Int32Array(events);
  const event = new Int8Array(events);
  const region = new Int8Array(events);
  const put = (e, m, ev) => {
    const at = offsets[m]++;
    time[at] = START + m * MINUTE;
    entity[at] = e + 1;
    event[at] = ev;
    region[at] = regionOf[e];
  };
  for (let i = 0; i < stepEvents; i++) put(sEnt[i], sMin[i], sEv[i]);
  for (let i = 0; i < fMin.length; i++) put(fEnt[i], fMin[i], fEv[i]);
  return { time, entity, event, region, events, entities, stepEvents };
}

function cumulative(weights) {
  const total = weights.reduce((a, b) => a + b, 0);
  let run = 0;
  return weights.map((w) => (run += w) / total);
}
function pick(cum, r) {
  let i = 0;
  while (i < cum.length - 1 && r >= cum[i]) i++;
  return i;
}

/** Index columns → arrays of strings (what the reference and inline contracts take). */
export const names = (indices, dict) => Array.from(indices, (i) => dict[i]);
export const eventNames = (data) => names(data.event, EVENT_NAMES);
export const regionNames = (data) => names(data.region, REGIONS);

/** The reference funnel (bench/reference.ts) on these arrays: overall and per-region step counts. */
export async function reference(data) {
  const { referenceFunnel } = await tsImport('./reference.ts', import.meta.url);
  const r = referenceFunnel({ entity: data.entity, event: eventNames(data), time: data.time, breakdown: regionNames(data) }, STEPS, WINDOW_MS);
  return { steps: r.steps, groups: Object.fromEntries([...r.groups].sort(([a], [b]) => (a < b ? -1 : 1))), entities: r.entities };
}

/** Small inline columns for contracts given in the page (JSON-able). */
export function inlineColumns(data) {
  return { time: Array.from(data.time), entity: Array.from(data.entity), event: eventNames(data), region: regionNames(data) };
}

/**
 * The data set `name` (events, entities, formats), from the cache or generated and written there.
 * Returns the file paths and the reference counts.
 */
export async function dataset({ name, events, entities, formats, seed = 1, log = () => {} }) {
  const base = join(CACHE_DIR, `v${GENERATOR_VERSION}-${name}-seed${seed}`);
  const files = Object.fromEntries(formats.map((f) => [f, `${base}.${f}`]));
  const refFile = `${base}.reference.json`;
  if (existsSync(refFile) && formats.every((f) => existsSync(files[f]))) {
    log(`${name}: cached in ${dirname(base)}`);
    return { files, ...JSON.parse(readFileSync(refFile, 'utf8')) };
  }
  mkdirSync(CACHE_DIR, { recursive: true });
  let t = performance.now();
  const data = generateEvents({ seed, entities, events });
  log(`${name}: generated ${events} events / ${entities} entities (${data.stepEvents} step events) in ${(performance.now() - t).toFixed(0)} ms`);
  t = performance.now();
  const ref = await reference(data);
  log(`${name}: reference funnel in ${(performance.now() - t).toFixed(0)} ms: ${JSON.stringify(ref.steps)}`);
  for (const format of formats) {
    t = performance.now();
    const bytes = format === 'arrow' ? toArrow(data) : toParquet(data);
    writeAtomically(files[format], bytes);
    log(`${name}: wrote ${files[format]} (${(bytes.byteLength / 1e6).toFixed(1)} MB) in ${(performance.now() - t).toFixed(0)} ms`);
  }
  const meta = { events, entities: data.entities, stepEvents: data.stepEvents, reference: ref };
  writeAtomically(refFile, JSON.stringify(meta));
  return { files, ...meta };
}

function writeAtomically(file, bytes) {
  writeFileSync(`${file}.tmp`, bytes);
  renameSync(`${file}.tmp`, file);
}

/** Arrow IPC file: time float64 (epoch ms), entity int32, event and region dictionary-encoded utf8. */
function toArrow(data) {
  const table = tableFromArrays(
    { time: data.time, entity: data.entity, event: eventNames(data), region: regionNames(data) },
    { types: { time: float64(), entity: int32(), event: dictionary(utf8(), int8()), region: dictionary(utf8(), int8()) } },
  );
  return tableToIPC(table, { format: 'file' });
}

/** Parquet (Snappy, hyparquet-writer's defaults): time DOUBLE, entity INT32, event and region STRING. */
function toParquet(data) {
  return new Uint8Array(
    parquetWriteBuffer({
      columnData: [
        { name: 'time', data: data.time, type: 'DOUBLE' },
        { name: 'entity', data: data.entity, type: 'INT32' },
        { name: 'event', data: eventNames(data), type: 'STRING' },
        { name: 'region', data: regionNames(data), type: 'STRING' },
      ],
    }),
  );
}
