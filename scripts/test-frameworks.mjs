#!/usr/bin/env node
// `npm run test:frameworks`: FunnelKit as a team would install it, from the packed tarball.
//
//  1. `npm pack` of the built repository (runs `npm run build` first when dist/ is missing);
//  2. packed install: a fresh app with nothing but `funnelkit` (the tarball) and Vite, a plain
//     `npm install` with no flags, then @uwdata/flechette must resolve to 2.6.x everywhere, and a
//     Vite build must render a <funnel-chart> in Chromium;
//  3. each app in demo/frameworks/ (React, Vue, Svelte, Angular), copied to a temp folder with
//     its `funnelkit` dependency pointed at the tarball: install, build (which type-checks),
//     serve the output and check it in headless Chromium: the lazily defined <funnel-chart> kept
//     the contract its framework set before the module loaded (state `ready`), draws an svg in
//     [part=chart], a click on a step label reaches the app's handler (the page shows
//     "POC: 3"), and nothing is logged as an error.
//
// One line per app with its timings (total: wall time since the app started, waiting for the
// other apps' builds included); exit 1 on any failure. Installs share ~/.npm (framework
// apps install with --prefer-offline); the temp folder is removed unless a check failed or
// FUNNELKIT_KEEP=1. Run a subset with `npm run test:frameworks -- react vue packed`.
import { spawn } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS, chromiumPath } from './chromium.mjs';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const FRAMEWORKS = join(ROOT, 'demo/frameworks');
const KEEP = process.env.FUNNELKIT_KEEP === '1';
const INSTALL_TIMEOUT = 6 * 60_000;
const BUILD_TIMEOUT = 4 * 60_000;
const PAGE_TIMEOUT = 20_000;
/** The dependency line each app's package.json carries until the test points it at the tarball. */
const PLACEHOLDER = 'file:../../../funnelkit.tgz';

/**
 * The apps. `charts`: ids of the <funnel-chart> elements on the page; each app writes
 * "<step name>: <count>" of a `funnel-step-click` into `#<id>-clicked`. `lazy`: ids rendered
 * (with their contract) before `funnelkit/funnel-chart.js` was imported.
 */
const APPS = {
  packed: { charts: ['chart'], lazy: [], out: 'dist' },
  react: { charts: ['lazy', 'wrapped', 'raw'], lazy: ['lazy'], out: 'dist' },
  vue: { charts: ['lazy'], lazy: ['lazy'], out: 'dist' },
  svelte: { charts: ['lazy'], lazy: ['lazy'], out: 'dist' },
  angular: { charts: ['lazy'], lazy: ['lazy'], out: 'dist/browser' },
};

/** Clicking this step label (index 1 of the demo contract) must print this in the page. */
const STEP_INDEX = 1;
const EXPECTED_CLICK = 'POC: 3';

// ---------------------------------------------------------------------------------------------
// Processes

/**
 * Environment for child npm runs: without what `npm run` put there about this repository (its
 * package, script and prefix); npm settings given as `npm_config_*` (registry, cache) stay.
 */
const FROM_NPM_RUN = /^(npm_(lifecycle|package)_.*|npm_config_(local_prefix|call)|npm_(command|execpath|node_execpath)|INIT_CWD)$/i;
function childEnv() {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !FROM_NPM_RUN.test(key)));
  return { ...env, NG_CLI_ANALYTICS: 'false', NO_COLOR: '1', FORCE_COLOR: '0', BROWSERSLIST_IGNORE_OLD_DATA: '1' };
}

/**
 * Runs a command; resolves with its combined output, which is also written to `log`. Rejects
 * (with the output's tail) on a non-zero exit or after `timeout` ms, ending its process group.
 */
function run(command, args, { cwd, log, timeout }) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\n[test-frameworks] timed out after ${timeout / 1000} s\n`;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, timeout);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', async (code, signal) => {
      clearTimeout(timer);
      if (log) await writeFile(log, output).catch(() => {});
      if (code === 0) resolvePromise(output);
      else {
        const tail = output.trim().split('\n').slice(-40).join('\n');
        reject(new Error(`\`${[command, ...args].join(' ')}\` failed (${signal ?? `exit ${code}`}) in ${cwd}${log ? `, log ${log}` : ''}:\n${tail}`));
      }
    });
  });
}

