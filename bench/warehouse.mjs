#!/usr/bin/env node
// `npm run bench:warehouse` (issue 15): the same contracts computed inside DuckDB on 10M and 100M
// generated events, beside the in-memory (browser) engine on the same 10M.
//
// The events are generated INSIDE DuckDB with the widget benchmark's distributions
// (bench/widgets-data.mjs): users with one or two attempts at a 6-step funnel (60% go on to the
// next step, gaps exponential with a 4-day mean), 8 regions weighted 30/25/18/9/6/5/4/3, and
// page views, clicks and email opens filling up to the row count, over 90 days. Pseudo-random
// numbers come from `hash(entity, step, salt)`, so a size always gives the same table, however
// many threads DuckDB uses. Databases are cached in node_modules/.cache/funnelkit-bench/.
//
// Measured per size: a 6-step ordered funnel with an 8-way breakdown (30-day window), and
// first-time weekly retention × 12 periods, each through `runContract` (the time includes
// checking the table and shaping the returned contract); Node's peak RSS while DuckDB works
// (DuckDB's memory is capped and spills to a temp folder). For 10M the in-memory engine reads the
// same rows (in a child process, so its memory does not count against the warehouse run) and
// computes the same two contracts; its counts must equal DuckDB's.
//
// ClickHouse (issue 16), for the sizes in --clickhouse-sizes (default 1M,10M) that --sizes runs,
// when Debian's clickhouse-server is installed (or --clickhouse on): the same rows, exported from the DuckDB file, loaded through a Distributed
// table into a two-shard cluster on this machine (scripts/clickhouse.mjs, sharded by entity), and
// the same two contracts run by `runContract` with a ClickHouse client; its counts must equal
// DuckDB's. Loading is not measured.
//
// stdout: one JSON object per measurement; logs on stderr. Not asserted against targets: printed.
// Options: --sizes 10M,100M (default both)   --runs N (default 3, median)   --clickhouse on|off|auto (default auto)
//          --clickhouse-sizes 1M,10M (default)
//          --memory 4GB (DuckDB's memory_limit, a sixth of the test machine's 24 GiB;
// past it DuckDB spills to node_modules/.cache/funnelkit-bench/duckdb-tmp; 1GB spills far more: see bench/README.md).
// DuckDB runs inside Node's process, so the process's RSS includes DuckDB's buffers; Node's own share is its JS
// heap, printed apart.
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { tsImport } from 'tsx/esm/api';
import { hasClickHouse, startClickHouse } from '../scripts/clickhouse.mjs';
import { CACHE_DIR, REGIONS, STEPS, WINDOW } from './widgets-data.mjs';

const { values: opts } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10M,100M' },
    runs: { type: 'string', default: '3' },
    memory: { type: 'string', default: '4GB' },
    clickhouse: { type: 'string', default: 'auto' },
    'clickhouse-sizes': { type: 'string', default: '1M,10M' },
    child: { type: 'string' },
  },
});
const log = (...args) => console.error('[warehouse]', ...args);
const SIZES = { '1M': [1_000_000, 100_000], '10M': [10_000_000, 1_000_000], '100M': [100_000_000, 10_000_000] };
const GENERATOR_VERSION = 1;

/** The two contracts, without data: the table is named when they run. */
export const FUNNEL = {
  version: 1,
  kind: 'funnel',
  title: '6 steps × 8 regions',
  fields: { entity: 'entity', event: 'event', time: 'time' },
  funnel: { steps: STEPS.map((event) => ({ event })), order: 'ordered', window: WINDOW, breakdown: { field: 'region', limit: 10 } },
};
export const RETENTION = {
  version: 1,
  kind: 'cohort',
  title: 'First-time weekly retention × 12',
  fields: { entity: 'entity', event: 'event', time: 'time' },
  cohort: { type: 'first-time', period: 'week', periods: 12, start: { event: 's1' }, return: {} },
};

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const round = (x) => Math.round(x);

/** A uniform number in [0, 1) from a hash of its arguments: the same for the same row, on any thread. */
const u = (row, k, salt) => `(hash((${row}::UBIGINT * 64 + ${k}) * 64 + ${salt}) % 4294967296)::DOUBLE / 4294967296.0`;

