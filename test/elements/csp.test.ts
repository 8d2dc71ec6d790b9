import { expect, waitUntil } from '@open-wc/testing';
import { parse, View, Warn } from 'vega';
import { expressionInterpreter } from 'vega-interpreter';
import { compile, type Config, type TopLevelSpec } from 'vega-lite';
import { computeView, type ContractKind } from '../../src/analytics/index.js';
import { registerVegaFormats } from '../../src/elements/vega-formats.js';
import { buildAnomalySpec } from '../../src/specs/anomaly-spec.js';
import { buildCohortSpec } from '../../src/specs/cohort-spec.js';
import { vegaLocale } from '../../src/specs/format.js';
import { buildFunnelSpec } from '../../src/specs/funnel-spec.js';
import { buildVegaConfig, LIGHT_TOKENS } from '../../src/specs/theme.js';

// Every widget under `script-src 'self'; style-src 'self'` (plus `default-src 'self'`): no eval
// (Vega runs through vega-interpreter), no inline style attributes (CSSOM only). The page is
// fixtures/csp.html, a document of its own served by the test server with a meta CSP, in an
// iframe; its first, classic script records every `securitypolicyviolation`, and any one fails
// the test. The widgets are made with the iframe's own document, so they are its custom elements.

type CspWindow = Window & typeof globalThis & { cspViolations: string[]; cspLoaded?: true | string };
type Widget = HTMLElement & { contract?: unknown; state: string };

let frame: HTMLIFrameElement | null = null;

/** The CSP page, its widgets registered (from the sources, or from the bundle with `?bundle`). */
async function openPage(query = ''): Promise<CspWindow> {
  frame = document.createElement('iframe');
  frame.style.width = '820px';
  frame.style.height = '700px';
  frame.src = new URL(`./fixtures/csp.html${query}`, import.meta.url).href;
  document.body.append(frame);
  const win = frame.contentWindow as CspWindow;
  await waitUntil(() => win.cspLoaded !== undefined, 'the CSP page did not load its widgets', { timeout: 15000 });
  expect(win.cspLoaded, 'loading the widgets').to.equal(true);
  return win;
}

/** A widget in the CSP page once its view is drawn; the contract is copied into the page's realm. */
async function draw(win: CspWindow, tag: string, contract: object, attributes: Record<string, string> = {}): Promise<Widget> {
  const el = win.document.createElement(tag) as Widget;
  el.setAttribute('locale', 'en');
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
  el.contract = win.JSON.parse(JSON.stringify(contract));
  const outcome = new Promise<void>((resolve, reject) => {
    el.addEventListener('funnelkit-render', () => resolve(), { once: true });
    el.addEventListener('funnelkit-error', (e) => reject(new Error(`${tag}: ${JSON.stringify((e as CustomEvent).detail)}`)), { once: true });
  });
  win.document.body.append(el);
  await outcome;
  expect(el.state, tag).to.equal('ready');
  // Lit's static styles arrive as constructed (adopted) stylesheets, which `style-src 'self'`
  // allows, not as <style> elements; and they apply.
  const root = el.shadowRoot!;
  expect(root.adoptedStyleSheets.length, `${tag} adopted stylesheets`).to.be.greaterThan(0);
  expect(root.querySelector('style'), `${tag} <style>`).to.equal(null);
  expect(win.getComputedStyle(root.querySelector('.visually-hidden')!).position, `${tag} styled`).to.equal('absolute');
  return el;
}

const all = (el: Element, selector: string) => [...el.shadowRoot!.querySelectorAll(selector)];
const texts = (el: Element, selector: string) => all(el, selector).map((t) => t.textContent);

/** Four deals: a and b win (after 2 and 5 days), c stops at POC, d stays a lead. */
const deals = [
  ['a', 'lead', '2026-01-01T00:00:00Z'],
  ['a', 'poc', '2026-01-02T00:00:00Z'],
  ['a', 'won', '2026-01-03T00:00:00Z'],
  ['b', 'lead', '2026-01-01T12:00:00Z'],
  ['b', 'poc', '2026-01-03T12:00:00Z'],
  ['b', 'won', '2026-01-06T12:00:00Z'],
  ['c', 'lead', '2026-01-02T00:00:00Z'],
  ['c', 'poc', '2026-01-04T00:00:00Z'],
  ['d', 'lead', '2026-01-08T00:00:00Z'],
].map(([id, e, t]) => ({ id, e, t }));
const eventFields = { entity: 'id', time: 't', event: 'e' };

