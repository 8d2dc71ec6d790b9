#!/usr/bin/env node
// `npm run bench:widgets` (and the last step of `npm run bench`): page-level benchmarks of the REAL
// built widgets (issue 14). Serves dist/ (the one-tag bundle, its chunks and the compute Worker),
// generated Arrow/Parquet files and a blank page from node:http on 127.0.0.1, and drives headless
// Chromium with puppeteer-core. Each run gets a fresh browser context and page (no HTTP cache).
// stdout: one JSON object per benchmark ({ name, …figures, target, meets }); logs go to stderr.
// Non-zero exit only on a real error (a widget failing to render, counts disagreeing with the
// reference funnel, a data update that re-embeds); a missed target is reported, not fatal.
//
// Options: --only <name>[,<name>]   --runs N (default 5)   --runs-10m N (default 1)
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { basename, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS, chromiumPath } from '../scripts/chromium.mjs';
import { STEPS, dataset, funnelSection, generateEvents, inlineColumns } from './widgets-data.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
const BUNDLE = join(DIST, 'funnelkit.bundle.js');

const BENCHMARKS = ['widget-arrow-1M', 'widget-parquet-1M', 'widget-arrow-10M', 'widget-data-update', 'widget-data-update-100k', 'widget-bundle-size', 'widget-50'];

const { values: opts } = parseArgs({
  options: {
    only: { type: 'string' },
    runs: { type: 'string', default: '5' },
    'runs-10m': { type: 'string', default: '1' },
  },
});
const RUNS = Number(opts.runs);
const RUNS_10M = Number(opts['runs-10m']);
if (!(RUNS >= 1) || !(RUNS_10M >= 1)) throw new Error('--runs and --runs-10m must be at least 1');
const only = opts.only ? new Set(opts.only.split(',')) : null;
if (only) for (const name of only) if (!BENCHMARKS.includes(name)) throw new Error(`no benchmark named ${name}; have ${BENCHMARKS.join(', ')}`);
const selected = (name) => !only || only.has(name);

const log = (...args) => console.error('[widgets]', ...args);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x, d = 1) => (x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x * 10 ** d) / 10 ** d);
let failed = false;
const fail = (message) => {
  failed = true;
  log(`ERROR: ${message}`);
};

function print(line) {
  process.stdout.write(`${JSON.stringify(line)}\n`);
  log(`${line.name}: ${line.meets ? 'meets target' : 'MISSES target'} ${JSON.stringify(line.target)}`);
}

// ---------------------------------------------------------------------------------------------
// dist/: built if missing; which chunks carry which packages (from the source maps).

function ensureDist() {
  if (existsSync(BUNDLE) && existsSync(join(DIST, 'compute-worker.js'))) return;
  log('dist/funnelkit.bundle.js is missing: running `npm run build`');
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (r.status !== 0 || !existsSync(BUNDLE)) {
    throw new Error('dist/funnelkit.bundle.js is missing and `npm run build` did not produce it; run `npm run build` and try again');
  }
}

/** The npm packages whose modules a built file carries (its source map's `sources`), else null. */
function packagesIn(file) {
  if (!existsSync(`${file}.map`)) return null;
  const packages = new Set();
  for (const source of JSON.parse(readFileSync(`${file}.map`, 'utf8')).sources ?? []) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source.replaceAll('\\', '/'));
    if (m) packages.add(m[1]);
  }
  return packages;
}

/** Whether a built file carries Arquero: by its source map, or (no map) by content markers. */
function carriesArquero(file) {
  const packages = packagesIn(file);
  if (packages) return packages.has('arquero');
  return /\bColumnTable\b|fromCSV/.test(readFileSync(file, 'utf8'));
}

/** The dist file a served URL path maps to, or null. */
function distFile(pathname) {
  const file = normalize(join(DIST, decodeURIComponent(pathname)));
  return file.startsWith(DIST + sep) && existsSync(file) && statSync(file).isFile() ? file : null;
}

// ---------------------------------------------------------------------------------------------
// The server: dist/ at /, data files at /data/<name>, the page at /page.html.

const PAGE = `<!doctype html><html lang="en"><meta charset="utf-8"><title>FunnelKit widget bench</title>
<script>
  // Installed before the bundle loads: every main-thread task over 50 ms, from the start.
  window.__longTasks = [];
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration }); })
      .observe({ type: 'longtask', buffered: true });
  } catch (error) { window.__longTasksUnsupported = String(error); }
  performance.setResourceTimingBufferSize(10000);
</script>
<script type="module" src="/funnelkit.bundle.js"></script>
<body style="margin:0"></body></html>`;