/**
 * The generator in SQL: one row per entity with its region, start, gaps and continue draws, then
 * its step events (one SELECT per step and attempt), then the filler rows up to `events`.
 */
function generatorSql(events, entities) {
  const MINUTES = 90 * 24 * 60;
  const MEAN_GAP = 4 * 24 * 60;
  const START = Date.UTC(2025, 0, 1);
  const weights = [30, 25, 18, 9, 6, 5, 4, 3];
  const total = weights.reduce((a, b) => a + b, 0);
  let run = 0;
  const cum = weights.map((w) => (run += w) / total);
  // A user's region from its number alone, so filler rows get their user's region without a join.
  const regionOf = (e) => `CASE ${cum.slice(0, -1).map((c, i) => `WHEN ${u(e, 0, 1)} < ${c} THEN '${REGIONS[i]}'`).join(' ')} ELSE '${REGIONS.at(-1)}' END`;
  const region = regionOf('e');
  const attempts = [];
  for (let a = 0; a < 2; a++) {
    // Attempt 2 (20% of users) starts 1 minute to 20 days after attempt 1's last step.
    const gaps = STEPS.map((_, k) => `(1 + floor(-ln(1 - ${u('e', k, 10 + a)}) * ${MEAN_GAP}))`);
    const reach = STEPS.map((_, k) => (k === 0 ? 'TRUE' : STEPS.slice(1, k + 1).map((__, j) => `${u('e', j + 1, 20 + a)} < 0.6`).join(' AND ')));
    attempts.push({ gaps, reach });
  }
  const stepRows = [];
  for (let a = 0; a < 2; a++) {
    for (let k = 0; k < STEPS.length; k++) {
      const minute = `m${a}_${k}`;
      const cond = a === 0 ? attempts[0].reach[k] : `${u('e', 0, 30)} < 0.2 AND (${attempts[1].reach[k]})`;
      stepRows.push(`SELECT e + 1 AS entity, 's${k + 1}' AS event, ${minute} AS minute, region FROM ent WHERE ${cond} AND ${minute} < ${MINUTES}`);
    }
  }
  // Each step's minute: the start plus the gaps before it; attempt 2 after attempt 1's last reached step.
  const minutes = [];
  for (let k = 0; k < STEPS.length; k++) minutes.push(`t0 + ${attempts[0].gaps.slice(0, k).join(' + ') || '0'} AS m0_${k}`);
  const last0 = `CASE ${STEPS.map((_, k) => k)
    .reverse()
    .map((k) => `WHEN ${attempts[0].reach[k]} THEN m0_${k}`)
    .join(' ')} END`;
  const a1Start = `(${last0}) + 1 + floor(${u('e', 0, 31)} * ${20 * 24 * 60})`;
  // Each step's minute: the start plus the gaps before it; attempt 2 after attempt 1's last step.
  const m1 = STEPS.map((_, k) => `a1 + ${attempts[1].gaps.slice(0, k).join(' + ') || '0'} AS m1_${k}`);
  return [
    // Ordinary tables (dropped at the end), not TEMP ones, so DuckDB can spill them at 100M.
    `CREATE TABLE ent AS
     SELECT *, ${m1.join(', ')} FROM (
       SELECT *, ${a1Start} AS a1 FROM (
         SELECT *, ${minutes.join(', ')} FROM (
           SELECT e, ${region} AS region, floor(${u('e', 0, 2)} * ${MINUTES}) AS t0 FROM (SELECT range AS e FROM range(${entities}))
         )
       )
     )`,
    `CREATE TABLE steps AS ${stepRows.join(' UNION ALL ')}`,
    // Filler rows up to the total, then everything in time order (ties by entity), as a log is written.
    `CREATE TABLE events AS
     SELECT entity::INTEGER AS entity, event, (${START} + minute * 60000)::DOUBLE AS time, region FROM (
       SELECT * FROM steps
       UNION ALL
       SELECT entity, event, minute, ${regionOf('(entity - 1)')} AS region FROM (
         SELECT 1 + floor(${u('range', 0, 5)} * ${entities})::INTEGER AS entity,
                CASE WHEN ${u('range', 0, 7)} < 0.6 THEN 'page_view' WHEN ${u('range', 0, 7)} < 0.9 THEN 'click' ELSE 'email_open' END AS event,
                floor(${u('range', 0, 6)} * ${MINUTES}) AS minute
         FROM range((SELECT ${events} - count(*) FROM steps))
       )
     ) ORDER BY minute, entity`,
    `DROP TABLE steps`,
    `DROP TABLE ent`,
  ];
}