/** Runs `fn` alone: builds and browser checks take both cores, installs overlap them. */
let cpuQueue = Promise.resolve();
function exclusive(fn) {
  const result = cpuQueue.then(fn);
  cpuQueue = result.catch(() => {});
  return result;
}

// ---------------------------------------------------------------------------------------------
// Static server for a build output folder (an unknown path without extension gets index.html).

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

async function serve(dir) {
  const root = resolve(dir);
  const server = createServer(async (req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://127.0.0.1');
    // Browsers ask for it on their own; the apps have none.
    if (pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    let file;
    try {
      file = resolve(join(root, decodeURIComponent(pathname)));
    } catch {
      file = null;
    }
    if (!file || (file !== root && !file.startsWith(root + sep))) {
      res.writeHead(400).end();
      return;
    }
    let info = await stat(file).catch(() => null);
    if (info?.isDirectory()) {
      file = join(file, 'index.html');
      info = await stat(file).catch(() => null);
    }
    if (!info && !extname(file)) {
      file = join(root, 'index.html');
      info = await stat(file).catch(() => null);
    }
    if (!info) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found\n');
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': info.size });
    createReadStream(file).pipe(res);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((ok) => server.close(ok)) };
}

// ---------------------------------------------------------------------------------------------
// Browser checks

/**
 * Runs in the page before its scripts: notes, when `funnel-chart` is defined, which of those
 * elements were already in the document and how their framework had passed `contract`.
 */
function recordDefinition() {
  const define = CustomElementRegistry.prototype.define;
  CustomElementRegistry.prototype.define = function (name, ...rest) {
    if (name === 'funnel-chart') {
      window.__funnelkitBeforeDefine = [...document.querySelectorAll('funnel-chart')].map((el) => ({
        id: el.id,
        ownContract: Object.prototype.hasOwnProperty.call(el, 'contract'),
        contractAttribute: el.getAttribute('contract'),
      }));
    }
    return define.call(this, name, ...rest);
  };
}

/** Checks one served app in a fresh browser context; returns the failed assertions. */
async function checkPage(browser, url, app) {
  const failures = [];
  const errors = [];
  const context = await browser.createBrowserContext();
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(PAGE_TIMEOUT);
    page.on('console', (message) => {
      if (message.type() === 'error') {
        const where = message.location()?.url;
        errors.push(`console.error: ${message.text()}${where ? ` (${where})` : ''}`);
      }
    });
    page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => errors.push(`request failed: ${request.url()} (${request.failure()?.errorText})`));
    await page.evaluateOnNewDocument(recordDefinition);
    await page.goto(url, { waitUntil: 'load' });

    const defined = await page
      .waitForFunction(() => customElements.get('funnel-chart') !== undefined, { timeout: PAGE_TIMEOUT })
      .then(() => true, () => false);
    if (!defined) {
      failures.push('funnel-chart was never defined (the widget module did not load)');
      return { failures, errors };
    }
    const before = await page.evaluate(() => window.__funnelkitBeforeDefine ?? []);

    for (const id of app.charts) {
      const label = `#${id}`;
      const present = await page.waitForSelector(`funnel-chart#${id}`, { timeout: PAGE_TIMEOUT }).then(() => true, () => false);
      if (!present) {
        failures.push(`${label}: no <funnel-chart id="${id}"> on the page`);
        continue;
      }
      const pending = before.find((entry) => entry.id === id);
      if (app.lazy.includes(id)) {
        // The case under test: the framework set the property on a plain HTMLElement, which the
        // upgrade must keep.
        if (!pending) failures.push(`${label}: was not in the page before funnel-chart was defined (the lazy case was not exercised)`);
        else if (!pending.ownContract) failures.push(`${label}: had no contract property when funnel-chart was defined (the app did not set it before the upgrade)`);
      }

      // Kept its contract: `state` reaches `ready` (an upgrade that lost the contract stays `idle`).
      // `error` ends the wait too: it will not turn `ready` by itself.
      await page
        .waitForFunction((chartId) => ['ready', 'error'].includes(document.getElementById(chartId)?.state), { timeout: PAGE_TIMEOUT }, id)
        .catch(() => {});
      const now = await page.evaluate((chartId) => {
        const el = document.getElementById(chartId);
        const status = el?.shadowRoot?.querySelector('[part~=status]')?.textContent?.replace(/\s+/g, ' ').trim();
        return { state: el?.state, hasContract: el?.contract !== undefined, status: status || null };
      }, id);
      if (now.state !== 'ready') {
        const how = pending
          ? pending.ownContract
            ? 'contract was set as a property before the upgrade'
            : pending.contractAttribute !== null
              ? `before the upgrade the framework had set contract as an ATTRIBUTE (${JSON.stringify(pending.contractAttribute)}), not as a property`
              : 'before the upgrade the element had no contract property nor attribute'
          : 'element was created after the upgrade';
        failures.push(
          `${label}: state is ${JSON.stringify(now.state)}, not "ready"${now.status ? ` (it shows ${JSON.stringify(now.status)})` : ''}; ` +
            `contract property after upgrade: ${now.hasContract ? 'set' : 'undefined'}; ${how}`,
        );
        continue;
      }

      // Vega is loaded on the first draw, after `ready`: the chart follows shortly.
      const svg = await page
        .waitForFunction((chartId) => Boolean(document.getElementById(chartId)?.shadowRoot?.querySelector('[part~=chart] svg')), { timeout: PAGE_TIMEOUT }, id)
        .then(() => true, () => false);
      if (!svg) failures.push(`${label}: no svg in its shadow root's [part=chart]`);

      // Step labels are laid out once the Vega view is drawn.
      const button = await page
        .waitForFunction(
          (chartId, index) => document.getElementById(chartId)?.shadowRoot?.querySelectorAll('[part~=step-label]')[index] ?? false,
          { timeout: PAGE_TIMEOUT },
          id,
          STEP_INDEX,
        )
        .catch(() => null);
      if (!button) {
        failures.push(`${label}: no step label button [part~=step-label] #${STEP_INDEX} in its shadow root`);
        continue;
      }
      await button.click();
      const output = `${id}-clicked`;
      const shown = await page
        .waitForFunction((outputId, text) => document.getElementById(outputId)?.textContent?.trim() === text, { timeout: 5000 }, output, EXPECTED_CLICK)
        .then(() => true, () => false);
      if (!shown) {
        const text = await page.evaluate((outputId) => document.getElementById(outputId)?.textContent ?? null, output);
        failures.push(`${label}: after a click on step label ${STEP_INDEX}, #${output} shows ${JSON.stringify(text)}, not ${JSON.stringify(EXPECTED_CLICK)} (funnel-step-click did not reach the app)`);
      }
    }
    // Late errors (a draw after the click) get a moment to surface.
    await new Promise((ok) => setTimeout(ok, 300));
  } finally {
    await context.close().catch(() => {});
  }
  if (errors.length) failures.push(`console or page errors:\n      ${errors.join('\n      ')}`);
  return { failures, errors };
}

