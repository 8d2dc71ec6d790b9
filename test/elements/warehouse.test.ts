/**
 * The warehouse path end to end: `funnelkit serve` (started by the test runner over a DuckDB file,
 * see web-test-runner.config.mjs) computes a contract inside DuckDB, and a `<funnel-chart src>` or
 * `<cohort-chart src>` on another origin draws its answer and fetches a clicked mark's ids.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { setFetch, type CohortContract } from '../../src/analytics/index.js';
import type { CohortCellClickDetail } from '../../src/elements/cohort-chart.js';
import type { FunnelKitErrorDetail } from '../../src/elements/events.js';
import type { FunnelStepClickDetail } from '../../src/elements/funnel-chart.js';
import '../../src/cohort-chart.js';
import type { CohortChart } from '../../src/cohort-chart.js';
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

  it('a clicked cell of a warehouse cohort carries the ids DuckDB lists, fetched through the page fetch with fetchOptions', async () => {
    const { url } = (await (await fetch('/__warehouse')).json()) as { url: string };
    const asked: Array<{ url: string; cache: RequestCache | undefined }> = [];
    setFetch((input, init) => {
      asked.push({ url: String(input), cache: init?.cache });
      return fetch(input, init);
    });
    try {
      const el = await fixture<CohortChart>(html`<cohort-chart locale="en" src=${`${url}/contracts/leads.json`} .fetchOptions=${{ cache: 'no-store' }}></cohort-chart>`);
      await oneEvent(el, 'funnelkit-render');
      expect(el.shadowRoot!.querySelector('[part=title]')!.textContent).to.equal('Leads (warehouse)');
      const cell = (row: number, column: number) => el.shadowRoot!.querySelector<HTMLButtonElement>(`[part=cell][data-row="${row}"][data-column="${column}"]`);
      await waitUntil(() => cell(0, 2), 'no cell buttons');
      // The 1 January cohort (a and b): a moved on the day after, both two days after.
      for (const [column, ids] of [
        [0, ['a', 'b']],
        [1, ['a']],
        [2, ['a', 'b']],
      ] as const) {
        const clicked = oneEvent(el, 'cohort-cell-click');
        cell(0, column)!.click();
        const detail = (await clicked).detail as CohortCellClickDetail;
        expect([detail.cohort, detail.period, detail.group]).to.deep.equal(['2026-01-01', column, null]);
        expect(detail.entityIds).to.deep.equal(ids);
      }
      const drill = asked.filter((a) => a.url.includes('/entities'));
      expect(drill.length).to.equal(3);
      const last = new URL(drill[2].url);
      expect([last.origin, last.pathname, last.searchParams.get('cohort'), last.searchParams.get('period'), last.searchParams.has('group')]).to.deep.equal([
        new URL(url).origin,
        '/contracts/leads/entities',
        '2026-01-01',
        '2',
        false,
      ]);
      expect(drill.every((a) => a.cache === 'no-store'), 'fetchOptions go with the request').to.equal(true);
    } finally {
      setFetch(null);
    }
  });

  it('a drill-down that cannot be fetched is a funnelkit-error at /cohort/entitiesUrl, and the click fires without ids', async () => {
    const contract: CohortContract = {
      version: 1,
      kind: 'cohort',
      data: { rows: [] },
      fields: {},
      cohort: { periods: 2, asOf: '2026-01-03', cohorts: [{ cohort: '2026-01-01', size: 2, values: [2, 1] }], entitiesUrl: '/__no-such-drill-down' },
    };
    const el = await fixture<CohortChart>(html`<cohort-chart locale="en" .contract=${contract}></cohort-chart>`);
    await oneEvent(el, 'funnelkit-render');
    await waitUntil(() => el.shadowRoot!.querySelector('[part=cell]'), 'no cell buttons');
    const failed = oneEvent(el, 'funnelkit-error');
    const clicked = oneEvent(el, 'cohort-cell-click');
    el.shadowRoot!.querySelector<HTMLButtonElement>('[part=cell]')!.click();
    const error = (await failed).detail as FunnelKitErrorDetail;
    expect(error.path).to.equal('/cohort/entitiesUrl');
    expect(error.message).to.match(/could not fetch the drill-down ids .*HTTP 404/);
    const detail = (await clicked).detail as CohortCellClickDetail;
    expect([detail.cohort, detail.period, detail.count, detail.entityIds]).to.deep.equal(['2026-01-01', 0, 2, []]);
  });
});