/** The cached database for a size, generated first if missing. */
async function database(name) {
  const [events, entities] = SIZES[name];
  mkdirSync(CACHE_DIR, { recursive: true });
  const file = join(CACHE_DIR, `warehouse-v${GENERATOR_VERSION}-${name}.duckdb`);
  if (existsSync(file)) return file;
  const partial = `${file}.partial`;
  rmSync(partial, { force: true });
  const started = performance.now();
  // Generating is not what is measured: it may use far more memory than the runs are given (100M sorts in ~10 GB).
  const instance = await DuckDBInstance.create(partial, { memory_limit: '14GB', temp_directory: join(CACHE_DIR, 'duckdb-tmp') });
  const connection = await instance.connect();
  for (const sql of generatorSql(events, entities)) await connection.run(sql);
  const count = Number((await connection.runAndReadAll('SELECT count(*) AS n FROM events')).getRowObjects()[0].n);
  await connection.run('CHECKPOINT');
  connection.closeSync();
  instance.closeSync();
  renameSync(partial, file);
  log(`${name}: generated ${count.toLocaleString('en')} events / ${entities.toLocaleString('en')} users inside DuckDB in ${round((performance.now() - started) / 1000)} s`);
  return file;
}

/** The process's peak RSS (DuckDB's buffers included) and Node's peak JS heap while `work` runs, sampled every 20 ms. */
async function peakRss(work) {
  let rss = 0;
  let heap = 0;
  const sample = () => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  };
  sample();
  const timer = setInterval(sample, 20);
  try {
    const result = await work();
    sample();
    return { result, peakRssMb: round(rss / 2 ** 20), peakHeapMb: round(heap / 2 ** 20) };
  } finally {
    clearInterval(timer);
  }
}

/** Counts of a returned funnel and cohort contract, to compare with the in-memory engine. */
const funnelCounts = (c) => ({ steps: c.funnel.steps.map((s) => s.count), groups: Object.fromEntries((c.funnel.groups ?? []).map((g) => [g.value, g.steps.map((s) => s.count)])) });
/** A cohort view model's rows: what the chart draws (drill-down id lists are a second query, not compared). */
const cohortRows = (vm) => vm.cohorts.map((r) => ({ cohort: r.cohort, size: r.size, cells: r.cells.map(({ entityIds: _ids, ...cell }) => cell) }));