// ---------------------------------------------------------------------------------------------
// Apps

const PACKED_HTML = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>FunnelKit packed install</title></head>
  <body>
    <funnel-chart id="chart"></funnel-chart>
    <p>Clicked: <output id="chart-clicked"></output></p>
    <script type="module" src="/main.js"></script>
  </body>
</html>
`;

/** The same four deals and three steps as the contract.ts of each app in demo/frameworks. */
const PACKED_CONTRACT = {
  version: 1,
  kind: 'funnel',
  title: 'Deals',
  data: {
    rows: [
      ['a', 'lead', '2026-01-01T00:00:00Z'],
      ['a', 'poc', '2026-01-02T00:00:00Z'],
      ['a', 'won', '2026-01-03T00:00:00Z'],
      ['b', 'lead', '2026-01-01T12:00:00Z'],
      ['b', 'poc', '2026-01-03T12:00:00Z'],
      ['b', 'won', '2026-01-06T12:00:00Z'],
      ['c', 'lead', '2026-01-02T00:00:00Z'],
      ['c', 'poc', '2026-01-04T00:00:00Z'],
      ['d', 'lead', '2026-01-08T00:00:00Z'],
    ].map(([id, e, t]) => ({ id, e, t })),
  },
  fields: { entity: 'id', time: 't', event: 'e' },
  funnel: { steps: [{ event: 'lead', label: 'Lead' }, { event: 'poc', label: 'POC' }, { event: 'won', label: 'Won' }], window: '30d' },
};

const PACKED_MAIN = `import 'funnelkit/funnel-chart.js';

