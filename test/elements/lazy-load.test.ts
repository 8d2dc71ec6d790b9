import { expect, oneEvent } from '@open-wc/testing';
import type { KpiCard } from '../../src/kpi-card.js';
import type { FunnelChart } from '../../src/funnel-chart.js';

// Vega is loaded when a chart is first drawn (issue 14), not when a widget module is imported:
// a page with a KPI card and a funnel chart computes and shows the card, its figure, status and
// data table, before any Vega module is requested; the funnel's first draw then brings Vega.
// What was requested is read from the page's resource timing (modules are resources too), so
// this file runs in a page of its own that has loaded nothing of Vega.

// Room for every module the dev server serves one by one (the default buffer keeps 250).
performance.setResourceTimingBufferSize(100_000);

/** A module of a Vega package (vega, vega-lite, vega-embed, vega-interpreter, vega-scale…). */
const VEGA_MODULE = /\/node_modules\/vega(-[\w-]+)?\//;
/** A module of Arquero. */
const ARQUERO_MODULE = /\/node_modules\/arquero\//;

/** The paths of every resource the page has requested so far that `pattern` matches. */
const requested = (pattern: RegExp) =>
  performance
    .getEntriesByType('resource')
    .map((entry) => new URL(entry.name).pathname)
    .filter((path) => pattern.test(path));

/** One pre-aggregated KPI: no rows to compute, only figures to show. */
const kpiContract = {
  version: 1,
  kind: 'kpi',
  data: { rows: [] },
  fields: {},
  kpi: {
    kpis: [
      {
        id: 'win',
        label: 'Win rate',
        value: 0.234,
        previous: 0.213,
        target: 0.25,
        format: { style: 'percent' },
        thresholds: { mode: 'percent-of-target', steps: [{ value: null, status: 'critical' }, { value: 90, status: 'warning' }, { value: 100, status: 'good' }] },
        series: [{ t: '2026-03-01', value: 0.2 }, { t: '2026-03-02', value: 0.22 }, { t: '2026-03-03', value: 0.234 }],
      },
    ],
  },
};

/** A funnel given as step counts: nothing to compute from events. */
const funnelContract = {
  version: 1,
  kind: 'funnel',
  data: { rows: [] },
  fields: {},
  funnel: { steps: [{ name: 'Visit', count: 1000 }, { name: 'Sign up', count: 250 }, { name: 'Pay', count: 50 }] },
};

/** A widget appended to the page with `contract`, once its first view is on screen (or it failed). */
async function shown<T extends HTMLElement & { contract?: unknown; state: string }>(tag: string, contract: object): Promise<T> {
  const el = document.createElement(tag) as T;
  el.setAttribute('locale', 'en');
  el.contract = contract;
  const outcome = Promise.race([
    oneEvent(el, 'funnelkit-render'),
    oneEvent(el, 'funnelkit-error').then((e) => Promise.reject(new Error(`${tag}: ${JSON.stringify((e as CustomEvent).detail)}`))),
  ]);
  document.body.append(el);
  await outcome;
  return el;
}

/** The npm packages that have had a module requested so far, among those `pattern` matches: short failure messages. */
const requestedPackages = (pattern: RegExp) => [...new Set(requested(pattern).map((path) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)![1]))].sort();

const part = (el: Element, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part=${name}]`);
const tableRows = (el: Element) => [...el.shadowRoot!.querySelectorAll('.visually-hidden tbody tr')].map((r) => [...r.children].map((c) => c.textContent));

describe('Vega loads when a chart is first drawn', () => {
  const added: Element[] = [];

  before(async () => {
    // Imported here, after the resource buffer has grown, so that no request of theirs is dropped.
    await import('../../src/kpi-card.js');
    await import('../../src/funnel-chart.js');
  });

  after(() => {
    for (const el of added) el.remove();
  });

  it('importing both widget modules requests their own modules and no Vega', () => {
    // The check below means something only if module requests are recorded at all.
    expect(requested(/\/src\/elements\/kpi-card\.ts$/), 'kpi-card module in resource timing').to.have.length(1);
    expect(requested(/\/src\/elements\/vega-element\.ts$/), 'vega-element module in resource timing').to.have.length(1);
    expect(requestedPackages(VEGA_MODULE), 'Vega packages requested by the imports').to.deep.equal([]);
  });

  it('a KPI card shows its figure, status and data table before any Vega module is requested', async () => {
    const card = await shown<KpiCard>('kpi-card', kpiContract);
    added.push(card);
    expect(requestedPackages(VEGA_MODULE), 'Vega packages requested for the KPI card').to.deep.equal([]);
    expect(card.state).to.equal('ready');
    expect(part(card, 'value')!.textContent).to.equal('23.4%');
    expect(part(card, 'kpi')!.dataset.status).to.equal('warning');
    expect(part(card, 'status-dot')!.title).to.equal('Warning');
    // The accessible data table, the way a screen reader gets the figures.
    expect(tableRows(card).length, 'data table rows').to.be.greaterThan(0);
    expect(card.shadowRoot!.querySelector('.visually-hidden table')).to.exist;
  });

  it('a KPI card and a pre-aggregated funnel request no Arquero', () => {
    // Neither needs a table to parse: Arquero is imported only to parse CSV/Arrow data.
    expect(requestedPackages(ARQUERO_MODULE), 'Arquero modules requested').to.deep.equal([]);
  });

  it("the funnel's first draw loads Vega", async () => {
    expect(requestedPackages(VEGA_MODULE), 'Vega packages requested before the funnel draws').to.deep.equal([]);
    const funnel = await shown<FunnelChart>('funnel-chart', funnelContract);
    added.push(funnel);
    expect(funnel.state).to.equal('ready');
    expect(funnel.vegaView, 'the Vega view').to.not.equal(null);
    expect(funnel.shadowRoot!.querySelector('[part=chart] svg, [part=chart] canvas'), 'the chart drawn').to.exist;
    const vega = requestedPackages(VEGA_MODULE);
    // No Worker is running on this page (a pre-aggregated funnel computes here): the page compiles
    // the chart itself, so Vega-Lite comes too.
    expect(vega).to.include.members(['vega', 'vega-interpreter', 'vega-lite']);
    // Vega is driven directly (parse, view, run: one task each); vega-embed is not needed.
    expect(vega).to.not.include('vega-embed');
    // Vega's modules load in steps, bottom layer first (each evaluated in a task of its own): its
    // scales, its scenegraph, then its expression functions, then the vega package itself.
    const paths = requested(VEGA_MODULE);
    const first = (pattern: RegExp) => paths.findIndex((path) => pattern.test(path));
    expect(first(/\/node_modules\/vega-scale\//), 'scales').to.be.at.least(0);
    expect(first(/\/node_modules\/vega-scale\//), 'scales before scenegraph').to.be.lessThan(first(/\/node_modules\/vega-scenegraph\//));
    expect(first(/\/node_modules\/vega-scenegraph\//), 'scenegraph before functions').to.be.lessThan(first(/\/node_modules\/vega-functions\//));
    expect(first(/\/node_modules\/vega-functions\//), 'functions before vega').to.be.lessThan(first(/\/node_modules\/vega\//));
    expect(tableRows(funnel).map((row) => row[1])).to.deep.equal(['1,000', '250', '50']);
  });
});
