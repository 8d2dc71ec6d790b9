#!/usr/bin/env node
// `npm run bench`: bundles bench/page.ts (computeFunnel, computeCohorts, computeKpis and computeAnomalies from src/
// + the references + the data generators) with esbuild, serves it to headless Chromium and runs each
// benchmark in the page. stdout: one JSON object per benchmark; everything else goes to stderr.
// Non-zero exit on error (including an engine and its reference disagreeing on counts).
//
// Options: --only <name>[,<name>]  --runs N (default 7)  --warmup N (default 2)
//          --profile   also time phases and take a CPU profile of one engine call (stderr)
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS, chromiumPath } from '../scripts/chromium.mjs';

const BENCHMARKS = [
  { kind: 'funnel', name: 'funnel-100k', events: 100_000, entities: 10_000, targetMs: 150 },
  { kind: 'funnel', name: 'funnel-1M', events: 1_000_000, entities: 100_000, targetMs: 1000, targetRatio: 2 },
  { kind: 'cohort', name: 'cohort-100k', events: 100_000, entities: 10_000 },
  { kind: 'cohort', name: 'cohort-1M', events: 1_000_000, entities: 100_000, targetMs: 500, targetRatio: 2 },
  // entities: opportunities; their lead-to-cash events come to ~715k rows, activity fills the rest.
  { kind: 'kpi', name: 'kpi-1M', events: 1_000_000, entities: 60_000, targetMs: 300 },
  // entities: campaigns (split values); 20 series + Other, three rules each.
  { kind: 'anomaly', name: 'anomaly-1M', events: 1_000_000, entities: 36, targetMs: 500 },
  // events: daily points (2021-01-01 to 2025-12-31), one series, a band rule.
  { kind: 'anomaly-band', name: 'anomaly-5y-band', events: 1826, entities: 1, targetMs: 20 },
];

const { values: opts } = parseArgs({
  options: {
    only: { type: 'string' },
    runs: { type: 'string', default: '7' },
    warmup: { type: 'string', default: '2' },
    profile: { type: 'boolean', default: false },
  },
});
const runs = Number(opts.runs);
const warmup = Number(opts.warmup);
if (!(runs >= 5)) throw new Error(`--runs must be at least 5, got ${opts.runs}`);
const only = opts.only ? new Set(opts.only.split(',')) : null;
const selected = BENCHMARKS.filter((b) => !only || only.has(b.name));
if (!selected.length) throw new Error(`no benchmark named ${opts.only}; have ${BENCHMARKS.map((b) => b.name).join(', ')}`);

const log = (...args) => console.error('[bench]', ...args);

