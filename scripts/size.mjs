#!/usr/bin/env node
// `npm run size`: what a page downloads for each public entry point, measured over an existing
// dist/ (it builds nothing; run `npm run build` first). Sizes are gzip level 9, file by file (each
// file is its own request):
//   entryGzip   the entry file alone;
//   initialGzip the entry and every file it imports statically (`import … from`, `export … from`):
//               what must arrive before the entry runs;
//   totalGzip   everything reachable, dynamic `import()`s included (Vega, once a chart is drawn).
// For the ESM entries (an app's bundler resolves lit, vega, arquero…), bare imports are external:
// they are listed by name, and each entry is also bundled with esbuild, code-split as an app would,
// to give bundledInitialGzip / bundledTotalGzip with its dependencies.
//
// stdout: one JSON object per line, for scripts. stderr: a table and the targets, for people.
// Usage: node scripts/size.mjs [dist directory, default dist/]
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const DIST = resolve(process.argv[2] ?? join(ROOT, 'dist'));
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/** The one-tag bundle's export, and the most its initial download may weigh (gzipped). */
const BUNDLE_EXPORT = './bundle';
const BUNDLE_INITIAL_LIMIT = 384 * 1024;

/** esbuild's options for the "with dependencies" figure: a browser app's bundler, code-split. */
const APP_BUNDLE_OPTIONS = {
  bundle: true,
  minify: true,
  format: 'esm',
  splitting: true,
  platform: 'browser',
  mainFields: ['browser', 'module', 'main'],
  conditions: ['browser'],
  define: { 'process.env.NODE_ENV': '"production"' },
  // The packages are this repository's, also when the dist/ measured lies elsewhere.
  nodePaths: [join(ROOT, 'node_modules')],
  metafile: true,
  logLevel: 'silent',
};

/** Gzipped size of a file, cached: a chunk shared by several entries is read once. */
const gzipCache = new Map();
function gzipSize(file) {
  if (!gzipCache.has(file)) gzipCache.set(file, gzipSync(readFileSync(file), { level: 9 }).length);
  return gzipCache.get(file);
}

/** The JS files package.json exports, as [public name, absolute path in DIST]; types-only ones skipped. */
function exportedEntries() {
  const entries = [];
  for (const [key, target] of Object.entries(PKG.exports ?? {})) {
    const file = typeof target === 'string' ? target : (target.import ?? target.default);
    if (typeof file !== 'string' || !/\.m?js$/.test(file)) continue;
    const name = key === '.' ? PKG.name : `${PKG.name}/${key.slice(2)}`;
    entries.push({ key, name, file: join(DIST, relative(join(ROOT, 'dist'), join(ROOT, file))) });
  }
  return entries;
}

/**
 * The import graph under `entry`, read by esbuild (a real parser, not a regex): for every file
 * reached, its relative imports (static or dynamic) and its bare (external) imports. Bundling
 * with every package external and splitting on makes esbuild follow relative `import()`s too;
 * the output is thrown away.
 */
async function importGraph(entry, outdir) {
  const { metafile } = await build({ entryPoints: [entry], bundle: true, splitting: true, format: 'esm', packages: 'external', write: false, outdir, metafile: true, logLevel: 'silent' });
  const graph = new Map();
  for (const [input, { imports }] of Object.entries(metafile.inputs)) {
    graph.set(resolve(input), imports.map((i) => ({ path: i.external ? i.path : resolve(i.path), external: Boolean(i.external), dynamic: i.kind === 'dynamic-import' })));
  }
  return graph;
}

/** Files reached from `start` in `graph` (static imports only, or dynamic ones too), and the bare specifiers met. */
function reach(graph, start, withDynamic) {
  const files = new Set([start]);
  const externals = new Set();
  const queue = [start];
  while (queue.length) {
    for (const edge of graph.get(queue.shift()) ?? []) {
      if (edge.dynamic && !withDynamic) continue;
      if (edge.external) externals.add(packageName(edge.path));
      else if (!files.has(edge.path)) {
        files.add(edge.path);
        queue.push(edge.path);
      }
    }
  }
  return { files: [...files], externals: [...externals].sort() };
}

/** `vega-lite/build/x.js` → `vega-lite`, `@lit/react` → `@lit/react`. */
function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const sum = (files) => files.reduce((total, file) => total + gzipSize(file), 0);

/**
 * The npm packages whose code is inside these built files, read from their source maps (rollup
 * lists every original module in `sources`): how the one-tag bundle shows what it carries.
 */
function packagesInside(files) {
  const packages = new Set();
  for (const file of files) {
    if (!existsSync(`${file}.map`)) continue;
    for (const source of JSON.parse(readFileSync(`${file}.map`, 'utf8')).sources ?? []) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source.replaceAll('\\', '/'));
      if (match) packages.add(match[1]);
    }
  }
  return [...packages].sort();
}

/**
 * The entry bundled with its dependencies as an app's bundler would, code-split: the gzipped
 * outputs loaded before it runs (its chunk and the chunks it imports statically) and all of them.
 */
async function withDependencies(entry, outdir) {
  const { metafile } = await build({ ...APP_BUNDLE_OPTIONS, entryPoints: [entry], outdir });
  const outputs = new Map(Object.entries(metafile.outputs).filter(([file]) => file.endsWith('.js')).map(([file, out]) => [resolve(file), out]));
  const main = [...outputs].find(([, out]) => out.entryPoint && resolve(out.entryPoint) === resolve(entry))?.[0];
  const graph = new Map([...outputs].map(([file, out]) => [file, out.imports.filter((i) => !i.external).map((i) => ({ path: resolve(i.path), external: false, dynamic: i.kind === 'dynamic-import' }))]));
  return { bundledInitialGzip: sum(reach(graph, main, false).files), bundledTotalGzip: sum([...outputs.keys()]) };
}