const TYPES = {
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.arrow': 'application/vnd.apache.arrow.file',
  '.parquet': 'application/octet-stream',
};

/** Small JSON bodies served from memory (`/small/<name>`): the 50 widgets' data. */
const memoryFiles = new Map();

function serve(dataFiles) {
  const server = createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://x');
    if (pathname === '/' || pathname === '/page.html') return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(PAGE);
    if (pathname === '/favicon.ico') return res.writeHead(204).end();
    if (pathname.startsWith('/small/') && memoryFiles.has(pathname.slice(7))) {
      return res.writeHead(200, { 'content-type': TYPES['.json'], 'cache-control': 'no-store' }).end(memoryFiles.get(pathname.slice(7)));
    }
    const file = pathname.startsWith('/data/') ? dataFiles.get(pathname.slice(6)) : distFile(pathname);
    if (!file) return res.writeHead(404).end();
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': statSync(file).size,
      'cache-control': 'no-store',
    });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

// ---------------------------------------------------------------------------------------------
// In the page (serialized by puppeteer: no closures over Node variables).

/**
 * Appends a <funnel-chart> (or `count` of them), waits a frame, sets each its contract and waits
 * for every one's `funnelkit-render` (or a `funnelkit-error`). Then, for the first one, `updates`
 * new contracts one after the other, each timed to its render. Returns timings, long tasks,
 * resource entries and what the first element's accessible table shows.
 */
