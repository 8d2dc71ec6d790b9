/**
 * The warehouse path end to end: `funnelkit serve` (started by the test runner over a DuckDB file,
 * see web-test-runner.config.mjs) computes a contract inside DuckDB, and a `<funnel-chart src>` on
 * another origin draws its answer.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import type { FunnelStepClickDetail } from '../../src/elements/funnel-chart.js';
import '../../src/funnel-chart.js';
import type { FunnelChart } from '../../src/funnel-chart.js';
import { tableRows } from './support/widget.js';

describe('a widget drawing a contract computed by the warehouse endpoint', () => {
  it('fetches /contracts/deals.json from `funnelkit serve` and draws the counts DuckDB computed', async () => {
    const { url } = (await (await fetch('/__warehouse')).json()) as { url: string | null };
    expect(url, 'the endpoint started').to.be.a('string');
    const el = await fixture<FunnelChart>(html`<funnel-chart locale="en" src=${`${url}/contracts/deals.json`}></funnel-chart>`);
    await oneEvent(el, 'funnelkit-render');
    // Four deals: a and b win, c stops at POC, d at lead.
    expect(tableRows(el).map((r) => r.slice(0, 2))).to.deep.equal([
      ['Lead', '4'],
      ['POC', '3'],
      ['Won', '2'],
    ]);
    expect(el.shadowRoot!.querySelector('[part=title]')!.textContent).to.equal('Deals (warehouse)');
    // A range from the query string: only deals that entered from 2 January.
    const ranged = await fixture<FunnelChart>(html`<funnel-chart locale="en" src=${`${url}/contracts/deals.json?from=2026-01-02&to=2026-01-31`}></funnel-chart>`);
    await oneEvent(ranged, 'funnelkit-render');
    expect(tableRows(ranged).map((r) => r[1])).to.deep.equal(['2', '1', '0']);
  });

  it('a clicked step of a warehouse funnel carries the ids DuckDB lists, fetched on demand from the endpoint', async () => {
    const { url } = (await (await fetch('/__warehouse')).json()) as { url: string };
    const el = await fixture<FunnelChart>(html`<funnel-chart locale="en" src=${`${url}/contracts/deals.json`}></funnel-chart>`);
    await oneEvent(el, 'funnelkit-render');
    await waitUntil(() => el.shadowRoot!.querySelector('[part=step-label]'), 'no step labels');
    const labels = el.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part=step-label]');
    // POC: a, b and c reached it (in the order the engine lists them); d stopped at lead.
    const clicked = oneEvent(el, 'funnel-step-click');
    labels[1].click();
    const detail = (await clicked).detail as FunnelStepClickDetail;
    expect([detail.index, detail.count]).to.deep.equal([1, 3]);
    expect([...detail.convertedIds].sort()).to.deep.equal(['a', 'b', 'c']);
    expect(detail.droppedIds).to.deep.equal(['d']);
    const won = oneEvent(el, 'funnel-step-click');
    labels[2].click();
    const last = (await won).detail as FunnelStepClickDetail;
    expect([...last.convertedIds].sort()).to.deep.equal(['a', 'b']);
    expect(last.droppedIds).to.deep.equal(['c']);
  });
});
