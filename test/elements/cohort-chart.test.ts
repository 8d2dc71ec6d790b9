import { expect, html, oneEvent } from '@open-wc/testing';
import '../../src/cohort-chart.js';
import type { CohortChart } from '../../src/cohort-chart.js';
import type { FunnelKitRenderDetail } from '../../src/index.js';
import { rendered, settled as settledAt, all, tableRows } from './support/widget.js';

type Row = { user: string; t: string };

// Daily cohorts by first visit; the latest event is 3 January, 10:00, so that day is still open.
//   1 Jan: a, b, c, d. Day 1 (2 Jan): a, b back → 2/4. Day 2 (3 Jan, open): a, c back → 2/4.
//   2 Jan: e, f, g.    Day 1 (3 Jan, open): e back → 1/3.
//   3 Jan: h.          Day 0 only, open.
const visits: Row[] = [
  { user: 'a', t: '2026-01-01T08:00:00Z' },
  { user: 'b', t: '2026-01-01T09:00:00Z' },
  { user: 'c', t: '2026-01-01T10:00:00Z' },
  { user: 'd', t: '2026-01-01T11:00:00Z' },
  { user: 'a', t: '2026-01-02T08:00:00Z' },
  { user: 'b', t: '2026-01-02T09:00:00Z' },
  { user: 'e', t: '2026-01-02T10:00:00Z' },
  { user: 'f', t: '2026-01-02T11:00:00Z' },
  { user: 'g', t: '2026-01-02T12:00:00Z' },
  { user: 'a', t: '2026-01-03T08:00:00Z' },
  { user: 'c', t: '2026-01-03T08:30:00Z' },
  { user: 'e', t: '2026-01-03T09:00:00Z' },
  { user: 'h', t: '2026-01-03T10:00:00Z' },
];

const contract = (cohort: Record<string, unknown> = {}, rows: Row[] = visits, fields: Record<string, string> = { entity: 'user', time: 't' }) => ({
  version: 1,
  kind: 'cohort',
  title: 'Daily retention',
  data: { rows },
  fields,
  cohort: { period: 'day', periods: 3, ...cohort },
});

const render = (template: ReturnType<typeof html>) => rendered<CohortChart>(template);
const settled = (template: ReturnType<typeof html>, state: string) => settledAt<CohortChart>(template, state);
const headers = (el: Element) => all(el, '.visually-hidden thead th').map((c) => c.textContent);
type Cell = { row: string; column: string; label: string; count: number; rate: number; incomplete: boolean };
const cells = (el: CohortChart) =>
  (el.vegaView!.data('cells') as Cell[]).map(({ row, column, label, count, incomplete }) => ({ row, column, label, count, incomplete }));

