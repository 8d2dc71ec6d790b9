import { expect, fixture, html, waitUntil } from '@open-wc/testing';

// The one-tag path: dist/funnelkit.bundle.js alone (built by `npm test` before this runs)
// registers every tag in a page with no bundler and no other module. It is loaded from another
// origin, as from a CDN (the test server's other name, with CORS), and still computes in a
// Worker: the pool starts it through a blob: module that imports the Worker script.
describe('single-file bundle', () => {
  it('registers all five tags and renders a widget, from another origin, computing in a Worker', async () => {
    const other = new URL(location.href);
    other.hostname = other.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
    const url = new URL('/dist/funnelkit.bundle.js', other).href;
    const bundle = (await import(/* @vite-ignore */ url)) as { ComputePool: { shared(): { started: number; unavailable: string | null } | null } };
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
    await expect(el).to.be.accessible();
  });
});