/** The figures of one entry file (plus its dependencies bundled, for an ESM entry). */
async function measure({ name, file }, oneTag, scratch) {
  const graph = await importGraph(file, join(scratch, 'graph'));
  const initial = reach(graph, file, false);
  const total = reach(graph, file, true);
  const row = {
    entry: name,
    file: relative(ROOT, file),
    entryGzip: gzipSize(file),
    initialGzip: sum(initial.files),
    totalGzip: sum(total.files),
    initialFiles: initial.files.length,
    totalFiles: total.files.length,
  };
  if (oneTag) {
    row.initialPackages = packagesInside(initial.files);
    row.lazyPackages = packagesInside(total.files).filter((p) => !row.initialPackages.includes(p));
  } else {
    row.initialExternals = initial.externals;
    row.externals = total.externals;
    Object.assign(row, await withDependencies(file, join(scratch, name.replaceAll('/', '__'))));
  }
  return row;
}

const kb = (bytes) => (bytes === undefined ? '' : `${(bytes / 1024).toFixed(1)} KB`);

/** The human table: one line per entry. */
function printTable(rows) {
  const head = ['entry', 'entry', 'initial', 'total', 'initial+deps', 'total+deps'];
  const lines = rows.map((r) => [r.entry, kb(r.entryGzip), kb(r.initialGzip), kb(r.totalGzip), kb(r.bundledInitialGzip), kb(r.bundledTotalGzip)]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.error(`Gzipped sizes (level 9) over ${relative(ROOT, DIST) || DIST}/; "initial" = the entry and its static imports, "total" = with dynamic import()s.`);
  console.error('The ESM modules in dist/ are not minified; the "+deps" figures are esbuild-minified bundles with their dependencies.');
  console.error(format(head));
  for (const line of lines) console.error(format(line));
  for (const r of rows.filter((r) => r.externals?.length)) console.error(`  ${r.entry} imports (external): static ${r.initialExternals.join(', ') || 'none'}; in all ${r.externals.join(', ')}`);
}

/**
 * The checks issue 14 sets: the one-tag bundle's initial download within the limit; Vega not in
 * it; and whether the KPI card and (pre-aggregated) funnel paths pull Arquero in statically.
 */
function targets(rows) {
  const bundle = rows.find((r) => r.oneTag);
  const checks = [];
  if (bundle) {
    checks.push({
      target: `${bundle.entry} initial <= ${kb(BUNDLE_INITIAL_LIMIT)} gzipped`,
      limitGzip: BUNDLE_INITIAL_LIMIT,
      initialGzip: bundle.initialGzip,
      ok: bundle.initialGzip <= BUNDLE_INITIAL_LIMIT,
    });
    for (const pkg of ['vega', 'arquero']) {
      checks.push({ target: `${bundle.entry} initial files carry no ${pkg}`, staticallyPulled: bundle.initialPackages.some((p) => p === pkg || p.startsWith(`${pkg}-`)), ok: undefined });
    }
  }
  for (const key of ['./kpi-card.js', './funnel-chart.js']) {
    const row = rows.find((r) => r.key === key);
    if (!row) continue;
    for (const pkg of ['arquero', 'vega']) {
      const pulled = row.initialExternals.some((p) => p === pkg || p.startsWith(`${pkg}-`));
      checks.push({ target: `${row.entry} imports no ${pkg} statically`, staticallyPulled: pulled, ok: undefined });
    }
  }
  for (const check of checks) if (check.ok === undefined) check.ok = !check.staticallyPulled;
  return checks;
}

async function main() {
  const entries = exportedEntries();
  const bundleEntry = entries.find((e) => e.key === BUNDLE_EXPORT);
  if (!existsSync(DIST) || entries.some((e) => !existsSync(e.file))) {
    const missing = entries.filter((e) => !existsSync(e.file)).map((e) => relative(ROOT, e.file));
    console.error(`Nothing to measure: ${existsSync(DIST) ? `missing ${missing.join(', ')}` : `${relative(ROOT, DIST)}/ does not exist`}. Run \`npm run build\` first.`);
    process.exitCode = 1;
    return;
  }
  // The compute Worker's script, when built: downloaded once the page's first Worker starts.
  const worker = join(dirname(bundleEntry?.file ?? join(DIST, 'x')), 'compute-worker.js');
  const oneTag = [bundleEntry, existsSync(worker) && { key: null, name: `${PKG.name}/compute-worker.js (Worker)`, file: worker }].filter(Boolean);
  const scratch = mkdtempSync(join(tmpdir(), 'funnelkit-size-'));
  try {
    // esbuild runs the builds side by side; the rows keep package.json's order.
    const rows = await Promise.all([
      ...entries.map(async (entry) => ({ key: entry.key, oneTag: entry === bundleEntry, ...(await measure(entry, entry === bundleEntry, scratch)) })),
      ...oneTag.slice(1).map(async (entry) => ({ key: entry.key, oneTag: false, worker: true, ...(await measure(entry, true, scratch)) })),
    ]);
    for (const { key: _key, oneTag: _oneTag, worker: _worker, ...row } of rows) console.log(JSON.stringify(row));
    printTable(rows);
    const checks = targets(rows);
    for (const check of checks) {
      console.log(JSON.stringify(check));
      const detail = check.initialGzip !== undefined ? `: ${kb(check.initialGzip)}` : check.staticallyPulled ? ': pulled in statically' : '';
      console.error(`${check.ok ? 'OK  ' : 'MISS'} ${check.target}${detail}`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
