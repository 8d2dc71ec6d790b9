// Element tests in headless Chromium. Uses the system Chromium (CHROME_PATH, else
// /usr/bin/chromium): test tools cannot download their own browser on our machines.
import { existsSync } from 'node:fs';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { CHROMIUM_ARGS, chromiumPath } from './scripts/chromium.mjs';

const executablePath = chromiumPath();

export default {
  files: ['test/elements/**/*.test.ts'],
  nodeResolve: { browser: true, exportConditions: ['browser', 'development'] },
  // The story sweep draws the stories that read Storybook's static folder (/story-assets/*).
  middleware: [
    (ctx, next) => {
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
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.json' })],
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