async function inPage({ contracts, updates = [], size = 'width:800px;height:480px', timeoutMs = 120_000, settleMs = 150 }) {
  await customElements.whenDefined('funnel-chart');
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const els = contracts.map(() => {
    const el = document.createElement('funnel-chart');
    el.setAttribute('locale', 'en');
    el.style.cssText = `display:block;${size}`;
    document.body.append(el);
    return el;
  });
  await frame();
  const rendered = (el) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no funnelkit-render within ${timeoutMs} ms (state ${el.state})`)), timeoutMs);
      const done = (f) => (e) => {
        clearTimeout(timer);
        el.removeEventListener('funnelkit-render', onRender);
        el.removeEventListener('funnelkit-error', onError);
        f(e);
      };
      const onRender = done((e) => resolve({ at: performance.now(), mode: e.detail.mode, state: e.detail.state, timings: e.detail.timings ?? null }));
      const onError = done((e) => {
        const d = e.detail ?? {};
        reject(new Error(`funnelkit-error: ${d.error?.message ?? d.message ?? JSON.stringify(d)}`));
      });
      el.addEventListener('funnelkit-render', onRender);
      el.addEventListener('funnelkit-error', onError);
    });
  const waits = els.map(rendered);
  const t0 = performance.now();
  els.forEach((el, i) => (el.contract = contracts[i]));
  const renders = await Promise.all(waits);
  const firstPaint = renders.map((r) => ({ ms: r.at - t0, mode: r.mode, state: r.state, timings: r.timings }));
  const renderAt = Math.max(...renders.map((r) => r.at));
  const updateResults = [];
  for (const contract of updates) {
    await frame();
    await frame();
    const wait = rendered(els[0]);
    const t = performance.now();
    els[0].contract = contract;
    const r = await wait;
    updateResults.push({ ms: r.at - t, mode: r.mode, state: r.state });
  }
  await frame();
  await new Promise((r) => setTimeout(r, settleMs)); // long-task entries arrive asynchronously
  const el = els[0];
  const table = [...(el.shadowRoot?.querySelectorAll('.visually-hidden tbody tr') ?? [])].map((tr) => [...tr.children].map((c) => c.textContent.trim()));
  return {
    t0,
    renderAt,
    firstPaint,
    updates: updateResults,
    states: els.map((e) => e.state),
    longTasks: window.__longTasks,
    longTasksUnsupported: window.__longTasksUnsupported ?? null,
    resources: performance.getEntriesByType('resource').map((e) => ({ name: e.name, start: e.startTime, end: e.responseEnd, bytes: e.encodedBodySize })),
    table,
    overall: el.viewModel?.steps?.map((s) => s.count) ?? null,
    hardwareConcurrency: navigator.hardwareConcurrency,
  };
}

// ---------------------------------------------------------------------------------------------
// Runs: a fresh browser context (empty cache) and page per run; Workers counted by puppeteer.

async function runPage(browser, url, args) {
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    page.on('pageerror', (e) => log('page error:', e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warn') log(`page ${m.type()}:`, m.text());
    });
    const workers = { created: 0, alive: 0, maxAlive: 0 };
    page.on('workercreated', () => {
      workers.created++;
      workers.maxAlive = Math.max(workers.maxAlive, ++workers.alive);
    });
    page.on('workerdestroyed', () => workers.alive--);
    const requests = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(url, { waitUntil: 'load' });
    const result = await page.evaluate(inPage, args);
    workers.listed = page.workers().length;
    return { ...result, workers, requests: [...requests] };
  } finally {
    await context.close();
  }
}

/** Which step the longest task fell in: after the last of these moments before it started. */
function phaseOf(task, moments) {
  const before = moments.filter((m) => m.at !== null && m.at <= task.start).sort((a, b) => b.at - a.at)[0];
  return before ? `after ${before.name}` : 'page load (before the contract was set)';
}

/** Counts from the accessible table (group, step, entities, …) as { group: [counts] }. */
function tableCounts(table) {
  const groups = {};
  for (const row of table) {
    const [group, , count] = row;
    (groups[group] ??= []).push(Number(count.replace(/[^\d]/g, '')));
  }
  return groups;
}

function checkCounts(name, r, reference) {
  const shown = tableCounts(r.table);
  const want = reference.groups;
  const problems = [];
  if (JSON.stringify(r.overall) !== JSON.stringify(reference.steps)) problems.push(`overall: widget ${JSON.stringify(r.overall)}, reference ${JSON.stringify(reference.steps)}`);
  const keys = new Set([...Object.keys(shown), ...Object.keys(want)]);
  for (const k of keys) {
    if (JSON.stringify(shown[k]) !== JSON.stringify(want[k])) problems.push(`${k}: table ${JSON.stringify(shown[k])}, reference ${JSON.stringify(want[k])}`);
  }
  if (problems.length) fail(`${name}: step counts DISAGREE with the reference:\n  ${problems.join('\n  ')}`);
  else log(`${name}: step counts match the reference (overall from the view model; ${keys.size} regions from the accessible table)`);
  return problems.length === 0;
}

/**
 * Benchmarks 1–3: a funnel over events from a URL, `runs` fresh pages. The 1M runs are judged end
 * to end (contract set to first paint, and the longest main-thread task); the 10M run, "computed
 * in the Worker", by the render event's compute stage (parse and compute in the Worker), with the
 * end-to-end time printed beside it.
 */
async function urlFunnel(browser, base, { name, format, file, ds, runs, targetMs, targetComputeMs, vegaChunks }) {
  const contract = {
    version: 1,
    kind: 'funnel',
    data: { url: `/data/${basename(file)}`, format },
    fields: { entity: 'entity', event: 'event', time: 'time', segments: ['region'] },
    funnel: funnelSection(),
  };
  const samples = [];
  for (let i = 0; i < runs; i++) {
    let r;
    try {
      r = await runPage(browser, base, { contracts: [contract], timeoutMs: 300_000 });
    } catch (error) {
      fail(`${name}: the widget did not render: ${error.message}`);
      return;
    }
    if (r.firstPaint[0].state !== 'ready') return fail(`${name}: rendered with state ${r.firstPaint[0].state}, expected ready`);
    const data = r.resources.find((e) => e.name.includes('/data/'));
    const vega = r.resources.filter((e) => vegaChunks.has(basename(new URL(e.name).pathname))).sort((a, b) => b.end - a.end)[0];
    const moments = [
      { name: 'the contract was set', at: r.t0 },
      { name: 'the data arrived', at: data?.end ?? null },
      { name: 'the Vega chunks arrived', at: vega?.end ?? null },
      { name: 'the render event', at: r.renderAt },
    ];
    const longest = r.longTasks.reduce((a, t) => (!a || t.duration > a.duration ? t : a), null);
    const afterContract = r.longTasks.filter((t) => t.start >= r.t0).reduce((m, t) => Math.max(m, t.duration), 0);
    const timings = r.firstPaint[0].timings ?? {};
    const sample = {
      ms: r.firstPaint[0].ms,
      // The stages as the widget's render event reports them: data (download, in the Worker),
      // compute (parse and compute, in the Worker), draw.
      dataMs: timings.dataMs ?? null,
      computeMs: timings.computeMs ?? null,
      drawMs: timings.drawMs ?? null,
      fetchMs: data ? data.end - data.start : null,
      fetchStartMs: data ? data.start - r.t0 : null,
      bytes: data?.bytes ?? null,
      longestTaskMs: longest?.duration ?? 0,
      longestTaskPhase: longest ? phaseOf(longest, moments) : null,
      longestTaskAfterContractMs: afterContract,
      longTasks: r.longTasks.length,
      workers: r.workers.created,
    };
    if (r.longTasksUnsupported) log(`${name}: longtask observer unsupported: ${r.longTasksUnsupported}`);
    log(`${name} run ${i + 1}/${runs}: ${JSON.stringify(Object.fromEntries(Object.entries(sample).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v])))}`);
    log(`${name} run ${i + 1} long tasks (start ms after the contract, duration): ${r.longTasks.map((t) => `${round(t.start - r.t0, 0)}:${round(t.duration, 0)}`).join(' ') || 'none'}`);
    if (i === 0 && !checkCounts(name, r, ds.reference)) return;
    samples.push(sample);
  }
  const med = (k) => round(median(samples.map((s) => s[k]).filter((v) => v !== null)));
  const longestRun = samples.reduce((a, s) => (s.longestTaskMs > a.longestTaskMs ? s : a));
  const line = {
    name,
    ms: med('ms'),
    dataMs: med('dataMs'),
    computeMs: med('computeMs'),
    drawMs: med('drawMs'),
    fetchMs: med('fetchMs'),
    bytes: samples[0].bytes,
    longestTaskMs: med('longestTaskMs'),
    longestTaskMaxMs: round(longestRun.longestTaskMs),
    longestTaskPhase: longestRun.longestTaskPhase,
    longestTaskAfterContractMs: med('longestTaskAfterContractMs'),
    workers: Math.max(...samples.map((s) => s.workers)),
    events: ds.events,
    entities: ds.entities,
    steps: STEPS.length,
    regions: Object.keys(ds.reference.groups).length,
    countsMatchReference: true,
    runs: samples.length,
    samplesMs: samples.map((s) => round(s.ms)),
    target: targetComputeMs ? { computeMs: targetComputeMs } : { ms: targetMs, longestTaskMs: 50 },
  };
  line.meets = targetComputeMs ? line.computeMs <= targetComputeMs : line.ms <= targetMs && line.longestTaskMs <= 50;
  print(line);
}

/** A pre-aggregated funnel with 8 groups; `k` varies the counts (same steps and groups). */
function aggregated(k) {
  const names = ['Visit', 'Sign up', 'Activate', 'Trial', 'Purchase', 'Renew'];
  const groups = ['North America', 'Europe', 'Asia Pacific', 'Latin America', 'Middle East', 'Africa', 'Oceania', 'Nordics'].map((value, g) => ({
    value,
    steps: names.map((name, i) => ({ name, count: Math.round((10_000 - g * 900 + k * 37) * 0.62 ** i) })),
  }));
  const steps = names.map((name, i) => ({ name, count: groups.reduce((sum, g) => sum + g.steps[i].count, 0) }));
  return { version: 1, kind: 'funnel', data: { rows: [] }, fields: {}, funnel: { steps, groups } };
}

/** Benchmark 4: a drawn funnel gets a contract whose only change is its data; must update, not re-embed. */
async function dataUpdate(browser, base, { name, make, runs }) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    let r;
    try {
      r = await runPage(browser, base, { contracts: [make(0)], updates: [make(i + 1)] });
    } catch (error) {
      return fail(`${name}: the widget did not render: ${error.message}`);
    }
    const u = r.updates[0];
    log(`${name} run ${i + 1}/${runs}: first paint ${round(r.firstPaint[0].ms)} ms (${r.firstPaint[0].mode}); update ${round(u.ms)} ms, mode ${u.mode}, state ${u.state}`);
    if (u.state !== 'ready') return fail(`${name}: the new data gave a render with state ${u.state}, expected ready`);
    samples.push({ ms: u.ms, firstPaintMs: r.firstPaint[0].ms, mode: u.mode });
  }
  const reembeds = samples.filter((s) => s.mode !== 'update').length;
  if (reembeds) fail(`${name}: ${reembeds} of ${samples.length} data-only updates RE-EMBEDDED the Vega view (funnelkit-render mode 'embed', expected 'update')`);
  const line = {
    name,
    ms: round(median(samples.map((s) => s.ms))),
    mode: reembeds ? 'embed' : 'update',
    reembeds,
    firstPaintMs: round(median(samples.map((s) => s.firstPaintMs))),
    runs: samples.length,
    samplesMs: samples.map((s) => round(s.ms)),
    target: { ms: 50, mode: 'update' },
  };
  line.meets = line.ms <= 50 && reembeds === 0;
  return line;
}

/** Benchmark 5: the bundle's initial download (scripts/size.mjs), and no Arquero before first paint. */
async function bundleSize(browser, base) {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'size.mjs')], { cwd: ROOT, encoding: 'utf8' });
  const rows = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  const row = rows.find((x) => x.file === join('dist', 'funnelkit.bundle.js'));
  if (r.status !== 0 || !row) return fail(`widget-bundle-size: scripts/size.mjs failed (status ${r.status}): ${r.stderr.slice(-500)}`);
  let page;
  try {
    page = await runPage(browser, base, { contracts: [aggregated(0)] });
  } catch (error) {
    return fail(`widget-bundle-size: the pre-aggregated funnel did not render: ${error.message}`);
  }
  // What the page (and its Workers, which puppeteer's request event covers too) asked for up to
  // the time evaluate returned (render + settle): a superset of what came before first paint.
  const paths = [...new Set(page.requests.map((u) => new URL(u).pathname))];
  const before = page.resources.filter((e) => e.start <= page.renderAt).map((e) => new URL(e.name).pathname);
  const files = paths.map((p) => ({ path: p, file: distFile(p) })).filter((x) => x.file);
  const withArquero = files.filter((x) => carriesArquero(x.file)).map((x) => x.path);
  const arqueroChunks = [BUNDLE, join(DIST, 'compute-worker.js'), ...readdirJs(join(DIST, 'chunks'))].filter(carriesArquero).map((f) => f.slice(DIST.length));
  log(`widget-bundle-size: requested up to first paint (+${150} ms settle): ${paths.join(', ')}; main-thread resources before the render event: ${before.join(', ')}; Workers started: ${page.workers.created}`);
  log(`widget-bundle-size: dist files carrying Arquero: ${arqueroChunks.join(', ') || 'none'}`);
  const line = {
    name: 'widget-bundle-size',
    initialGzip: row.initialGzip,
    initialKB: round(row.initialGzip / 1024),
    initialFiles: row.initialFiles,
    initialPackages: row.initialPackages,
    arqueroOnFirstPaint: withArquero.length > 0,
    requestedBeforePaint: paths,
    arqueroRequested: withArquero,
    arqueroChunks,
    firstPaintMs: round(page.firstPaint[0].ms),
    target: { initialGzip: 384 * 1024, arqueroOnFirstPaint: false },
  };
  line.meets = line.initialGzip <= 384 * 1024 && !line.arqueroOnFirstPaint;
  return line;
}

function readdirJs(dir) {
  return existsSync(dir)
    ? spawnSync('ls', [dir], { encoding: 'utf8' })
        .stdout.split('\n')
        .filter((f) => f.endsWith('.js'))
        .map((f) => join(dir, f))
    : [];
}

/**
 * Benchmark 6: 50 small funnels on one page, each from its own JSON URL, so every one goes through
 * the Worker pool (small inline data would be computed on the main thread).
 */
async function fifty(browser, base, runs) {
  for (let i = 0; i < 50; i++) {
    const columns = inlineColumns(generateEvents({ seed: 100 + i, entities: 200, events: 1000 }));
    memoryFiles.set(`${i}.json`, JSON.stringify(Object.fromEntries(Object.entries(columns).map(([k, v]) => [k, Array.from(v)]))));
  }
  const contracts = Array.from({ length: 50 }, (_, i) => ({
    version: 1,
    kind: 'funnel',
    data: { url: `/small/${i}.json`, format: 'json' },
    fields: { entity: 'entity', event: 'event', time: 'time', segments: ['region'] },
    funnel: funnelSection(),
  }));
  const samples = [];
  for (let i = 0; i < runs; i++) {
    let r;
    try {
      r = await runPage(browser, base, { contracts, size: 'width:400px;height:300px' });
    } catch (error) {
      return fail(`widget-50: not every widget rendered: ${error.message}`);
    }
    const notReady = r.states.filter((s) => s !== 'ready').length;
    if (notReady) return fail(`widget-50: ${notReady} of 50 widgets are not ready (states ${[...new Set(r.states)].join(', ')})`);
    const s = {
      ms: r.renderAt - r.t0,
      created: r.workers.created,
      maxAlive: Math.max(r.workers.maxAlive, r.workers.listed),
      hardwareConcurrency: r.hardwareConcurrency,
      longestTaskMs: Math.max(0, ...r.longTasks.filter((t) => t.start >= r.t0).map((t) => t.duration)),
    };
    log(`widget-50 run ${i + 1}/${runs}: all 50 ready in ${round(s.ms)} ms; Workers created ${s.created}, most alive ${s.maxAlive}, listed at the end ${r.workers.listed}; hardwareConcurrency ${s.hardwareConcurrency}; longest task after the contracts ${round(s.longestTaskMs)} ms`);
    samples.push(s);
  }
  const hc = samples[0].hardwareConcurrency;
  const line = {
    name: 'widget-50',
    widgets: 50,
    usersEach: 200,
    ms: round(median(samples.map((s) => s.ms))),
    ready: 50,
    workersCreated: Math.max(...samples.map((s) => s.created)),
    workersMaxAlive: Math.max(...samples.map((s) => s.maxAlive)),
    hardwareConcurrency: hc,
    longestTaskMs: round(median(samples.map((s) => s.longestTaskMs))),
    runs: samples.length,
    samplesMs: samples.map((s) => round(s.ms)),
    target: { workers: `<= hardwareConcurrency (${hc})` },
  };
  line.meets = line.workersCreated <= hc && line.workersMaxAlive <= hc;
  return line;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  ensureDist();
  const vegaChunks = new Set(readdirJs(join(DIST, 'chunks')).filter((f) => [...(packagesIn(f) ?? [])].some((p) => p === 'vega' || p.startsWith('vega-'))).map((f) => basename(f)));
  const sets = {};
  const dataFiles = new Map();
  const need1M = selected('widget-arrow-1M') || selected('widget-parquet-1M');
  if (need1M) sets.m1 = await dataset({ name: 'events-1m', events: 1_000_000, entities: 100_000, formats: ['arrow', 'parquet'], log });
  if (selected('widget-arrow-10M')) sets.m10 = await dataset({ name: 'events-10m', events: 10_000_000, entities: 1_000_000, formats: ['arrow'], log });
  for (const ds of Object.values(sets)) for (const file of Object.values(ds.files)) dataFiles.set(basename(file), file);

  const server = await serve(dataFiles);
  const base = `http://127.0.0.1:${server.address().port}/page.html`;
  const executablePath = chromiumPath();
  log(`launching ${executablePath}`);
  const browser = await puppeteer.launch({ executablePath, headless: true, protocolTimeout: 0, args: CHROMIUM_ARGS }).catch((error) => {
    server.close();
    throw error;
  });
  try {
    log(`browser ${await browser.version()}; serving dist/ and ${dataFiles.size} data files at ${base}`);
    if (selected('widget-arrow-1M')) await urlFunnel(browser, base, { name: 'widget-arrow-1M', format: 'arrow', file: sets.m1.files.arrow, ds: sets.m1, runs: RUNS, targetMs: 1000, vegaChunks });
    if (selected('widget-parquet-1M')) await urlFunnel(browser, base, { name: 'widget-parquet-1M', format: 'parquet', file: sets.m1.files.parquet, ds: sets.m1, runs: RUNS, targetMs: 1500, vegaChunks });
    if (selected('widget-arrow-10M')) await urlFunnel(browser, base, { name: 'widget-arrow-10M', format: 'arrow', file: sets.m10.files.arrow, ds: sets.m10, runs: RUNS_10M, targetComputeMs: 2000, vegaChunks });
    if (selected('widget-data-update')) {
      const line = await dataUpdate(browser, base, { name: 'widget-data-update', make: aggregated, runs: RUNS });
      if (line) print({ ...line, data: 'pre-aggregated, 6 steps × 8 groups' });
    }
    if (selected('widget-data-update-100k')) {
      const make = (k) => ({
        version: 1,
        kind: 'funnel',
        data: { columns: inlineColumns(generateEvents({ seed: 200 + k, entities: 10_000, events: 100_000 })) },
        fields: { entity: 'entity', event: 'event', time: 'time', segments: ['region'] },
        funnel: funnelSection(),
      });
      const line = await dataUpdate(browser, base, { name: 'widget-data-update-100k', make, runs: RUNS });
      if (line) print({ ...line, data: '100k events inline (columns), 10k users, recomputed' });
    }
    if (selected('widget-bundle-size')) {
      const line = await bundleSize(browser, base);
      if (line) print(line);
    }
    if (selected('widget-50')) {
      const line = await fifty(browser, base, RUNS);
      if (line) print(line);
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