const funnelFromEvents = {
  version: 1,
  kind: 'funnel',
  data: { rows: deals },
  fields: eventFields,
  funnel: { steps: [{ event: 'lead', label: 'Lead' }, { event: 'poc', label: 'POC' }, { event: 'won', label: 'Won' }], window: '30d' },
};

const funnelTrends = { ...funnelFromEvents, funnel: { ...funnelFromEvents.funnel, window: '3d', trends: { interval: 'day' } } };

const funnelFromCounts = {
  version: 1,
  kind: 'funnel',
  data: { rows: [] },
  fields: {},
  funnel: {
    steps: [{ name: 'Visit', count: 1000 }, { name: 'Sign up', count: 250 }, { name: 'Pay', count: 50 }],
    groups: [
      { value: 'ads', steps: [{ name: 'Visit', count: 600 }, { name: 'Sign up', count: 100 }, { name: 'Pay', count: 10 }] },
      { value: 'organic', steps: [{ name: 'Visit', count: 400 }, { name: 'Sign up', count: 150 }, { name: 'Pay', count: 40 }] },
    ],
  },
};

const cohortFromEvents = {
  version: 1,
  kind: 'cohort',
  data: { rows: deals },
  fields: { entity: 'id', time: 't' },
  cohort: { period: 'day', periods: 3 },
};
const cohortByGroup = { ...cohortFromEvents, data: { rows: deals.map((d) => ({ ...d, region: d.id < 'c' ? 'constructor' : 'West' })) }, cohort: { ...cohortFromEvents.cohort, breakdown: { field: 'region' } } };

/** Daily totals, 1–20 March: 10, 20, … 200; and the same as one event row per unit on 11–20 March. */
const dailyTotals = Array.from({ length: 20 }, (_, i) => ({ day: `2026-03-${String(i + 1).padStart(2, '0')}`, leads: (i + 1) * 10 }));
const leadEvents = dailyTotals.flatMap(({ day, leads }) => Array.from({ length: leads / 10 }, (_, n) => ({ id: `${day}-${n}`, e: 'lead', t: `${day}T09:00:00Z` })));

const kpiFromTotals = {
  version: 1,
  kind: 'kpi',
  data: { rows: dailyTotals },
  fields: { time: 'day', value: 'leads' },
  kpi: { range: { from: '2026-03-11', to: '2026-03-20' }, target: 2000 },
};
/** The daily totals as a CSV file next to csp.html: fetched (`connect-src 'self'`) and parsed by Arquero. */
const kpiFromCsv = { ...kpiFromTotals, data: { url: 'csp-leads.csv', format: 'csv' } };
const kpiFromEvents = {
  version: 1,
  kind: 'kpi',
  data: { rows: leadEvents },
  fields: eventFields,
  kpi: { metric: 'count', event: 'lead', range: { from: '2026-03-11', to: '2026-03-20' }, target: 200 },
};

/** Two KPIs over the lead events, the second with a target and a status. */
const kpiGrid = {
  version: 1,
  kind: 'kpi',
  data: { rows: leadEvents },
  fields: eventFields,
  kpi: {
    kpis: [
      { id: 'leads', label: 'Leads', measure: { op: 'count', filter: { event: 'lead' } }, period: { from: '2026-03-11', to: '2026-03-20' } },
      {
        id: 'people',
        label: 'People',
        measure: { op: 'distinct' },
        period: { from: '2026-03-11', to: '2026-03-20' },
        target: 200,
        thresholds: { mode: 'percent-of-target', steps: [{ value: null, status: 'critical' }, { value: 50, status: 'good' }] },
      },
    ],
  },
};