async function bundle() {
  const result = await esbuild.build({
    entryPoints: [fileURLToPath(new URL('./page.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'fkBench',
    platform: 'browser',
    mainFields: ['browser', 'module', 'main'],
    conditions: ['browser'],
    target: 'es2022',
    logLevel: 'warning',
  });
  return result.outputFiles[0].text;
}

function serve(script) {
  const html = '<!doctype html><meta charset="utf-8"><title>FunnelKit bench</title><script src="/bench.js"></script>';
  const server = createServer((req, res) => {
    if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    else if (req.url === '/favicon.ico') res.writeHead(204).end();
    else if (req.url === '/bench.js') res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
    else res.writeHead(404).end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/**
 * Names a profile frame by function and where it comes from: the module comment esbuild puts
 * above each file in the bundle (`// src/analytics/funnel/prepare.ts`), plus the source line for
 * anonymous functions.
 */
function frameLabeler(script) {
  const lines = script.split('\n');
  const moduleOf = new Array(lines.length);
  let current = '';
  for (let i = 0; i < lines.length; i++) {
    const m = /^ *\/\/ (\S+\.[cm]?[jt]sx?)$/.exec(lines[i]);
    if (m) current = m[1].replace(/^.*node_modules\//, '').replace(/^(?:\.\.\/)+/, '');
    moduleOf[i] = current;
  }
  return ({ functionName, url, lineNumber }) => {
    if (!url.endsWith('/bench.js')) return functionName || `(anonymous${url ? ` ${url}` : ''})`;
    const where = moduleOf[lineNumber] ?? '?';
    if (functionName) return `${functionName}  [${where}]`;
    return `(anonymous: ${(lines[lineNumber] ?? '').trim().slice(0, 60)})  [${where}]`;
  };
}

/** Self and inclusive time per function from a CDP CPU profile, biggest first. */
function summarize(profile, label) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  const selfBy = new Map();
  const inclBy = new Map();
  const walk = (id, stack) => {
    const node = byId.get(id);
    const name = label(node.callFrame);
    const own = self.get(id) ?? 0;
    selfBy.set(name, (selfBy.get(name) ?? 0) + own);
    let total = own;
    const next = new Set(stack).add(name);
    for (const c of node.children ?? []) total += walk(c, next);
    if (!stack.has(name)) inclBy.set(name, (inclBy.get(name) ?? 0) + total); // recursion counted once
    return total;
  };
  walk(profile.nodes[0].id, new Set());
  const top = (m, k) => [...m].filter(([, ms]) => ms >= 0.5).sort((a, b) => b[1] - a[1]).slice(0, k).map(([n, ms]) => `${ms.toFixed(1).padStart(8)} ms  ${n}`);
  return { self: top(selfBy, 30), inclusive: top(inclBy, 40) };
}

async function profileBench(page, bench, engine, label) {
  const phases = await page.evaluate((o) => fkBench.profilePhases(o), { ...bench, runs: 5 });
  log(`${bench.name} phases (median ms; total = one ${engine}, rest = total minus the phases before it):`, JSON.stringify(phases));
  const session = await page.createCDPSession();
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: 200 });
  await session.send('Profiler.start');
  await page.evaluate((o) => fkBench.computeOnce(o), bench);
  const { profile } = await session.send('Profiler.stop');
  await session.detach();
  const { self, inclusive } = summarize(profile, label);
  log(`${bench.name} CPU profile of one ${engine}, inclusive time:\n${inclusive.join('\n')}`);
  log(`${bench.name} CPU profile, self time:\n${self.join('\n')}`);
}

async function main() {
  log('bundling bench/page.ts');
  const script = await bundle();
  const server = await serve(script);
  const url = `http://127.0.0.1:${server.address().port}/`;
  const executablePath = chromiumPath();
  log(`launching ${executablePath}`);
  const launch = {
    executablePath,
    headless: true,
    protocolTimeout: 0, // a 1M-event benchmark runs for a while inside one evaluate
    // --expose-gc lets the page collect garbage between timed runs, outside the timed region.
    args: [...CHROMIUM_ARGS, '--js-flags=--expose-gc'],
  };
  const browser = await puppeteer.launch(launch).catch((error) => {
    server.close(); // or the listening server keeps the process alive
    throw error;
  });
  let failed = false;
  try {
    const page = await browser.newPage();
    page.on('console', (m) => log('page:', m.text()));
    page.on('pageerror', (e) => log('page error:', e.message));
    await page.goto(url, { waitUntil: 'load' });
    if (!(await page.evaluate(() => typeof fkBench?.runBench === 'function'))) throw new Error('bench bundle did not load in the page');
    log(`browser ${await browser.version()}, ${await page.evaluate(() => navigator.hardwareConcurrency)} cores`);
    for (const bench of selected) {
      log(`${bench.name}: generating ${bench.events} events / ${bench.entities} entities, ${warmup} warm-up + ${runs} timed runs`);
      const started = Date.now();
      const { kind, name, events, entities } = bench;
      const r = await page.evaluate((o) => fkBench.runBench(o), { kind, name, events, entities, warmup, runs });
      log(`${name}: done in ${((Date.now() - started) / 1000).toFixed(1)} s; ${r.engine} runs ${JSON.stringify(r.samples)} ms, reference ${JSON.stringify(r.refSamples)} ms; counts ${r.counts}`);
      if (r.error) {
        failed = true;
        log(`${name}: ${r.engine} and the reference DISAGREE (no figures printed):\n${r.error}`);
        continue;
      }
      const matched = {
        funnel: 'overall and per region',
        cohort: 'cohort sizes and every cell present',
        kpi: 'lead volume, win rate, collection ratio, resource input: values, previous, every sparkline point',
        anomaly: 'series and their order, every day of every series',
        'anomaly-band': 'band (expected, lower, upper) and breach at every point',
      };
      log(`${name}: counts match the reference (${matched[kind]})`);
      const line = { bench: r.bench, ms: r.ms, refMs: r.refMs ?? null, ratio: r.ratio ?? null, events: r.events, entities: r.entities, ...r.sizes, runs: r.runs };
      process.stdout.write(`${JSON.stringify(line)}\n`);
      const misses = [];
      if (bench.targetMs && r.ms >= bench.targetMs) misses.push(`ms ${r.ms} ≥ ${bench.targetMs}`);
      if (bench.targetRatio && r.ratio > bench.targetRatio) misses.push(`ratio ${r.ratio} > ${bench.targetRatio}`);
      const hasTarget = bench.targetMs || bench.targetRatio;
      log(`${name}: ${misses.length ? `MISSES target (${misses.join(', ')})` : hasTarget ? 'meets target' : 'no target'}`);
      if (opts.profile) await profileBench(page, bench, r.engine, frameLabeler(script));
    }
  } finally {
    await browser.close();
    server.close();
  }
  if (failed) process.exitCode = 1;
}

main().catch((error) => {
  log('failed:', error?.stack ?? error);
  process.exitCode = 1;
});