const chart = document.getElementById('chart');
chart.contract = ${JSON.stringify(PACKED_CONTRACT)};
chart.addEventListener('funnel-step-click', (event) => {
  document.getElementById('chart-clicked').textContent = \`\${event.detail.name}: \${event.detail.count}\`;
});
`;

/** Every installed copy of a package, as `version (path)`, by `npm query`. */
async function installedVersions(dir, name, log) {
  const json = await run('npm', ['query', `#${name}`], { cwd: dir, log, timeout: 60_000 });
  return JSON.parse(json).map((node) => ({ version: node.version, location: node.location }));
}

/** The warnings of an `npm install` a team would read: engines, deprecations, held-back scripts. */
function installWarnings(output) {
  const notes = [];
  let pkg = null;
  for (const line of output.split('\n')) {
    const engine = line.match(/^npm warn EBADENGINE +package: '([^']+)'/);
    const required = line.match(/^npm warn EBADENGINE +required: (.*)$/);
    const other = line.match(/^npm warn (deprecated .*|install-scripts +\S+@\S+ .*)$/);
    if (engine) pkg = engine[1];
    else if (required && pkg) notes.push(`npm warn EBADENGINE: ${pkg} requires ${required[1].replace(/,$/, '')} (this is Node ${process.version})`);
    else if (other) notes.push(`npm warn ${other[1].replace(/ +/g, ' ')}`);
  }
  return [...new Set(notes)];
}

/** Sets up the app's folder in `work`; returns it. */
async function prepare(name, work, tarball) {
  const dir = join(work, name);
  if (name === 'packed') {
    await mkdir(dir, { recursive: true });
    const manifest = { name: 'funnelkit-packed-install', private: true, type: 'module', dependencies: { funnelkit: `file:${tarball}` }, devDependencies: { vite: '^8.0.0' } };
    await writeFile(join(dir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
    await writeFile(join(dir, 'index.html'), PACKED_HTML);
    await writeFile(join(dir, 'main.js'), PACKED_MAIN);
    return dir;
  }
  const source = join(FRAMEWORKS, name);
  await cp(source, dir, { recursive: true, filter: (path) => !/[/\\](node_modules|dist|\.angular)([/\\]|$)/.test(path.slice(source.length)) });
  const manifestPath = join(dir, 'package.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
  if (manifest.dependencies?.funnelkit !== PLACEHOLDER) throw new Error(`${name}/package.json: dependencies.funnelkit must be "${PLACEHOLDER}"`);
  manifest.dependencies.funnelkit = `file:${tarball}`;
  await writeFile(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  return dir;
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)}s`;

async function testApp(name, { work, tarball, browser }) {
  const app = APPS[name];
  const times = {};
  const failures = [];
  const notes = [];
  const started = performance.now();
  const timed = async (step, fn) => {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      times[step] = performance.now() - t;
    }
  };
  try {
    const dir = await prepare(name, work, tarball);
    const log = (step) => join(dir, `${step}.log`);
    // The packed install is what a team runs: plain `npm install`, nothing else.
    const installArgs = name === 'packed' ? ['install'] : ['install', '--prefer-offline', '--no-audit', '--no-fund'];
    const installed = await timed('install', () => run('npm', installArgs, { cwd: dir, log: log('install'), timeout: INSTALL_TIMEOUT }));
    if (name === 'packed') {
      // What a team sees on install; reported, not failed (a warning does not stop an install).
      notes.push(...installWarnings(installed));
      const copies = await installedVersions(dir, '@uwdata/flechette', log('query'));
      const wrong = copies.filter((c) => !/^2\.6\./.test(c.version));
      if (copies.length === 0) failures.push('@uwdata/flechette is not installed');
      if (wrong.length) failures.push(`@uwdata/flechette must resolve to 2.6.x: ${wrong.map((c) => `${c.version} at ${c.location}`).join(', ')}`);
    }
    await exclusive(async () => {
      const buildArgs = name === 'packed' ? ['exec', '--', 'vite', 'build'] : ['run', 'build'];
      await timed('build', () => run('npm', buildArgs, { cwd: dir, log: log('build'), timeout: BUILD_TIMEOUT }));
      const server = await serve(join(dir, app.out));
      try {
        const result = await timed('browser', () => checkPage(browser, server.url, app));
        failures.push(...result.failures);
      } finally {
        await server.close();
      }
    });
  } catch (error) {
    failures.push(error instanceof Error ? error.message : String(error));
  }
  const total = performance.now() - started;
  const steps = ['install', 'build', 'browser'].map((s) => `${s} ${s in times ? seconds(times[s]) : '-'}`).join('  ');
  const line = `${failures.length ? 'FAIL' : 'PASS'} ${name.padEnd(8)} ${steps}  total ${seconds(total)}`;
  const details = [...failures.map((f) => `  ✗ ${f.replace(/\n/g, '\n    ')}`), ...notes.map((n) => `  · ${n}`)];
  console.log([line, ...details].join('\n'));
  return failures.length === 0;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !(name in APPS));
  if (unknown.length) throw new Error(`unknown app(s) ${unknown.join(', ')}; known: ${Object.keys(APPS).join(', ')}`);
  const names = wanted.length ? wanted : Object.keys(APPS);
  const started = performance.now();

  if (!existsSync(join(ROOT, 'dist/index.js'))) {
    console.log('dist/ is missing: npm run build');
    await run('npm', ['run', 'build'], { cwd: ROOT, timeout: BUILD_TIMEOUT });
  } else if (!process.env.FUNNELKIT_TARBALL) {
    const built = (await stat(join(ROOT, 'dist/index.js'))).mtimeMs;
    const sources = await readdir(join(ROOT, 'src'), { recursive: true });
    const newer = [];
    for (const file of sources) if ((await stat(join(ROOT, 'src', file))).mtimeMs > built) newer.push(file);
    if (newer.length) console.log(`note: dist/ is older than ${newer.length} file(s) in src/ (${newer.slice(0, 3).join(', ')}…): this tests the last \`npm run build\``);
  }
  const work = await mkdtemp(join(tmpdir(), 'funnelkit-frameworks-'));
  let tarball;
  if (process.env.FUNNELKIT_TARBALL) {
    // A tarball made elsewhere (a release candidate, a published version fetched with `npm pack funnelkit`).
    tarball = resolve(process.env.FUNNELKIT_TARBALL);
    console.log(`testing ${tarball} in ${work}`);
  } else {
    // --ignore-scripts: a pack of the built tree needs no lifecycle script.
    const packed = JSON.parse(await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT, timeout: 120_000 }));
    tarball = join(work, packed[0].filename);
    console.log(`packed ${packed[0].filename} (${(packed[0].size / 1e6).toFixed(1)} MB, ${packed[0].entryCount} files) in ${work}`);
  }

  const browser = await puppeteer.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
  let results;
  try {
    // Installs run side by side (network and disk); builds and browser checks one at a time.
    results = await Promise.all(names.map((name) => testApp(name, { work, tarball, browser })));
  } finally {
    await browser.close();
  }
  const passed = results.filter(Boolean).length;
  const failed = results.length - passed;
  if (failed || KEEP) console.log(`kept ${work}`);
  else await rm(work, { recursive: true, force: true });
  console.log(`frameworks (${seconds(performance.now() - started)}): ${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