const rules = [
  { id: 'floor', name: 'Floor', type: 'threshold', bound: { op: '<', value: 50 }, severity: 'critical' },
  { id: 'drop', type: 'change', direction: 'drop', threshold: 30 },
  { id: 'band', type: 'band', window: 7, minWindow: 3, k: 2 },
];
const anomalyFromTotals = { version: 1, kind: 'anomaly', data: { rows: dailyTotals }, fields: { time: 'day', value: 'leads' }, anomaly: { grain: 'day', measure: { op: 'sum' }, rules } };
const anomalyFromEvents = { version: 1, kind: 'anomaly', data: { rows: leadEvents }, fields: eventFields, anomaly: { measure: { op: 'count' }, grain: 'day', rules } };

/** Each source: the sources through the dev server, and the single-file bundle `npm test` builds first. */
for (const [source, query] of [
  ['modules', ''],
  ['bundle', '?bundle'],
] as const) {
  describe(`strict Content-Security-Policy (${source})`, () => {
    let win: CspWindow;

    /** A test in a fresh CSP page that fails on any violation in it, also when it failed otherwise. */
    const inCspPage = (title: string, body: () => Promise<void>) =>
      it(title, async () => {
        win = await openPage(query);
        let failure: unknown = null;
        try {
          await body();
        } catch (error) {
          failure = error;
        }
        // Violation events are queued as tasks: let them arrive.
        await new Promise((resolve) => setTimeout(resolve, 100));
        const violations = win.cspViolations.join('\n');
        if (failure instanceof Error && violations) failure.message += `\nCSP violations:\n${violations}`;
        if (failure) throw failure;
        expect(violations, 'CSP violations').to.equal('');
      });

    afterEach(() => {
      frame?.remove();
      frame = null;
    });

    inCspPage('funnel from raw events: bars, positioned step labels, duration axis through fkDuration', async () => {
      const steps = await draw(win, 'funnel-chart', funnelFromEvents);
      expect(all(steps, '[part=chart] svg .mark-rect path').length).to.be.greaterThan(2);
      const labels = all(steps, '[part=step-label]') as HTMLElement[];
      expect(labels.map((b) => b.title.split('\n')[0])).to.deep.equal(['1. Lead', '2. POC', '3. Won']);
      // Placed through CSSOM: the boxes stand where the styles put them.
      for (const label of labels) expect(label.style.left, 'label position').to.match(/^\d+(\.\d+)?px$/);
      expect(new Set(labels.map((b) => b.getBoundingClientRect().left)).size).to.equal(3);

      const times = await draw(win, 'funnel-chart', funnelFromEvents, { view: 'time-to-convert' });
      expect(texts(times, '[part=chart] .role-axis-label text')).to.include.members(['2 days', '4 days', '6 days']);
      expect(texts(times, '[part=chart] .mark-text text')).to.include.members(['Median 3.5 days', 'Mean 3.5 days']);

      const trends = await draw(win, 'funnel-chart', funnelTrends, { view: 'trends' });
      const lines = all(trends, '[part=chart] .mark-line path');
      expect(lines.length).to.equal(2);
      expect(lines.filter((p) => p.getAttribute('stroke-dasharray') === '5,4').length).to.equal(1);
      // Ticks on period starts, given as dates the interpreter evaluates.
      expect(texts(trends, '[part=chart] .role-axis-label text')).to.include.members(['Jan 1, 2026', 'Jan 2']);
    });

    inCspPage('funnel from pre-aggregated counts, horizontal with a breakdown: bars and the chart min-height', async () => {
      const el = await draw(win, 'funnel-chart', funnelFromCounts, { orientation: 'horizontal' });
      expect(all(el, '[part=chart] svg .mark-rect path').length).to.be.greaterThan(5);
      expect(texts(el, '[part=chart] .role-legend-label text')).to.deep.equal(['ads', 'organic']);
      const chart = el.shadowRoot!.querySelector<HTMLElement>('[part=chart]')!;
      // 3 steps × 30px + 40px, set through CSSOM.
      expect(chart.style.minHeight).to.equal('130px');
      expect(chart.getBoundingClientRect().height).to.be.at.least(130);
      expect(texts(el, '[part=chart] .role-axis-label text')).to.include('0');
    });

    inCspPage('cohort from raw events: heatmap cells labelled in percent with their buttons, and per-group mean curves', async () => {
      const el = await draw(win, 'cohort-chart', cohortFromEvents);
      expect(all(el, '[part=chart] svg .mark-rect path').length).to.be.greaterThan(2);
      expect(texts(el, '[part=chart] .mark-text text')).to.include('100%');
      // The cell buttons are placed through CSSOM, over the cells.
      await waitUntil(() => all(el, '[part=cell]').length > 0, 'no cell buttons');
      const cell = el.shadowRoot!.querySelector<HTMLElement>('[part=cell]')!;
      expect(cell.style.left).to.match(/px$/);
      expect(cell.getBoundingClientRect().width).to.be.greaterThan(10);
      // Per-group mean curves, with the group picker.
      const curves = await draw(win, 'cohort-chart', cohortByGroup, { view: 'curve' });
      expect(all(curves, '[part=chart] svg .mark-line path').length).to.equal(2);
      expect(curves.shadowRoot!.querySelector('[part=group-select]')).to.exist;
    });

    inCspPage('anomaly from daily totals and from raw events: the series line and its points', async () => {
      for (const contract of [anomalyFromTotals, anomalyFromEvents]) {
        const el = await draw(win, 'anomaly-chart', contract);
        expect(all(el, '[part=chart] svg .mark-line path').length, contract.fields.time).to.be.greaterThan(0);
        expect(all(el, '[part=chart] svg .mark-symbol path').length, contract.fields.time).to.be.greaterThan(0);
      }
    });

    inCspPage('KPI from daily totals (inline and CSV) and from raw events: the figure, the target bar and the sparkline', async () => {
      for (const [contract, value] of [
        [kpiFromTotals, '1,550'],
        [kpiFromCsv, '1,550'],
        [kpiFromEvents, '155'],
      ] as const) {
        const el = await draw(win, 'kpi-card', contract);
        expect(el.shadowRoot!.querySelector('[part=value]')!.textContent).to.equal(value);
        const fill = el.shadowRoot!.querySelector<HTMLElement>('[part=target] .bar > div')!;
        expect(fill.style.width).to.equal('77.5%');
        expect(fill.getBoundingClientRect().width).to.be.greaterThan(0);
        // The card's own SVG sparkline, styled from the stylesheet (no style attribute).
        const line = el.shadowRoot!.querySelector<SVGPathElement>('[part=chart] svg .spark-line')!;
        expect(line.getAttribute('d')).to.match(/^M[\d.,L]+$/);
        expect(win.getComputedStyle(line).fill).to.equal('none');
        expect(all(el, '[part=chart] svg .spark-area').length).to.equal(1);
      }
    });

    inCspPage('KPI grid: every KPI a card, status colours set through CSSOM', async () => {
      const el = await draw(win, 'kpi-grid', kpiGrid);
      expect(all(el, '[part=kpi]').length).to.equal(2);
      expect(texts(el, '[part=value]')).to.deep.equal(['155', '155']);
      const dot = el.shadowRoot!.querySelector<HTMLElement>('[part=status-dot]')!;
      expect(dot.style.getPropertyValue('--_fk-kpi-status')).to.equal('var(--_fk-color-success)');
      expect(win.getComputedStyle(dot).backgroundColor).to.equal('rgb(19, 115, 51)');
      expect(all(el, '[part=chart] svg .spark-line').length).to.equal(2);
    });
  });
}

