// `funnelkit/kpi-card.js` loads no Vega: the card draws its sparkline itself, and its base class
// keeps the Vega view in VegaElement. Bundled here with esbuild as an app would bundle it, the
// module graph is read from the metafile. The card's own code is also kept small.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';

const LIT = /^(lit|@lit|lit-html|lit-element)(\/|$)/;

/** Leaves the analytics layer (the engine every widget shares) and its dependencies out. */
const analyticsExternal: Plugin = {
  name: 'analytics-external',
  setup(b) {
    b.onResolve({ filter: /\/analytics\// }, (args) => (args.importer.includes('/src/') ? { path: args.path, external: true } : undefined));
  },
};

async function bundle(entry: string, options: { analytics?: boolean } = {}) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    tsconfig: 'tsconfig.json',
    external: ['lit', 'lit/*', '@lit/*', 'lit-html', 'lit-html/*', 'lit-element', 'lit-element/*'],
    plugins: options.analytics === false ? [analyticsExternal] : [],
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  const code = result.outputFiles[0].contents;
  return { inputs, bytes: code.length, gzipped: gzipSync(code, { level: 9 }).length };
}

const vegaInputs = (inputs: string[]) => inputs.filter((p) => /node_modules\/vega/.test(p) || /controllers\/vega-view|vega-element|vega-formats/.test(p));

test('the kpi-card entry pulls in no vega module and not the Vega view controller', async () => {
  const { inputs } = await bundle('src/kpi-card.ts');
  assert.ok(inputs.includes('src/elements/kpi-card.ts'), 'the card itself is in the bundle');
  assert.deepEqual(vegaInputs(inputs), []);
  assert.ok(!inputs.some((p) => LIT.test(p.replace(/^node_modules\//, ''))), 'lit is left external');
});

test('the kpi-grid entry pulls in no vega module either', async () => {
  const { inputs } = await bundle('src/kpi-grid.ts');
  assert.deepEqual(vegaInputs(inputs), []);
});

test('the check sees Vega where it is: the anomaly-chart entry has it', async () => {
  const { inputs } = await bundle('src/anomaly-chart.ts', { analytics: false });
  assert.ok(inputs.some((p) => /node_modules\/vega\//.test(p)));
  assert.ok(inputs.some((p) => /node_modules\/vega-lite\//.test(p)));
  assert.ok(inputs.includes('src/elements/controllers/vega-view.ts'));
});

test('the card’s own code is under 15 KB gzipped (lit and the shared analytics engine left out)', async () => {
  const own = await bundle('src/kpi-card.ts', { analytics: false });
  const whole = await bundle('src/kpi-card.ts');
  assert.ok(own.inputs.every((p) => !p.includes('node_modules')), 'only FunnelKit sources in the card’s own code');
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log(
    `kpi-card: own code ${kb(own.bytes)} minified, ${kb(own.gzipped)} gzipped; ` +
      `with the analytics engine and arquero ${kb(whole.bytes)} minified, ${kb(whole.gzipped)} gzipped (lit external in both)`,
  );
  assert.ok(own.gzipped < 15 * 1024, `the card’s own code is ${kb(own.gzipped)} gzipped`);
});
