// Two outputs from the same sources (TypeScript transpiled by esbuild; types come from `tsc`
// in `npm run build`, because typescript@7 has no JS API for a rollup TS plugin):
//  1. dist/*.js — ESM modules, one per source file, with lit, vega, vega-lite, vega-embed,
//     vega-interpreter and arquero left as imports, for apps that bundle;
//  2. dist/funnelkit.bundle.js — everything in one minified file, for a page with one
//     <script type="module"> and no bundler.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import esbuild from 'rollup-plugin-esbuild';

// Every module at the top of src/ is an entry: index.ts and one registration module per tag
// (`funnel-chart.ts`…), so a new widget's registration module is built without editing this file.
const entries = {
  'analytics/index': 'src/analytics/index.ts',
  ...Object.fromEntries(
    readdirSync('src')
      .filter((name) => name.endsWith('.ts'))
      .map((name) => [name.slice(0, -3), `src/${name}`]),
  ),
};
// `src/react.ts` (funnelkit/react) is one of those top-level entries: `react` and `@lit/react` stay
// imports (react is an optional peer; @lit/react is under `@lit`). The bundle below never imports it.
const external = /^(lit|@lit|react|vega|vega-lite|vega-embed|vega-interpreter|arquero)(\/|$)/;

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
    input: 'src/index.ts',
    output: { file: 'dist/funnelkit.bundle.js', format: 'es', sourcemap: true, inlineDynamicImports: true },
    plugins: [
      nodeResolve({ browser: true, exportConditions: ['browser', 'production'] }),
      esbuildOwnSources({ target: 'es2022', tsconfig: 'tsconfig.json', minify: true, define: { 'process.env.NODE_ENV': '"production"' } }),
    ],
    onwarn: quiet,
  },
];