// The interpreter must draw what Vega's compiled expressions draw: every `labelExpr`, `calculate`,
// `filter`, `test` and `formatType` (fkDuration) in src/specs, and what Vega-Lite generates. Each
// spec is drawn both ways (in this page, which has no CSP) and the SVG compared.
describe('Vega expressions through vega-interpreter', () => {
  const context = { width: 640, height: 320, locale: 'en', tokens: LIGHT_TOKENS };
  const viewModel = (contract: { kind: string }) => computeView(contract.kind as ContractKind, contract as never) as Promise<never>;

  async function svg(spec: TopLevelSpec, ast: boolean, locale = 'en'): Promise<string> {
    const compiled = compile(spec, { config: { ...buildVegaConfig(LIGHT_TOKENS), locale: vegaLocale(locale) } as Config }).spec;
    // As the widgets draw (controllers/vega-view.ts), or with Vega's compiled expressions.
    const view = new View(parse(compiled, undefined, { ast }), { renderer: 'none', logLevel: Warn, ...(ast ? { expr: expressionInterpreter } : {}) });
    try {
      await view.runAsync();
      // Clip paths are numbered page-wide: number them per drawing.
      const ids = new Map<string, number>();
      const renumber = (id: string) => {
        if (!ids.has(id)) ids.set(id, ids.size);
        return `clip${ids.get(id)}`;
      };
      return (await view.toSVG()).replace(/\bclip\d+\b/g, renumber);
    } finally {
      view.finalize();
    }
  }

  /** Fails naming where the drawings part, rather than printing both. */
  function expectSame(name: string, interpreted: string, compiled: string): void {
    let at = 0;
    while (at < interpreted.length && interpreted[at] === compiled[at]) at++;
    const around = (text: string) => text.slice(Math.max(0, at - 120), at + 120);
    expect(at === interpreted.length && at === compiled.length, `${name}: interpreted …${around(interpreted)}… compiled …${around(compiled)}…`).to.equal(true);
  }

  it('draws every spec as compiled expressions do', async () => {
    await registerVegaFormats();
    const compared = { ...funnelFromEvents.funnel, compare: 'previous-period', range: { from: '2026-01-01', to: '2026-01-08' } };
    const withPrevious = { ...funnelFromEvents, data: { rows: [...deals, { id: 'p', e: 'lead', t: '2025-12-28T00:00:00Z' }] }, funnel: compared };
    const specs: Record<string, TopLevelSpec> = {
      'funnel steps': buildFunnelSpec(await viewModel(funnelFromEvents), context, { view: 'steps', metric: 'count', orientation: 'vertical' }),
      'funnel steps, previous period': buildFunnelSpec(await viewModel(withPrevious), context, { view: 'steps', metric: 'previous', orientation: 'vertical' }),
      'funnel counts by group': buildFunnelSpec(await viewModel(funnelFromCounts), context, { view: 'steps', metric: 'first', orientation: 'horizontal' }),
      'funnel time to convert': buildFunnelSpec(await viewModel(funnelFromEvents), context, { view: 'time-to-convert', metric: 'count', orientation: 'vertical' }),
      'funnel trends': buildFunnelSpec(await viewModel(funnelTrends), context, { view: 'trends', metric: 'count', orientation: 'vertical' }),
      'cohort heatmap': buildCohortSpec(await viewModel(cohortFromEvents), context, { view: 'heatmap', metric: 'cohort', display: 'percent' }),
      'cohort curves': buildCohortSpec(await viewModel(cohortFromEvents), context, { view: 'curve', metric: 'previous', display: 'percent' }),
      'cohort group means': buildCohortSpec(await viewModel(cohortByGroup), context, { view: 'curve', metric: 'cohort', display: 'percent' }),
      anomaly: buildAnomalySpec(await viewModel(anomalyFromTotals), context),
    };
    const zh = { ...context, locale: 'zh-CN' };
    const specsZh: Record<string, TopLevelSpec> = {
      'funnel time to convert': buildFunnelSpec(await viewModel(funnelFromEvents), zh, { view: 'time-to-convert', metric: 'count', orientation: 'vertical' }),
      'funnel trends': buildFunnelSpec(await viewModel(funnelTrends), zh, { view: 'trends', metric: 'count', orientation: 'vertical' }),
      anomaly: buildAnomalySpec(await viewModel(anomalyFromEvents), zh),
    };
    for (const [locale, drawn] of [
      ['en', specs],
      ['zh-CN', specsZh],
    ] as const) {
      for (const [name, spec] of Object.entries(drawn)) {
        const interpreted = await svg(spec, true, locale);
        expect(interpreted, name).to.contain('<path');
        expectSame(`${name} (${locale})`, interpreted, await svg(spec, false, locale));
      }
    }
    expect(await svg(specs['funnel time to convert'], true)).to.contain('>2 days<');
  });
});