async function warehouseRuns(name, runs) {
  const { runContract } = await tsImport('../src/warehouse/index.ts', import.meta.url);
  const file = await database(name);
  const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY', memory_limit: opts.memory, temp_directory: join(CACHE_DIR, 'duckdb-tmp') });
  const connection = await instance.connect();
  const out = {};
  try {
    for (const [label, contract] of [['funnel', FUNNEL], ['retention', RETENTION]]) {
      const times = [];
      let peak = 0;
      let heap = 0;
      let result;
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        const measured = await peakRss(() => runContract(contract, connection, { table: 'events' }));
        times.push(performance.now() - t0);
        peak = Math.max(peak, measured.peakRssMb);
        heap = Math.max(heap, measured.peakHeapMb);
        result = measured.result;
      }
      out[label] = { ms: round(median(times)), samplesMs: times.map(round), peakRssMb: peak, peakHeapMb: heap, result };
      log(`${name} ${label} in DuckDB: ${out[label].ms} ms (runs ${out[label].samplesMs.join(', ')}), process peak RSS ${peak} MB, Node heap ${heap} MB`);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return out;
}

/**
 * The same rows in a two-shard ClickHouse cluster (a Distributed table sharded by entity, loaded
 * through it from a CSV export of the DuckDB file, row order kept in `seq`), and the two contracts
 * run there. Each run's time includes checking the table (DESCRIBE, sharding, time values).
 */
async function clickhouseRuns(name, runs) {
  const { runContract } = await tsImport('../src/warehouse/index.ts', import.meta.url);
  const { createClient } = await import('@clickhouse/client');
  const csv = join(CACHE_DIR, `warehouse-v${GENERATOR_VERSION}-${name}.csv`);
  if (!existsSync(csv)) {
    const instance = await DuckDBInstance.create(await database(name), { access_mode: 'READ_ONLY' });
    const connection = await instance.connect();
    await connection.run(`COPY (SELECT entity, event, time, region, rowid AS seq FROM events ORDER BY rowid) TO '${csv}.partial' (FORMAT csv, HEADER false)`);
    connection.closeSync();
    instance.closeSync();
    renameSync(`${csv}.partial`, csv);
  }
  const cluster = await startClickHouse({ shards: 2 });
  const client = createClient({ url: cluster.url, request_timeout: 600_000, clickhouse_settings: { send_progress_in_http_headers: 1, http_headers_progress_interval_ms: '10000' } });
  const out = {};
  try {
    await cluster.createEventsTable('events', [['entity', 'Int32'], ['event', 'String'], ['time', 'Float64'], ['region', 'String'], ['seq', 'UInt64']], 'entity');
    const t0 = performance.now();
    await client.insert({ table: 'events', values: createReadStream(csv), format: 'CSV', clickhouse_settings: { insert_distributed_sync: 1 } });
    const perShard = [];
    for (const url of cluster.urls) perShard.push(Number((await cluster.sql('SELECT count() FROM events_local', url)).trim()));
    out.loadMs = round(performance.now() - t0);
    out.rowsPerShard = perShard;
    log(`${name}: loaded into ClickHouse (2 shards: ${perShard.join(' + ')} rows) in ${round(out.loadMs / 1000)} s`);
    for (const [label, contract] of [['funnel', FUNNEL], ['retention', RETENTION]]) {
      const times = [];
      let result;
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        result = await runContract(contract, client, { table: 'events', rowOrder: 'seq' });
        times.push(performance.now() - t);
      }
      out[label] = { ms: round(median(times)), samplesMs: times.map(round), result };
      log(`${name} ${label} in ClickHouse: ${out[label].ms} ms (runs ${out[label].samplesMs.join(', ')})`);
    }
  } finally {
    await client.close();
    await cluster.stop();
  }
  return out;
}

