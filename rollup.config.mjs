// Three outputs from the same sources (TypeScript transpiled by esbuild; types come from `tsc`
// in `npm run build`, because typescript@7 has no JS API for a rollup TS plugin):
//  1. dist/*.js — ESM modules, one per source file, with lit, vega and its packages, vega-lite,
//     vega-interpreter, arquero, flechette and hyparquet left as imports, for apps that bundle;
//  2. dist/funnelkit.bundle.js — one minified entry for a page with one <script type="module">
//     and no bundler. What it imports lazily (Vega, on the first chart drawn) is split into
//     dist/chunks/, which the bundle imports relative to its own URL, so it works from any origin;
//     next to it, dist/compute-worker.js, the compute Worker's module script;
//  3. dist/analytics/worker/compute-worker.js — the Worker script for the ESM modules, self-contained
//     (it computes; it leaves compiling charts to the page: see noCompilerInWorker).
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import esbuild from 'rollup-plugin-esbuild';

// Every module at the top of src/ is an entry: index.ts and one registration module per tag
// (`funnel-chart.ts`…), so a new widget's registration module is built without editing this file.
const entries = {
  'analytics/index': 'src/analytics/index.ts',
  // Node only (funnelkit/warehouse): contracts computed inside DuckDB or ClickHouse. Never in the bundle.
  'warehouse/index': 'src/warehouse/index.ts',
  'warehouse/cli': 'src/warehouse/cli.ts',
  ...Object.fromEntries(
    readdirSync('src')
      .filter((name) => name.endsWith('.ts'))
      .map((name) => [name.slice(0, -3), `src/${name}`]),
  ),
};

// `src/react.ts` (funnelkit/react) is one of those top-level entries: `react` and `@lit/react` stay
// imports (react is an optional peer; @lit/react is under `@lit`). The bundle below never imports it.
const external = /^(lit|@lit|react|vega|vega-[a-z-]+|arquero|@uwdata\/flechette|hyparquet|@duckdb\/node-api|@clickhouse\/client|node:.*)(\/|$)/;

// The compute Worker's script. The pool starts it from `./compute-worker.js` next to its own module:
// dist/analytics/worker/ for the ESM modules (one self-contained file, below: a Worker cannot
// resolve bare imports, and a bundler that copies the file as an asset must get one that runs),
// dist/ next to the one-tag bundle (sharing the bundle's analytics chunk).
const WORKER = 'src/analytics/worker/compute-worker.ts';

// The self-contained Worker carries no Vega-Lite or Vega: rollup evaluates what it inlines when the
// Worker starts, and that would be 800 KB of code run before every first computation. Its
// `vegaRuntime` says so (a `CompilerUnavailable` error), the pool stops asking it, and the page
// compiles its charts itself. The bundle's Worker shares the bundle's chunks and compiles them.
const NO_COMPILER = '\0funnelkit-no-compiler';
const noCompilerInWorker = {
  name: 'no-compiler-in-worker',
  resolveId: (id) => (/\/specs\/vega-runtime\.js$/.test(id) ? NO_COMPILER : null),
  load: (id) =>
    id === NO_COMPILER
      ? `export function vegaRuntime() {
  const error = new Error('this Worker script has no Vega-Lite (dist/analytics/worker/compute-worker.js is self-contained): the page compiles its charts');
  error.name = 'CompilerUnavailable';
  throw error;
}`
      : null,
};

const copySchema = {
  name: 'copy-schema',
  writeBundle() {
    mkdirSync('dist/schema', { recursive: true });
    copyFileSync('src/analytics/contract.v1.schema.json', 'dist/schema/contract.v1.json');
  },
};

// rollup-plugin-esbuild resolves relative imports itself, even inside node_modules, which
// skips packages' "browser" field (arquero swaps its Node file stream for a web one there).
function esbuildOwnSources(options) {
  const plugin = esbuild(options);
  const resolve = plugin.resolveId;
  plugin.resolveId = function (id, importer, opts) {
    return importer?.includes('/node_modules/') ? null : resolve.call(this, id, importer, opts);
  };
  return plugin;
}

// Chunk names carry a content hash: without this, every build would leave the previous build's
// chunks in dist/chunks/ (and in the published package).
const cleanChunks = {
  name: 'clean-chunks',
  buildStart() {
    rmSync('dist/chunks', { recursive: true, force: true });
  },
};

const quiet = (warning, warn) => {
  // d3 and vega have known, harmless circular imports.
  if (warning.code === 'CIRCULAR_DEPENDENCY') return;
  warn(warning);
};

export default [
  {
    input: entries,
    external: (id) => external.test(id),
    output: { dir: 'dist', format: 'es', preserveModules: true, preserveModulesRoot: 'src', sourcemap: true },
    plugins: [esbuild({ target: 'es2022', tsconfig: 'tsconfig.json' }), copySchema],
    onwarn: quiet,
  },
  {
    // Entry names are exact file names (package.json's unpkg/jsdelivr/`./bundle` point at the
    // bundle; the pool looks for compute-worker.js next to the bundle); all else goes to chunks/.
    input: { 'funnelkit.bundle': 'src/index.ts', 'compute-worker': WORKER },
    output: {
      dir: 'dist',
      format: 'es',
      sourcemap: true,
      entryFileNames: '[name].js',
      chunkFileNames: 'chunks/[name]-[hash].js',
    },
    plugins: [
      cleanChunks,
      nodeResolve({ browser: true, exportConditions: ['browser', 'production'] }),
      esbuildOwnSources({ target: 'es2022', tsconfig: 'tsconfig.json', minify: true, define: { 'process.env.NODE_ENV': '"production"' } }),
    ],
    onwarn: quiet,
  },
  {
    input: WORKER,
    output: { file: 'dist/analytics/worker/compute-worker.js', format: 'es', inlineDynamicImports: true },
    plugins: [
      noCompilerInWorker,
      nodeResolve({ browser: true, exportConditions: ['browser', 'production'] }),
      esbuildOwnSources({ target: 'es2022', tsconfig: 'tsconfig.json', minify: true, define: { 'process.env.NODE_ENV': '"production"' } }),
    ],
    onwarn: quiet,
  },
];
