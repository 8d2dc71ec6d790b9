import { fileURLToPath } from 'node:url';
import type { StorybookConfig } from '@storybook/web-components-vite';
import { defaultClientConditions, defaultClientMainFields, normalizePath, type Plugin } from 'vite';

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
 *  - the registration modules (src/kpi-card.ts…) must survive tree-shaking: see below;
 *  - one copy of lit-html in `storybook dev`: Storybook's renderer imports
 *    `lit/directive-helpers.js`, which the dependency optimizer does not pre-bundle by itself, so
 *    it loaded a second lit-html next to the pre-bundled `lit` ("Multiple versions of Lit
 *    loaded"). Pre-bundling it with the other lit entry points keeps one.
 */

const srcDir = normalizePath(fileURLToPath(new URL('../src/', import.meta.url)));

/**
 * In a build, Vite applies the nearest package.json `sideEffects` to local files too. Ours lists
 * only ./dist/* (right for consumers), so a story's `import '../src/kpi-card.js'` counts as
 * side-effect free and is dropped: the tag is never defined and every story is blank (the dev
 * server does not tree-shake, so it only shows in `storybook build`). This marks the modules
 * directly in src/ (index and the registration modules) as having side effects. It can go once
 * package.json `sideEffects` also lists those source files.
 */
function keepRegistrationModules(): Plugin {
  return {
    name: 'funnelkit:keep-registration-modules',
    apply: 'build',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (!importer || !source.startsWith('.')) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      if (!resolved || resolved.external) return resolved;
      const id = normalizePath(resolved.id);
      const inSrcRoot = id.startsWith(srcDir) && !id.slice(srcDir.length).includes('/');
      return inSrcRoot ? { ...resolved, moduleSideEffects: true } : resolved;
    },
  };
}

const config: StorybookConfig = {
  framework: { name: '@storybook/web-components-vite', options: {} },
  stories: ['../stories/**/*.stories.ts'],
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
      optimizeDeps: {
        ...viteConfig.optimizeDeps,
        include: [...new Set([...include, 'lit', 'lit/decorators.js', 'lit/directive-helpers.js', 'lit/directives/unsafe-html.js'])],
      },
      plugins: [...(viteConfig.plugins ?? []), keepRegistrationModules()],
      resolve: {
        ...viteConfig.resolve,
        conditions: [...new Set([...conditions, 'browser'])],
        mainFields: [...new Set(['browser', ...mainFields])],
      },
    };
  },
};

export default config;
