import { expect, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys, sendMouse } from '@web/test-runner-commands';
import '../../src/cohort-chart.js';
import type { CohortCellClickDetail, CohortChart } from '../../src/cohort-chart.js';
import type { FunnelKitRenderDetail } from '../../src/index.js';
import { contrast, luminance } from '../../src/specs/heat-colors.js';
import { all, rendered, settled as settledAt, tableRows } from './support/widget.js';

type Row = { user: string; e: string; t: string; source?: string };

// Sign-ups (the start event) and orders (the return event), daily cohorts, "now" 8 January noon,
// so 8 January is still open and 9 January has not begun.
//   5 Jan: a, b (ads), c, d (organic). a orders on 6 and 8 Jan, b on 7 Jan, c on 8 Jan.
//   6 Jan: e, f (organic).             e orders on 7 Jan, f on 8 Jan.
//   7 Jan: g (no source).              g orders on 8 Jan.
// mode `on`:          5 Jan: 4 | 1 (25%) | 1 (25%) | 2 (50%, open)    6 Jan: 2 | 1 (50%) | 1 (50%, open)    7 Jan: 1 | 1 (100%, open)
// mode `on-or-after`: 5 Jan: 4 | 3 (75%) | 3 (75%) | 2 (50%, open)
// mode `by`:          5 Jan: 4 | 1 (25%) | 2 (50%) | 3 (75%, open)    6 Jan: 2 | 1 (50%) | 2 (100%, open)
// Weighted mean over complete cells (`on`): day 0 7/7, day 1 (5 and 6 Jan) 2/6, day 2 (5 Jan) 1/4.
// By the period before (`on`), 5 Jan: day 1 1/4, day 2 1/1, day 3 2/1.
const events: Row[] = [
  { user: 'a', e: 'signup', t: '2026-01-05T08:00:00Z', source: 'ads' },
  { user: 'b', e: 'signup', t: '2026-01-05T09:00:00Z', source: 'ads' },
  { user: 'c', e: 'signup', t: '2026-01-05T10:00:00Z', source: 'organic' },
  { user: 'd', e: 'signup', t: '2026-01-05T11:00:00Z', source: 'organic' },
  { user: 'a', e: 'order', t: '2026-01-06T08:00:00Z' },
  { user: 'e', e: 'signup', t: '2026-01-06T09:00:00Z', source: 'organic' },
  { user: 'f', e: 'signup', t: '2026-01-06T10:00:00Z', source: 'organic' },
  { user: 'b', e: 'order', t: '2026-01-07T08:00:00Z' },
  { user: 'e', e: 'order', t: '2026-01-07T09:00:00Z' },
  { user: 'g', e: 'signup', t: '2026-01-07T10:00:00Z' },
  { user: 'a', e: 'order', t: '2026-01-08T08:00:00Z' },
  { user: 'c', e: 'order', t: '2026-01-08T08:30:00Z' },
  { user: 'f', e: 'order', t: '2026-01-08T09:00:00Z' },
  { user: 'g', e: 'order', t: '2026-01-08T10:00:00Z' },
];

const contract = (cohort: Record<string, unknown> = {}, rows: Row[] = events, fields: Record<string, string> = { entity: 'user', time: 't', event: 'e' }) => ({
  version: 1,
  kind: 'cohort',
  title: 'Orders after sign-up',
  data: { rows },
  fields,
  cohort: {
    start: { event: 'signup' },
    return: { event: 'order' },
    type: 'first-time',
    period: 'day',
    periods: 4,
    range: { from: '2026-01-05', to: '2026-01-07' },
    asOf: '2026-01-08T12:00:00Z',
    ...cohort,
  },
});

type Template = ReturnType<typeof html>;
/** The element once drawn, with its cell buttons placed (heatmap) or its curves drawn. */
async function render(template: Template): Promise<CohortChart> {
  const el = await rendered<CohortChart>(template);
  await waitUntil(() => el.view !== 'heatmap' || cells(el).length > 0, 'no cell buttons', { timeout: 5000 });
  return el;
}
const settled = (template: Template, state: string) => settledAt<CohortChart>(template, state);
const headers = (el: Element) => all(el, '.visually-hidden thead th').map((c) => c.textContent);
const cells = (el: Element) => all(el, '[part=cell]') as HTMLButtonElement[];
const cellName = (b: Element) => b.textContent!.trim();
type Datum = { kind: string; row: number; period: number; rowLabel: string; columnLabel: string; text: string; fill: string; ink: string; incomplete: boolean };
const drawn = (el: CohortChart) => el.vegaView!.data('cells') as Datum[];
const texts = (el: CohortChart, kind = 'cell') => drawn(el).filter((d) => d.kind === kind).map((d) => d.text);
const rects = (el: Element) => all(el, '[part=chart] .mark-rect.role-mark path');
const nextRender = (el: Element) => oneEvent(el, 'funnelkit-render') as Promise<CustomEvent<FunnelKitRenderDetail>>;