/** In a child process: the in-memory engine on the table's rows (read out of DuckDB as columns). */
async function inMemory(name) {
  const { computeFunnel, computeCohorts } = await tsImport('../src/analytics/compute.ts', import.meta.url);
  const instance = await DuckDBInstance.create(await database(name), { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  const t0 = performance.now();
  const reader = await connection.runAndReadAll('SELECT entity, event, time, region FROM events ORDER BY rowid');
  const [entity, event, time, region] = reader.getColumnsJS();
  const columns = { entity: Int32Array.from(entity), event, time: Float64Array.from(time), region };
  const readMs = performance.now() - t0;
  connection.closeSync();
  instance.closeSync();
  const data = { columns };
  const t1 = performance.now();
  const funnel = computeFunnel({ ...FUNNEL, data });
  const funnelMs = performance.now() - t1;
  const t2 = performance.now();
  const cohort = computeCohorts({ ...RETENTION, data });
  const retentionMs = performance.now() - t2;
  const counts = {
    steps: funnel.steps.map((s) => s.count),
    groups: Object.fromEntries((funnel.breakdown ?? []).map((g) => [g.value, g.steps.map((s) => s.count)])),
  };
  process.stdout.write(JSON.stringify({ readMs: round(readMs), funnelMs: round(funnelMs), retentionMs: round(retentionMs), counts, cohorts: cohortRows(cohort) }));
}

async function main() {
  if (opts.child) return inMemory(opts.child);
  const runs = Number(opts.runs);
  const sizes = opts.sizes.split(',');
  for (const name of sizes) if (!SIZES[name]) throw new Error(`unknown size ${name}; have ${Object.keys(SIZES).join(', ')}`);
  let failed = false;
  for (const name of sizes) {
    const [events] = SIZES[name];
    const w = await warehouseRuns(name, runs);
    const target = { '10M': 3000, '100M': 30000 }[name] ?? null;
    const line = {
      name: `warehouse-duckdb-${name}`,
      events,
      funnelMs: w.funnel.ms,
      retentionMs: w.retention.ms,
      funnelSamplesMs: w.funnel.samplesMs,
      retentionSamplesMs: w.retention.samplesMs,
      processPeakRssMb: Math.max(w.funnel.peakRssMb, w.retention.peakRssMb),
      nodePeakHeapMb: Math.max(w.funnel.peakHeapMb, w.retention.peakHeapMb),
      duckdbMemoryLimit: opts.memory,
      target: target && { ms: target, nodeMb: 500 },
    };
    line.meets = target !== null && line.funnelMs <= target && line.retentionMs <= target && line.nodePeakHeapMb <= 500;
    if (name === '10M' || name === '1M') {
      log(`${name}: the in-memory engine on the same rows (child process)…`);
      const child = spawnSync(process.execPath, [import.meta.filename, '--child', name], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] });
      if (child.status !== 0) throw new Error(`the in-memory run failed (exit ${child.status})`);
      const mem = JSON.parse(child.stdout);
      line.inMemory = { funnelMs: mem.funnelMs, retentionMs: mem.retentionMs, readFromDuckdbMs: mem.readMs };
      const same = JSON.stringify(mem.counts) === JSON.stringify(funnelCounts(w.funnel.result));
      line.funnelCountsEqual = same;
      if (!same) {
        failed = true;
        log(`ERROR: funnel counts differ: DuckDB ${JSON.stringify(funnelCounts(w.funnel.result))}, in memory ${JSON.stringify(mem.counts)}`);
      }
      // The returned cohorts drawn by the in-memory engine must be the raw rows' cohorts.
      const { computeCohorts } = await tsImport('../src/analytics/compute.ts', import.meta.url);
      const drawn = cohortRows(computeCohorts({ ...w.retention.result, data: { rows: [] } }));
      line.retentionCellsEqual = JSON.stringify(drawn) === JSON.stringify(mem.cohorts);
      line.retentionCohorts = drawn.length;
      if (!line.retentionCellsEqual) {
        failed = true;
        log(`ERROR: retention cells differ between DuckDB and the in-memory engine`);
      }
    }
    process.stdout.write(`${JSON.stringify(line)}\n`);
    const clickhouse = opts['clickhouse-sizes'].split(',').includes(name) && (opts.clickhouse === 'on' || (opts.clickhouse === 'auto' && hasClickHouse()));
    if (clickhouse) {
      const c = await clickhouseRuns(name, runs);
      const ch = {
        name: `warehouse-clickhouse-${name}`,
        events,
        shards: 2,
        funnelMs: c.funnel.ms,
        retentionMs: c.retention.ms,
        funnelSamplesMs: c.funnel.samplesMs,
        retentionSamplesMs: c.retention.samplesMs,
        loadMs: c.loadMs,
        rowsPerShard: c.rowsPerShard,
        duckdb: { funnelMs: w.funnel.ms, retentionMs: w.retention.ms },
        inMemory: line.inMemory ?? null,
        funnelCountsEqual: JSON.stringify(funnelCounts(c.funnel.result)) === JSON.stringify(funnelCounts(w.funnel.result)),
        retentionEqual: JSON.stringify(c.retention.result.cohort) === JSON.stringify(w.retention.result.cohort),
      };
      if (!ch.funnelCountsEqual || !ch.retentionEqual) {
        failed = true;
        log(`ERROR: ClickHouse's figures differ from DuckDB's (funnel equal: ${ch.funnelCountsEqual}, retention equal: ${ch.retentionEqual})`);
      }
      process.stdout.write(`${JSON.stringify(ch)}\n`);
    }
  }
  if (failed) process.exitCode = 1;
}

await main();
