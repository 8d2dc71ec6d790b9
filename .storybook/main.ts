import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StorybookConfig } from '@storybook/web-components-vite';
import { defaultClientConditions, defaultClientMainFields } from 'vite';

/**
 * Storybook for the FunnelKit widgets: `npm run storybook` (dev) or `npm run build-storybook`.
 *
 * What the widgets need from Vite:
 *  - arquero's package.json has no `exports`; it swaps its Node byte stream (which imports
 *    `node:fs`) for a web one through the `browser` *field*. Vite applies that mapping only
 *    while 'browser' is in `resolve.mainFields`, and packages with `exports` pick their browser
 *    build through the 'browser' condition, so both are kept (with Vite's defaults) below;
 *  - src uses legacy decorators (`experimentalDecorators`, `useDefineForClassFields: false`).
 *    Vite's esbuild transform reads those from /tsconfig.json by itself; nothing to set here,
 *    but a story that shows figures is the check that it still does;
 *  - the registration modules (src/kpi-card.ts…) must survive tree-shaking. Vite applies the
 *    package's own `sideEffects` (which lists only dist/) to local files, so a small plugin below
 *    marks them as having side effects;
 *  - one copy of lit-html in `storybook dev`: Storybook's renderer imports
 *    `lit/directive-helpers.js`, which the dependency optimizer does not pre-bundle by itself, so
 *    it loaded a second lit-html next to the pre-bundled `lit` ("Multiple versions of Lit
 *    loaded"). Pre-bundling it with the other lit entry points keeps one.
 */

/**
 * Docs pages (`@storybook/addon-docs`, `tags: ['autodocs']` in preview.ts) list each widget's
 * attributes, properties, events, slots, parts and CSS properties from custom-elements.json, which
 * is generated (gitignored): it is made here, before the preview imports it, when it is missing or
 * older than src/ (`npm run analyze` makes the same file).
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const newest = (dir: string): number =>
  Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));
const manifest = join(root, 'custom-elements.json');
const analyzerConfig = join(root, 'custom-elements-manifest.config.mjs');
if (!existsSync(manifest) || statSync(manifest).mtimeMs < Math.max(newest(join(root, 'src')), statSync(analyzerConfig).mtimeMs)) {
  execFileSync(process.platform === 'win32' ? 'npx.cmd' : 'npx', ['cem', 'analyze', '--config', analyzerConfig], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}

const config: StorybookConfig = {
  framework: { name: '@storybook/web-components-vite', options: {} },
  stories: ['../stories/**/*.stories.ts'],
  addons: ['@storybook/addon-docs'],
  // Contracts and data for the `src` / `data.url` story, served as /story-assets/*
  // (not /assets/: that is where Vite writes the built chunks).
  staticDirs: [{ from: '../stories/assets', to: '/story-assets' }],
  core: { disableTelemetry: true },
  async viteFinal(viteConfig) {
    const conditions = viteConfig.resolve?.conditions ?? [...defaultClientConditions];
    const mainFields = viteConfig.resolve?.mainFields ?? [...defaultClientMainFields];
    const include = viteConfig.optimizeDeps?.include ?? [];
    return {
      ...viteConfig,
      // The registration modules (src/kpi-card.ts…) define tags, so their bare imports in stories
      // must survive tree-shaking; the package's `sideEffects` lists only what it ships (dist/).
      plugins: [...(viteConfig.plugins ?? []), { name: 'funnelkit-registrations', transform: (code: string, id: string) => (/\/src\/[^/]+\.ts$/.test(id) ? { code, map: null, moduleSideEffects: true } : null) }],
      optimizeDeps: {
        ...viteConfig.optimizeDeps,
        include: [...new Set([...include, 'lit', 'lit/decorators.js', 'lit/directive-helpers.js', 'lit/directives/unsafe-html.js'])],
      },
      resolve: {
        ...viteConfig.resolve,
        conditions: [...new Set([...conditions, 'browser'])],
        mainFields: [...new Set(['browser', ...mainFields])],
      },
    };
  },
};

export default config;