describe('<cohort-chart>', () => {
  it('draws the triangle: the mean row on top, one cell per period begun, open periods marked', async () => {
    const el = await render(html`<cohort-chart locale="en" style="width: 640px" .contract=${contract()}></cohort-chart>`);
    expect(el.state).to.equal('ready');
    expect(drawn(el).map((d) => [d.rowLabel, d.columnLabel, d.text, d.incomplete])).to.deep.equal([
      ['Mean', 'Day 0', '100%', false],
      ['Mean', 'Day 1', '33.3%', false],
      ['Mean', 'Day 2', '25%', false],
      ['2026-01-05', 'Day 0', '100%', false],
      ['2026-01-05', 'Day 1', '25%', false],
      ['2026-01-05', 'Day 2', '25%', false],
      ['2026-01-05', 'Day 3', '50%', true],
      ['2026-01-06', 'Day 0', '100%', false],
      ['2026-01-06', 'Day 1', '50%', false],
      ['2026-01-06', 'Day 2', '50%', true],
      ['2026-01-07', 'Day 0', '100%', false],
      ['2026-01-07', 'Day 1', '100%', true],
    ]);
    // Periods not begun are not drawn at all (not as 0): 12 rectangles, 3 of them dashed.
    expect(rects(el)).to.have.length(12);
    expect(rects(el).filter((r) => r.getAttribute('stroke-dasharray') === '3,2' && r.getAttribute('stroke'))).to.have.length(3);
    const labels = all(el, '[part=chart] .mark-text.role-mark text').map((t) => t.textContent);
    expect(labels).to.include.members(['33.3%', '50%', '4', '2', '1', '7']);
    const axis = all(el, '[part=chart] .role-axis-label text').map((t) => t.textContent);
    expect(axis).to.include.members(['Size', 'Day 0', 'Day 3', 'Mean', '2026-01-05', '2026-01-06', '2026-01-07']);
    // The colour scale and the incomplete key above the chart.
    expect(el.shadowRoot!.querySelector('[part=legend]')!.textContent!.replace(/\s+/g, ' ').trim()).to.equal('% of cohort 0%50%100% incomplete');
  });

  it('picks each cell text colour for 4.5:1 contrast on its fill, in light and dark themes', async () => {
    for (const theme of ['light', 'dark']) {
      const el = await render(html`<cohort-chart theme=${theme} locale="en" .contract=${contract({ mode: 'by' })}></cohort-chart>`);
      const data = drawn(el);
      for (const d of data) expect(contrast(d.ink, d.fill), `${theme} ${d.rowLabel} ${d.columnLabel}`).to.be.at.least(4.5);
      // Dark text on the faint cells, light text on the full ones.
      expect(new Set(data.map((d) => luminance(d.ink) > 0.5)).size, theme).to.equal(2);
      // What is on screen is what was computed.
      const onScreen = all(el, '[part=chart] .mark-rect.role-mark path').map((p) => p.getAttribute('fill'));
      expect(onScreen).to.deep.equal(data.map((d) => d.fill));
      // Faded open cells are lighter (light) or darker (dark) than the same rate complete.
      const full = data.find((d) => d.rowLabel === '2026-01-06' && d.period === 0)!;
      const open = data.find((d) => d.rowLabel === '2026-01-06' && d.period === 2)!;
      expect(open.text).to.equal(full.text);
      expect(open.fill).to.not.equal(full.fill);
      await expect(el).to.be.accessible();
    }
  });

  it('modes: on-or-after counts a return in that period or later, by one in any period up to it', async () => {
    const after = await render(html`<cohort-chart locale="en" .contract=${contract({ mode: 'on-or-after' })}></cohort-chart>`);
    expect(tableRows(after)[1]).to.deep.equal(['2026-01-05', '4', '100%', '75%', '75%', '50% (incomplete)']);
    const by = await render(html`<cohort-chart locale="en" .contract=${contract({ mode: 'by' })}></cohort-chart>`);
    expect(tableRows(by).slice(1)).to.deep.equal([
      ['2026-01-05', '4', '100%', '25%', '50%', '75% (incomplete)'],
      ['2026-01-06', '2', '100%', '50%', '100% (incomplete)', ''],
      ['2026-01-07', '1', '100%', '100% (incomplete)', '', ''],
    ]);
  });

  it('lists the cohorts for screen readers: cohort, size, one column per period, open cells said', async () => {
    const el = await render(html`<cohort-chart locale="en" .contract=${contract()}></cohort-chart>`);
    expect(headers(el)).to.deep.equal(['Cohort', 'Size', 'Day 0', 'Day 1', 'Day 2', 'Day 3']);
    expect(tableRows(el)).to.deep.equal([
      ['Mean', '7', '100%', '33.3%', '25%', ''],
      ['2026-01-05', '4', '100%', '25%', '25%', '50% (incomplete)'],
      ['2026-01-06', '2', '100%', '50%', '50% (incomplete)', ''],
      ['2026-01-07', '1', '100%', '100% (incomplete)', '', ''],
    ]);
    expect(el.shadowRoot!.querySelector('.visually-hidden caption')!.textContent).to.equal('Orders after sign-up');
    await expect(el).to.be.accessible();
  });

  it('display="count" shows counts and metric="previous" the share of the period before', async () => {
    const el = await render(html`<cohort-chart locale="en" display="count" .contract=${contract()}></cohort-chart>`);
    expect(texts(el)).to.deep.equal(['4', '1', '1', '2', '2', '1', '1', '1', '1']);
    // The mean row in counts: per cohort (7 over 3 cohorts, 2 over 2, 1 over 1).
    expect(texts(el, 'mean')).to.deep.equal(['2.3', '1', '1']);
    setTimeout(() => {
      el.display = 'percent';
      el.metric = 'previous';
    });
    await nextRender(el);
    // Day 0 has no period before; 5 Jan: 1 of 4, then 1 of 1, then 2 of 1.
    expect(texts(el)).to.deep.equal(['–', '25%', '100%', '200%', '–', '50%', '100%', '–', '100%']);
    expect(tableRows(el)[1]).to.deep.equal(['2026-01-05', '4', '–', '25%', '100%', '200% (incomplete)']);
    // The scale runs to the largest figure shown.
    expect(el.shadowRoot!.querySelector('[part=legend] .end')!.textContent).to.equal('200%');
    expect(el.shadowRoot!.querySelector('[part=legend]')!.textContent).to.contain('% of previous period');
  });

  it('revenue retention: value.measure "sum" rates the sums against period 0', async () => {
    const rows = events.map((r) => ({ ...r, amount: r.e === 'order' ? 100 : 0 })) as unknown as Row[];
    const withValue = { ...contract({ start: { event: 'order' }, return: { event: 'order' }, type: 'recurring', value: { measure: 'sum' } }, rows), fields: { entity: 'user', time: 't', event: 'e', value: 'amount' } };
    const el = await render(html`<cohort-chart locale="en" display="count" .contract=${withValue}></cohort-chart>`);
    // 6 Jan: a ordered (100); a came back on 8 Jan (day 2, open).
    expect(tableRows(el).find((r) => r[0] === '2026-01-06')).to.deep.equal(['2026-01-06', '1', '100', '0', '100 (incomplete)', '']);
  });

  it('the curve view draws one line per cohort and the mean emphasised', async () => {
    const el = await render(html`<cohort-chart locale="en" view="curve" .contract=${contract({ mode: 'by' })}></cohort-chart>`);
    expect(cells(el)).to.have.length(0);
    const curves = el.vegaView!.data('curves') as Array<{ rowLabel: string; columnLabel: string; value: number; segment: string }>;
    expect(curves.filter((p) => p.rowLabel === '2026-01-05').map((p) => [p.columnLabel, p.value, p.segment])).to.deep.equal([
      ['Day 0', 1, 'closed'],
      ['Day 1', 0.25, 'closed'],
      ['Day 2', 0.5, 'closed'],
      ['Day 3', 0.75, 'open'],
      // The open tail starts where the complete line ends.
      ['Day 2', 0.5, 'open'],
    ]);
    const means = el.vegaView!.data('mean') as Array<{ columnLabel: string; value: number }>;
    expect(means.map((m) => [m.columnLabel, m.value])).to.deep.equal([
      ['Day 0', 1],
      ['Day 1', 2 / 6],
      ['Day 2', 2 / 4],
    ]);
    const lines = all(el, '[part=chart] .mark-line.role-mark path');
    const widths = lines.map((p) => p.getAttribute('stroke-width'));
    expect(widths.filter((w) => w === '4')).to.have.length(1);
    expect(lines.filter((p) => p.getAttribute('stroke-dasharray') === '4,3').length).to.equal(3);
    expect(el.shadowRoot!.querySelector('[part=legend]')!.textContent!.replace(/\s+/g, ' ').trim()).to.equal('Mean Cohorts');
    expect(tableRows(el)[0]).to.deep.equal(['Mean', '7', '100%', '33.3%', '50%', '']);
    await expect(el).to.be.accessible();
  });

  it('with a breakdown, a group picker chooses the cohorts shown; the curve view compares group means', async () => {
    const el = await render(html`<cohort-chart locale="en" .contract=${contract({ breakdown: { field: 'source' } })}></cohort-chart>`);
    const select = el.shadowRoot!.querySelector<HTMLSelectElement>('[part=group-select]')!;
    expect([...select.options].map((o) => o.textContent!.trim())).to.deep.equal(['All groups', 'organic', 'ads', '(none)']);
    // The first group by default: organic, c and d on 5 Jan, e and f on 6 Jan.
    expect(select.value).to.equal('organic');
    expect(tableRows(el).slice(1, 3)).to.deep.equal([
      ['2026-01-05', '2', '100%', '0%', '0%', '50% (incomplete)'],
      ['2026-01-06', '2', '100%', '50%', '50% (incomplete)', ''],
    ]);
    select.value = 'ads';
    setTimeout(() => select.dispatchEvent(new Event('change')));
    await nextRender(el);
    expect(el.group).to.equal('ads');
    expect(el.getAttribute('group')).to.equal('ads');
    expect(tableRows(el)[1]).to.deep.equal(['2026-01-05', '2', '100%', '50%', '50%', '50% (incomplete)']);
    await waitUntil(() => cells(el).length > 0, 'no cell buttons for ads');
    setTimeout(() => cells(el)[1].click());
    const { detail } = (await oneEvent(el, 'cohort-cell-click')) as CustomEvent<CohortCellClickDetail>;
    expect(detail).to.deep.include({ cohort: '2026-01-05', period: 1, count: 1, group: 'ads' });
    expect(detail.entityIds).to.deep.equal(['a']);
    await expect(el).to.be.accessible();

    // Curves with no group chosen: one mean curve per group, named in the legend.
    setTimeout(() => {
      el.group = undefined;
      el.view = 'curve';
    });
    await nextRender(el);
    expect(el.shadowRoot!.querySelector<HTMLSelectElement>('[part=group-select]')!.value).to.equal('*');
    expect(all(el, '[part=chart] .role-legend-label text').map((t) => t.textContent)).to.deep.equal(['organic', 'ads', '(none)']);
    expect(all(el, '[part=chart] .mark-line.role-mark path')).to.have.length(3);
    expect(headers(el)).to.deep.equal(['Group', 'Day 0', 'Day 1', 'Day 2', 'Day 3']);
    expect(tableRows(el)).to.deep.equal([
      // organic: day 1 over 5 and 6 Jan (1 of 4), day 2 over 5 Jan (0 of 2).
      ['organic · Mean', '100%', '25%', '0%', ''],
      ['ads · Mean', '100%', '50%', '50%', ''],
      ['(none) · Mean', '100%', '', '', ''],
    ]);
    await expect(el).to.be.accessible();
  });

  it('fires cohort-cell-click with the cell figures and entity ids when a cell is clicked', async () => {
    const el = await render(html`<cohort-chart locale="en" style="width: 640px" .contract=${contract()}></cohort-chart>`);
    // A real pointer click at the cell: the buttons let it through to the Vega mark.
    const box = cells(el)[3].getBoundingClientRect();
    setTimeout(() => void sendMouse({ type: 'click', position: [Math.round(box.left + box.width / 2), Math.round(box.top + box.height / 2)] }));
    const { detail } = (await oneEvent(el, 'cohort-cell-click')) as CustomEvent<CohortCellClickDetail>;
    expect(detail).to.deep.equal({
      cohort: '2026-01-05',
      start: Date.UTC(2026, 0, 5),
      period: 3,
      count: 2,
      rate: 0.5,
      ratePrevious: 2,
      incomplete: true,
      group: null,
      entityIds: ['a', 'c'],
    });
  });

  it('cells are one tab stop: arrows move across periods and cohorts, Home and End, Enter fires the click', async () => {
    const el = await render(html`<cohort-chart locale="en" .contract=${contract()}></cohort-chart>`);
    const at = () => {
      const b = el.shadowRoot!.activeElement as HTMLElement;
      return [Number(b.dataset.row), Number(b.dataset.column)];
    };
    expect(cells(el).filter((b) => b.tabIndex === 0)).to.have.length(1);
    expect(cells(el)[0].tabIndex).to.equal(0);
    expect(cellName(cells(el)[0])).to.equal('2026-01-05, Day 0: 100%');
    expect(cellName(cells(el)[3])).to.equal('2026-01-05, Day 3: 50% (incomplete)');
    cells(el)[0].focus();
    const press = async (key: string, where: number[]) => {
      await sendKeys({ press: key });
      await waitUntil(() => at().join() === where.join(), `${key} did not reach ${where}, at ${at()}`);
    };
    await press('ArrowRight', [0, 1]);
    await press('ArrowDown', [1, 1]);
    await press('ArrowRight', [1, 2]);
    await press('ArrowRight', [1, 2]);
    // Down to a shorter row lands on its last cell.
    await press('ArrowDown', [2, 1]);
    await press('ArrowUp', [1, 1]);
    await press('End', [1, 2]);
    await press('Home', [1, 0]);
    await press('ArrowUp', [0, 0]);
    await press('End', [0, 3]);
    expect(cells(el).filter((b) => b.tabIndex === 0).map((b) => [b.dataset.row, b.dataset.column])).to.deep.equal([['0', '3']]);
    setTimeout(() => void sendKeys({ press: 'Enter' }));
    const { detail } = (await oneEvent(el, 'cohort-cell-click')) as CustomEvent<CohortCellClickDetail>;
    expect(detail).to.deep.include({ cohort: '2026-01-05', period: 3, incomplete: true });
    await press('ArrowLeft', [0, 2]);
    setTimeout(() => void sendKeys({ press: ' ' }));
    const space = (await oneEvent(el, 'cohort-cell-click')) as CustomEvent<CohortCellClickDetail>;
    expect(space.detail).to.deep.include({ period: 2, count: 1, rate: 0.25 });
    expect(space.detail.entityIds).to.deep.equal(['b']);
  });

  it('the cell buttons lie over their cells', async () => {
    const el = await render(html`<cohort-chart locale="en" style="width: 640px" .contract=${contract()}></cohort-chart>`);
    const [first, second] = [cells(el)[0], cells(el)[4]].map((b) => b.getBoundingClientRect());
    // 5 Jan day 0 above 6 Jan day 0, same column.
    expect(Math.round(first.left)).to.equal(Math.round(second.left));
    expect(first.bottom).to.be.at.most(second.top + 1);
    const chart = el.shadowRoot!.querySelector('[part=chart]')!.getBoundingClientRect();
    expect(first.width).to.be.greaterThan(20);
    expect(first.left).to.be.greaterThan(chart.left);
  });

  it('labels periods, headers, the group picker and open cells in zh-CN', async () => {
    const el = await render(html`<cohort-chart locale="zh-CN" .contract=${contract({ breakdown: { field: 'source' } })}></cohort-chart>`);
    expect(headers(el)).to.deep.equal(['同期群', '规模', '第0天', '第1天', '第2天', '第3天']);
    expect(tableRows(el)[0][0]).to.equal('平均');
    expect(tableRows(el)[2]).to.deep.equal(['2026-01-06', '2', '100%', '50%', '50% (未完结)', '']);
    const label = el.shadowRoot!.querySelector('[part=group-label]')!;
    expect(label.textContent!.trim().startsWith('分组')).to.equal(true);
    const select = el.shadowRoot!.querySelector<HTMLSelectElement>('[part=group-select]')!;
    expect([...select.options].map((o) => o.textContent!.trim())).to.deep.equal(['全部分组', 'organic', 'ads', '（无）']);
    expect(cellName(cells(el)[0])).to.equal('2026-01-05, 第0天: 100%');
    expect(el.shadowRoot!.querySelector('[part=legend]')!.textContent).to.contain('占同期群比例');
    const axis = all(el, '[part=chart] .role-axis-label text').map((t) => t.textContent);
    expect(axis).to.include.members(['规模', '第0天', '平均']);
    await expect(el).to.be.accessible();
  });

  it('draws cohorts given pre-aggregated', async () => {
    const given = {
      version: 1,
      kind: 'cohort',
      data: { rows: [] },
      fields: {},
      cohort: { period: 'week', cohorts: [{ cohort: '2026-01-05', size: 200, values: [200, 80, 50] }, { cohort: '2026-01-12', size: 100, values: [100, 30] }] },
    };
    const el = await render(html`<cohort-chart locale="en" .contract=${given}></cohort-chart>`);
    expect(tableRows(el)).to.deep.equal([
      ['Mean', '300', '100%', '36.7%', '25%'],
      ['2026-01-05', '200', '100%', '40%', '25%'],
      ['2026-01-12', '100', '100%', '30%', ''],
    ]);
    setTimeout(() => cells(el)[1].click());
    const { detail } = (await oneEvent(el, 'cohort-cell-click')) as CustomEvent<CohortCellClickDetail>;
    expect(detail).to.deep.include({ cohort: '2026-01-05', period: 1, count: 80, rate: 0.4, entityIds: [] });
  });

  it('takes new returns for the same cohorts as a data update of the same view', async () => {
    const el = await render(html`<cohort-chart locale="en" .contract=${contract()}></cohort-chart>`);
    // A busy machine may lay the box out again after the first draw; its resize redraw (after a
    // 60 ms pause) is let through first, so the render awaited below is the contract's.
    await new Promise((r) => setTimeout(r, 150));
    const view = el.vegaView;
    // b no longer orders on 7 January: day 2 of 5 Jan falls to 0.
    const fewer = events.filter((r) => !(r.user === 'b' && r.e === 'order'));
    setTimeout(() => (el.contract = contract({}, fewer) as never));
    const { detail } = await nextRender(el);
    expect(detail.mode).to.equal('update');
    expect(el.vegaView).to.equal(view);
    expect(tableRows(el)[1]).to.deep.equal(['2026-01-05', '4', '100%', '25%', '0%', '50% (incomplete)']);
  });

  it('says there is no data when nobody started in range, accessibly', async () => {
    const el = await settled(html`<cohort-chart locale="en" .contract=${contract({ range: { from: '2025-06-01', to: '2025-06-30' } })}></cohort-chart>`, 'empty');
    expect(el.shadowRoot!.querySelector('[part=status]')!.textContent!.trim()).to.equal('No data in this range');
    expect(el.shadowRoot!.querySelector('[part=chart]')!.hasAttribute('hidden')).to.equal(true);
    expect(tableRows(el)).to.deep.equal([]);
    await expect(el).to.be.accessible();
  });

  it('names the field the rows lack and keeps the last good table', async () => {
    const el = await render(html`<cohort-chart locale="en" .contract=${contract()}></cohort-chart>`);
    setTimeout(() => (el.contract = contract({}, events, { entity: 'account', time: 't', event: 'e' }) as never));
    const { detail } = await oneEvent(el, 'funnelkit-error');
    expect(detail.path).to.equal('/fields/entity');
    await el.updateComplete;
    expect(el.state).to.equal('error');
    const status = el.shadowRoot!.querySelector('[part=status]')!;
    expect(status.getAttribute('role')).to.equal('alert');
    expect(status.textContent).to.contain('Showing the last good view.');
    expect(tableRows(el)[1]).to.deep.equal(['2026-01-05', '4', '100%', '25%', '25%', '50% (incomplete)']);
    await expect(el).to.be.accessible();
  });

  it('a first contract in the old spelling is refused with its path, accessibly', async () => {
    const old = { ...contract(), cohort: { startEvent: 'signup', period: 'day' } };
    const el = await settled(html`<cohort-chart locale="en" .contract=${old}></cohort-chart>`, 'error');
    expect(el.shadowRoot!.querySelector('[part=status]')!.textContent).to.contain('/cohort');
    expect(tableRows(el)).to.deep.equal([]);
    await expect(el).to.be.accessible();
  });
});
