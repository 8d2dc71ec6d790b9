// Element tests in headless Chromium. Uses the system Chromium (CHROME_PATH, else
// /usr/bin/chromium): test tools cannot download their own browser on our machines.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { CHROMIUM_ARGS, chromiumPath } from './scripts/chromium.mjs';

const executablePath = chromiumPath();

/**
 * The warehouse endpoint for the browser test that draws its answer: a DuckDB file of a few deal
 * events and a folder with a funnel and a cohort contract over them, served by the built `funnelkit serve` (dist/warehouse,
 * which `npm test` builds before the browser tests). The page learns its URL at /__warehouse.
 */
const warehouse = warehouseEndpoint();

function warehouseEndpoint() {
  let server = null;
  let folder = null;
  return {
    name: 'warehouse-endpoint',
    async serverStart() {
      const { startServer } = await import('./dist/warehouse/serve.js');
      const { DuckDBInstance } = await import('@duckdb/node-api');
      folder = mkdtempSync(join(tmpdir(), 'funnelkit-wtr-'));
      const file = join(folder, 'events.duckdb');
      const instance = await DuckDBInstance.create(file);
      const connection = await instance.connect();
      await connection.run('CREATE TABLE events (deal VARCHAR, stage VARCHAR, t DOUBLE)');
      const day = (d) => Date.UTC(2026, 0, d);
      // a and b win, c stops at poc, d at lead: 4 → 3 → 2.
      const rows = [['a', 'lead', 1], ['a', 'poc', 2], ['a', 'won', 3], ['b', 'lead', 1], ['b', 'poc', 3], ['b', 'won', 6], ['c', 'lead', 2], ['c', 'poc', 4], ['d', 'lead', 8]];
      const insert = await connection.prepare('INSERT INTO events VALUES ($1, $2, $3)');
      for (const [deal, stage, d] of rows) {
        insert.bindVarchar(1, deal);
        insert.bindVarchar(2, stage);
        insert.bindDouble(3, day(d));
        await insert.run();
      }
      connection.closeSync();
      instance.closeSync();
      mkdirSync(join(folder, 'contracts'));
      const contract = {
        version: 1,
        kind: 'funnel',
        title: 'Deals (warehouse)',
        fields: { entity: 'deal', event: 'stage', time: 't' },
        funnel: { steps: [{ event: 'lead', label: 'Lead' }, { event: 'poc', label: 'POC' }, { event: 'won', label: 'Won' }], window: '30d' },
      };
      writeFileSync(join(folder, 'contracts', 'deals.json'), JSON.stringify(contract));
      // Deals by the day they became leads (a and b on the 1st, c on the 2nd, d on the 8th), and
      // the days after in which they moved on.
      const cohort = {
        version: 1,
        kind: 'cohort',
        title: 'Leads (warehouse)',
        fields: { entity: 'deal', event: 'stage', time: 't' },
        cohort: { start: { event: 'lead' }, period: 'day', periods: 3 },
      };
      writeFileSync(join(folder, 'contracts', 'leads.json'), JSON.stringify(cohort));
      server = await startServer({ duckdb: file, contracts: join(folder, 'contracts'), port: 0 });
    },
    /** Answers /__warehouse with the endpoint's URL (listed in `middleware`, ahead of the file server). */
    middleware(ctx, next) {
      if (ctx.path !== '/__warehouse') return next();
      ctx.body = { url: server?.url ?? null };
    },
    async serverStop() {
      await server?.close();
      if (folder) rmSync(folder, { recursive: true, force: true });
    },
  };
}

export default {
  files: ['test/elements/**/*.test.ts'],
  nodeResolve: { browser: true, exportConditions: ['browser', 'development'] },
  // The story sweep draws the stories that read Storybook's static folder (/story-assets/*).
  middleware: [
    warehouse.middleware,
    (ctx, next) => {
      // Data only for a request carrying the element's fetchOptions header (the Worker-fetch test).
      if (ctx.path === '/__needs-header') {
        if (ctx.get('x-funnelkit-test') !== 'yes') return void (ctx.status = 403);
        ctx.body = [
          { u: 'a', e: 'visit', t: 1 },
          { u: 'a', e: 'buy', t: 2 },
          { u: 'b', e: 'visit', t: 3 },
        ];
        return;
      }
      // The bundle test loads dist/ from the page's other name (localhost ↔ 127.0.0.1), as a
      // page loads it from a CDN: cross-origin, with CORS.
      if (ctx.url.startsWith('/dist/')) ctx.set('Access-Control-Allow-Origin', '*');
      if (ctx.url.startsWith('/story-assets/')) ctx.url = ctx.url.replace('/story-assets/', '/stories/assets/');
      // The compute Worker is started by URL (`./compute-worker.js` next to its module), which
      // here names the TypeScript source: serve that (esbuild transpiles it like any import).
      const [path, query = ''] = ctx.url.split('?');
      if (path.startsWith('/src/') && path.endsWith('.js') && !existsSync(`.${path}`) && existsSync(`.${path.slice(0, -3)}.ts`)) {
        ctx.url = `${path.slice(0, -3)}.ts${query ? `?${query}` : ''}`;
      }
      return next();
    },
  ],
  plugins: [warehouse, esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.json' })],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath,
        headless: true,
        args: CHROMIUM_ARGS,
      },
    }),
  ],
  // One page at a time: a backgrounded page gets no ResizeObserver callbacks.
  concurrency: 1,
  testFramework: { config: { timeout: 20000 } },
  testsFinishTimeout: 300000,
};
