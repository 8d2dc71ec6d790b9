import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { ComputePool, WorkerUnavailable } from '../../src/analytics/worker/pool.js';

// The one-tag path: dist/funnelkit.bundle.js alone (built by `npm test` before this runs)
// registers every tag in a page with no bundler and no other module. It is loaded from another
// origin, as from a CDN (the test server's other name, with CORS), and still computes in a
// Worker: the pool starts it through a blob: module that imports the Worker script.
describe('single-file bundle', () => {
  it('registers all five tags and renders a widget, from another origin, computing in a Worker', async () => {
    const other = new URL(location.href);
    other.hostname = other.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
    const url = new URL('/dist/funnelkit.bundle.js', other).href;
    const bundle = (await import(/* @vite-ignore */ url)) as { ComputePool: { shared(): { started: number; compiled: number; unavailable: string | null } | null } };
    for (const tag of ['funnel-chart', 'cohort-chart', 'anomaly-chart', 'kpi-card', 'kpi-grid']) expect(customElements.get(tag), tag).to.exist;
    const el = await fixture<HTMLElement & { state: string }>(html`<funnel-chart locale="en"></funnel-chart>`);
    const rows = [{ p: 'a', e: 'visit', t: '2026-03-01T10:00:00Z' }, { p: 'a', e: 'order', t: '2026-03-01T11:00:00Z' }, { p: 'b', e: 'visit', t: '2026-03-01T10:00:00Z' }];
    const rowsUrl = URL.createObjectURL(new Blob([JSON.stringify(rows)], { type: 'application/json' }));
    const script = document.createElement('script');
    script.type = 'application/json';
    script.textContent = JSON.stringify({
      version: 1,
      kind: 'funnel',
      // From a URL, so it is parsed and computed in the Worker whatever its size.
      data: { url: rowsUrl, format: 'json' },
      fields: { entity: 'p', event: 'e', time: 't' },
      funnel: { steps: [{ event: 'visit' }, { event: 'order' }] },
    });
    el.append(script);
    await waitUntil(() => el.state === 'ready' && el.shadowRoot!.querySelector('[part=chart] svg'), 'bundle widget did not render', { timeout: 10000 });
    const cells = [...el.shadowRoot!.querySelectorAll('.visually-hidden tbody tr')].map((r) => r.children[1].textContent);
    expect(cells).to.deep.equal(['2', '1']);
    const pool = bundle.ComputePool.shared();
    expect(pool, 'a Worker pool').to.exist;
    expect(pool!.unavailable).to.equal(null);
    expect(pool!.started).to.be.at.least(1);
    // The Worker, free again, compiled the chart too, loading Vega-Lite from the bundle's chunks.
    expect(pool!.compiled, 'charts compiled in the Worker').to.equal(1);
    await expect(el).to.be.accessible();
  });
});

// The ESM modules' Worker script is one self-contained file (a bundler may copy it alone), and
// carries no Vega-Lite: asked for a chart, it says so once, and the page compiles its charts.
describe("the ESM modules' self-contained Worker", () => {
  it('computes, and refuses to compile charts, once', async () => {
    const pool = new ComputePool(() => new URL('/dist/analytics/worker/compute-worker.js', location.href), 1);
    const contract = {
      version: 1,
      kind: 'funnel',
      data: { rows: [{ p: 'a', e: 'visit', t: '2026-03-01T10:00:00Z' }, { p: 'a', e: 'order', t: '2026-03-01T11:00:00Z' }] },
      fields: { entity: 'p', event: 'e', time: 't' },
      funnel: { steps: [{ event: 'visit' }, { event: 'order' }] },
    };
    const vm = (await pool.run('funnel', contract as never, null)) as { steps: Array<{ count: number }> };
    expect(vm.steps.map((s) => s.count)).to.deep.equal([1, 1]);
    const spec = { data: { values: [{ a: 1 }] }, mark: 'bar', encoding: { x: { field: 'a', type: 'quantitative' } } };
    const refused = (await pool.compile(spec, {}).catch((e: unknown) => e)) as Error;
    expect(refused.name).to.equal('CompilerUnavailable');
    expect(pool.noCompiler).to.match(/has no Vega-Lite/);
    const again = await pool.compile(spec, {}).catch((e: unknown) => e);
    expect(again, 'not asked again').to.be.instanceOf(WorkerUnavailable);
    expect(pool.compiled).to.equal(0);
  });
});
