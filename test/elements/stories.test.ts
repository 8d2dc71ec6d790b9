/**
 * The story sweep: every story of every widget, drawn as Storybook draws it (its args over the
 * meta's, its beforeEach, the page background of its theme) in the light and the dark theme, with
 * the SVG renderer. Each must pass axe (WCAG 2.2 A and AA rules), draw every text inside its
 * charts at AA contrast, and log no console error.
 */
import { expect, waitUntil } from '@open-wc/testing';
import type AxeCore from 'axe-core';
import { render, type TemplateResult } from 'lit';
import * as anomaly from '../../stories/anomaly-chart.stories.js';
import * as cohort from '../../stories/cohort-chart.stories.js';
import * as funnel from '../../stories/funnel-chart.stories.js';
import * as states from '../../stories/funnelkit-states.stories.js';
import * as kpiCard from '../../stories/kpi-card.stories.js';
import * as kpiGrid from '../../stories/kpi-grid.stories.js';
import { deepQuery, svgTextContrast } from './support/contrast.js';

interface StoryLike {
  name?: string;
  args?: Record<string, unknown>;
  render?: (args: Record<string, unknown>, context: Record<string, unknown>) => TemplateResult;
  beforeEach?: () => void | (() => void) | Promise<void | (() => void)>;
}
interface MetaLike extends StoryLike {
  title: string;
}

const modules = [funnel, cohort, anomaly, kpiCard, kpiGrid, states] as unknown as Array<Record<string, StoryLike> & { default: MetaLike }>;
const WIDGETS = 'funnel-chart, cohort-chart, anomaly-chart, kpi-card, kpi-grid';

type Widget = HTMLElement & { state: string; updateComplete: Promise<boolean> };

async function loadAxe(): Promise<typeof AxeCore> {
  const scope = window as unknown as { axe?: typeof AxeCore };
  // @ts-ignore: the browser build registers window.axe
  if (!scope.axe) await import('axe-core/axe.min.js');
  return scope.axe!;
}

/**
 * Until every widget in `host` shows what it will show: drawn, empty, or an error. A widget still
 * loading after a few seconds is a Loading story (its fetch never answers).
 */
async function settle(host: HTMLElement, drawn: Set<EventTarget>): Promise<Widget[]> {
  const widgets = () => deepQuery(host, WIDGETS) as Widget[];
  const done = (w: Widget) => w.state === 'empty' || w.state === 'error' || (w.state === 'ready' && drawn.has(w));
  try {
    await waitUntil(() => widgets().length > 0 && widgets().every(done), '', { timeout: 4000, interval: 20 });
  } catch {
    const stuck = widgets().filter((w) => !done(w) && w.state !== 'loading' && w.state !== 'idle');
    if (stuck.length) throw new Error(`never settled: ${stuck.map((w) => `<${w.localName} state=${w.state}>`).join(', ')}`);
  }
  await Promise.all(widgets().map((w) => w.updateComplete));
  // Vega's SVG renderer paints on the next frame after its view runs.
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  return widgets();
}

const THEMES = ['light', 'dark'] as const;

describe('every story passes axe and draws chart text at AA contrast, in both themes', () => {
  const errors: string[] = [];
  const realError = console.error;
  before(() => {
    console.error = (...parts: unknown[]) => {
      errors.push(parts.map(String).join(' '));
      realError.apply(console, parts);
    };
  });
  after(() => {
    console.error = realError;
  });

  for (const mod of modules) {
    const meta = mod.default;
    const stories = Object.entries(mod).filter(([key]) => key !== 'default') as Array<[string, StoryLike]>;
    describe(meta.title, () => {
      for (const [key, story] of stories) {
        for (const theme of THEMES) {
          it(`${story.name ?? key} (${theme})`, async () => {
            errors.length = 0;
            const args = { ...meta.args, ...story.args };
            const context = { args, globals: { theme, locale: 'en' }, name: story.name ?? key, title: meta.title };
            const draw = story.render ?? meta.render;
            if (!draw) throw new Error(`${key} has no render`);
            const cleanup = await (story.beforeEach ?? meta.beforeEach)?.();
            const dark = theme === 'dark' && (args.theme ?? 'dark') === 'dark';
            document.documentElement.style.colorScheme = dark ? 'dark' : 'light';
            document.body.style.background = dark ? '#0d0f12' : '#f5f7fa';
            document.body.style.color = dark ? '#e6e8eb' : '#1f2933';
            const host = document.createElement('div');
            host.style.padding = '16px';
            document.body.append(host);
            const drawn = new Set<EventTarget>();
            host.addEventListener('funnelkit-render', (e) => drawn.add(e.composedPath()[0]!));
            try {
              render(draw(args, context), host);
              await settle(host, drawn);
              const axe = await loadAxe();
              const result = await axe.run(host, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
              const violations = result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => `${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(1, 2).join('')}`).join('; ')}`);
              expect(violations, 'axe violations').to.deep.equal([]);
              expect(svgTextContrast(host), 'chart text below AA contrast').to.deep.equal([]);
              expect(errors, 'console errors').to.deep.equal([]);
            } finally {
              render(null, host);
              host.remove();
              if (typeof cleanup === 'function') cleanup();
            }
          });
        }
      }
    });
  }
});