describe('<cohort-chart>', () => {
  it('lists each cohort with its size and the share back in each later day', async () => {
    const el = await render(html`<cohort-chart locale="en" .contract=${contract()}></cohort-chart>`);
    expect(el.state).to.equal('ready');
    expect(headers(el)).to.deep.equal(['Cohort', 'Size', 'Day 0', 'Day 1', 'Day 2']);
    expect(tableRows(el)).to.deep.equal([
      ['2026-01-01', '4', '100%', '50%', '50% (incomplete)'],
      ['2026-01-02', '3', '100%', '33% (incomplete)', ''],
      ['2026-01-03', '1', '100% (incomplete)', '', ''],
    ]);
    expect(el.shadowRoot!.querySelector('.visually-hidden caption')!.textContent).to.equal('Daily retention');
    await expect(el).to.be.accessible();
  });

  it('draws one heatmap cell per cohort and day begun, labelled in percent', async () => {
    const el = await render(html`<cohort-chart locale="en" .contract=${contract()}></cohort-chart>`);
    expect(cells(el)).to.deep.equal([
      { row: '2026-01-01 (4)', column: 'Day 0', label: '100%', count: 4, incomplete: false },
      { row: '2026-01-01 (4)', column: 'Day 1', label: '50%', count: 2, incomplete: false },
      { row: '2026-01-01 (4)', column: 'Day 2', label: '50%', count: 2, incomplete: true },
      { row: '2026-01-02 (3)', column: 'Day 0', label: '100%', count: 3, incomplete: false },
      { row: '2026-01-02 (3)', column: 'Day 1', label: '33%', count: 1, incomplete: true },
      { row: '2026-01-03 (1)', column: 'Day 0', label: '100%', count: 1, incomplete: true },
    ]);
    // Six rectangles on screen, the open days faded, each with its percent.
    const rects = all(el, '[part=chart] .mark-rect.role-mark path');
    expect(rects).to.have.length(6);
    expect(rects.filter((r) => r.getAttribute('opacity') === '0.45')).to.have.length(3);
    const labels = all(el, '[part=chart] .mark-text.role-mark text').map((t) => t.textContent);
    expect(labels).to.have.members(['100%', '50%', '50%', '100%', '33%', '100%']);
    const rows = all(el, '[part=chart] .role-axis-label text').map((t) => t.textContent);
    expect(rows).to.include.members(['2026-01-01 (4)', '2026-01-02 (3)', '2026-01-03 (1)', 'Day 0', 'Day 1', 'Day 2']);
  });

  it('unbounded mode counts a return on any later day in every day before it', async () => {
    // c came back on day 2 only: unbounded, c also counts as back on day 1 (3/4).
    const el = await render(html`<cohort-chart locale="en" .contract=${contract({ mode: 'unbounded' })}></cohort-chart>`);
    expect(tableRows(el)[0]).to.deep.equal(['2026-01-01', '4', '100%', '75%', '50% (incomplete)']);
  });

  it('labels days, headers and open periods in zh-CN', async () => {
    const el = await render(html`<cohort-chart locale="zh-CN" .contract=${contract()}></cohort-chart>`);
    expect(headers(el)).to.deep.equal(['同期群', '规模', '第0天', '第1天', '第2天']);
    expect(tableRows(el)[1]).to.deep.equal(['2026-01-02', '3', '100%', '33% (未完结)', '']);
    expect(cells(el).map((c) => c.column)).to.deep.equal(['第0天', '第1天', '第2天', '第0天', '第1天', '第0天']);
    const axis = all(el, '[part=chart] .role-axis-label text').map((t) => t.textContent);
    expect(axis).to.include.members(['第0天', '第1天', '第2天']);
    expect(all(el, '[part=chart] .role-axis-title text').map((t) => t.textContent)).to.include('同期群');
    await expect(el).to.be.accessible();
  });

  it('is accessible in the dark theme', async () => {
    const el = await render(html`<cohort-chart theme="dark" locale="en" .contract=${contract()}></cohort-chart>`);
    expect(tableRows(el)).to.have.length(3);
    await expect(el).to.be.accessible();
  });

  it('takes new returns for the same cohorts as a data update of the same view', async () => {
    const el = await render(html`<cohort-chart locale="en" .contract=${contract()}></cohort-chart>`);
    const view = el.vegaView;
    // b no longer comes back on 2 January: day 1 of the first cohort falls to 1/4.
    const fewer = visits.filter((r) => !(r.user === 'b' && r.t.startsWith('2026-01-02')));
    setTimeout(() => (el.contract = contract({}, fewer)));
    const { detail } = (await oneEvent(el, 'funnelkit-render')) as CustomEvent<FunnelKitRenderDetail>;
    expect(detail.mode).to.equal('update');
    expect(el.vegaView).to.equal(view);
    expect(el.state).to.equal('ready');
    expect(tableRows(el)[0]).to.deep.equal(['2026-01-01', '4', '100%', '25%', '50% (incomplete)']);
    expect(cells(el).map((c) => c.label)).to.deep.equal(['100%', '25%', '50%', '100%', '33%', '100%']);
    const labels = all(el, '[part=chart] .mark-text.role-mark text').map((t) => t.textContent);
    expect(labels).to.include('25%');
  });

  it('draws fewer cohorts with a fresh view', async () => {
    const el = await render(html`<cohort-chart locale="en" .contract=${contract()}></cohort-chart>`);
    // Only a and b, up to 2 January: one cohort of 2, day 1 still open.
    const fewer = visits.filter((r) => ['a', 'b'].includes(r.user) && r.t < '2026-01-02T08:30');
    setTimeout(() => (el.contract = contract({}, fewer)));
    const { detail } = (await oneEvent(el, 'funnelkit-render')) as CustomEvent<FunnelKitRenderDetail>;
    expect(detail.mode).to.equal('embed');
    expect(tableRows(el)).to.deep.equal([['2026-01-01', '2', '100%', '50% (incomplete)', '']]);
    expect(all(el, '[part=chart] .mark-rect.role-mark path')).to.have.length(2);
  });

  it('says there is no data when nobody started in range, accessibly', async () => {
    const el = await settled(html`<cohort-chart locale="en" .contract=${contract({ range: { from: '2025-06-01', to: '2025-06-30' } })}></cohort-chart>`, 'empty');
    const status = el.shadowRoot!.querySelector('[part=status]')!;
    expect(status.textContent!.trim()).to.equal('No data in this range');
    expect(el.shadowRoot!.querySelector('[part=chart]')!.hasAttribute('hidden')).to.equal(true);
    expect(tableRows(el)).to.deep.equal([]);
    await expect(el).to.be.accessible();
  });

  it('names the field the rows lack and keeps the last good table', async () => {
    const el = await render(html`<cohort-chart locale="en" .contract=${contract()}></cohort-chart>`);
    setTimeout(() => (el.contract = contract({}, visits, { entity: 'account', time: 't' })));
    const { detail } = await oneEvent(el, 'funnelkit-error');
    expect(detail.path).to.equal('/fields/entity');
    await el.updateComplete;
    expect(el.state).to.equal('error');
    const status = el.shadowRoot!.querySelector('[part=status]')!;
    expect(status.getAttribute('role')).to.equal('alert');
    expect(status.textContent).to.contain('/fields/entity');
    expect(status.textContent).to.contain('Showing the last good view.');
    expect(tableRows(el)[0]).to.deep.equal(['2026-01-01', '4', '100%', '50%', '50% (incomplete)']);
    await expect(el).to.be.accessible();
  });

  it('a first contract with a missing field shows only the error, accessibly', async () => {
    const el = await settled(html`<cohort-chart locale="en" .contract=${contract({}, visits, { entity: 'user', time: 'when' })}></cohort-chart>`, 'error');
    expect(el.shadowRoot!.querySelector('[part=status]')!.textContent).to.contain('/fields/time');
    expect(tableRows(el)).to.deep.equal([]);
    await expect(el).to.be.accessible();
  });
});
