import { expect, html, oneEvent } from '@open-wc/testing';
import '../../src/anomaly-chart.js';
import type { AnomalyChart } from '../../src/anomaly-chart.js';
import type { FunnelKitErrorDetail, FunnelKitRenderDetail } from '../../src/index.js';
import { rendered, settled as settledAt, all, tableRows } from './support/widget.js';

type Row = { day: string; orders: number };
const days = (values: number[]): Row[] => values.map((orders, i) => ({ day: `2026-03-${String(i + 1).padStart(2, '0')}`, orders }));

// Daily orders. 6 March: 118 → 60 (−49.2%); 7 March: 60 → 40 (−33.3%) and under the floor of 50.
const falling = days([100, 110, 105, 120, 118, 60, 40]);
// A quiet week: no day under 50, no fall over 30%.
const steady = days([100, 110, 105, 120, 118, 112, 115]);

const floor = { type: 'threshold', below: 50, severity: 'critical', label: 'Floor' };
const sharpDrop = { type: 'change', drop: 0.3 };

const contract = (rules: unknown[], rows: Row[] = falling, fields: Record<string, string> = { time: 'day', value: 'orders' }) => ({
  version: 1,
  kind: 'anomaly',
  title: 'Orders per day',
  data: { rows },
  fields,
  anomaly: { interval: 'day', rules },
});

const render = (template: ReturnType<typeof html>) => rendered<AnomalyChart>(template);
const settled = (template: ReturnType<typeof html>, state: string) => settledAt<AnomalyChart>(template, state);
const badge = (el: AnomalyChart) => el.shadowRoot!.querySelector('[part=state]')!;
const alertLines = (el: AnomalyChart) => all(el, '[part=alerts] li').map((li) => li.textContent!.trim());

/** The next render or error, whichever comes first. */
const nextOutcome = (el: AnomalyChart) =>
  new Promise<{ type: 'render'; detail: FunnelKitRenderDetail } | { type: 'error'; detail: FunnelKitErrorDetail }>((resolve) => {
    el.addEventListener('funnelkit-render', (e) => resolve({ type: 'render', detail: e.detail }), { once: true });
    el.addEventListener('funnelkit-error', (e) => resolve({ type: 'error', detail: e.detail }), { once: true });
  });

describe('<anomaly-chart>', () => {
  it('a breach of a critical floor makes the state critical and lists the alerts, newest first', async () => {
    const el = await render(html`<anomaly-chart theme="light" locale="en" .contract=${contract([floor, sharpDrop])}></anomaly-chart>`);
    expect(el.state).to.equal('ready');
    expect(badge(el).getAttribute('data-state')).to.equal('critical');
    expect(badge(el).textContent!.trim()).to.equal('Critical');
    expect(alertLines(el)).to.deep.equal(['2026-03-07: Floor: below 50; dropped more than 30%', '2026-03-06: dropped more than 30%']);
    expect(tableRows(el).slice(-3)).to.deep.equal([
      ['2026-03-05', '118', '-1.7%', 'OK'],
      ['2026-03-06', '60', '-49.2%', 'dropped more than 30%'],
      ['2026-03-07', '40', '-33.3%', 'Floor: below 50; dropped more than 30%'],
    ]);
    await expect(el).to.be.accessible();
  });

  it('a quiet series is OK, says so, and is readable in both themes', async () => {
    for (const theme of ['light', 'dark']) {
      const el = await render(html`<anomaly-chart theme=${theme} locale="en" .contract=${contract([floor, sharpDrop], steady)}></anomaly-chart>`);
      expect(badge(el).getAttribute('data-state')).to.equal('ok');
      expect(badge(el).textContent!.trim()).to.equal('OK');
      expect(alertLines(el)).to.deep.equal(['No alerts in this range']);
      expect(tableRows(el).every((r) => r[3] === 'OK')).to.equal(true);
      await expect(el).to.be.accessible();
    }
  });

  it('only warnings make the state a warning, readable in both themes', async () => {
    // 7 March falls 33.3% but stays above the floor of 30.
    const rows = days([100, 110, 105, 120, 118, 90, 60]);
    for (const theme of ['light', 'dark']) {
      const el = await render(html`<anomaly-chart theme=${theme} locale="en" .contract=${contract([{ ...floor, below: 30 }, sharpDrop], rows)}></anomaly-chart>`);
      expect(badge(el).getAttribute('data-state')).to.equal('warning');
      expect(badge(el).textContent!.trim()).to.equal('Warning');
      expect(alertLines(el)).to.deep.equal(['2026-03-07: dropped more than 30%']);
      await expect(el).to.be.accessible();
    }
  });

  it('the critical badge is readable in the dark theme', async () => {
    const el = await render(html`<anomaly-chart theme="dark" locale="en" .contract=${contract([floor, sharpDrop])}></anomaly-chart>`);
    expect(badge(el).getAttribute('data-state')).to.equal('critical');
    await expect(el).to.be.accessible();
  });

  it('draws the threshold as a dashed rule in its severity colour and marks the alerting days', async () => {
    const el = await render(html`<anomaly-chart theme="light" locale="en" .contract=${contract([floor, sharpDrop])}></anomaly-chart>`);
    expect(el.vegaView!.data('thresholds')).to.deep.equal([{ value: 50, severity: 'critical', label: 'Floor' }]);
    const rules = all(el, '[part=chart] .mark-rule.role-mark line');
    expect(rules).to.have.length(1);
    expect(rules[0].getAttribute('stroke')).to.equal('#d93025');
    expect(rules[0].getAttribute('stroke-dasharray')).to.equal('6,4');
    // The rule sits at 50 on the value scale.
    const y = el.vegaView!.scale('y') as (v: number) => number;
    const line = rules[0].getAttribute('transform') ?? '';
    expect(line).to.contain(`,${y(50)}`);
    // One filled point per alerting day: 6 March amber (warning), 7 March red (critical).
    const series = el.vegaView!.data('series') as Array<{ period: string; state: string; alert: string }>;
    expect(series.filter((p) => p.state !== 'ok').map((p) => [p.period, p.state])).to.deep.equal([
      ['2026-03-06', 'warning'],
      ['2026-03-07', 'critical'],
    ]);
    const points = all(el, '[part=chart] .mark-symbol.role-mark path').filter((p) => p.getAttribute('fill') !== 'transparent' && p.getAttribute('opacity') !== '0');
    expect(points.map((p) => p.getAttribute('fill'))).to.have.members(['#e8a317', '#d93025']);
  });

  it('states, alerts and headers in zh-CN', async () => {
    const el = await render(html`<anomaly-chart locale="zh-CN" .contract=${contract([floor, sharpDrop])}></anomaly-chart>`);
    expect(badge(el).textContent!.trim()).to.equal('严重');
    expect(alertLines(el)[0]).to.equal('2026-03-07: Floor: 低于 50; 下降超过 30%');
    expect(all(el, '.visually-hidden thead th').map((c) => c.textContent)).to.deep.equal(['周期', '数值', '变化', '告警']);
    await expect(el).to.be.accessible();
  });

  it('a contract with no threshold rule takes new rows and stays ready', async () => {
    const el = await render(html`<anomaly-chart locale="en" .contract=${contract([sharpDrop], steady)}></anomaly-chart>`);
    expect(el.vegaView!.data('series')).to.have.length(7);
    expect(all(el, '[part=chart] .mark-rule.role-mark line')).to.have.length(0);
    // Another quiet week: the same chart, new data.
    const outcome = nextOutcome(el);
    el.contract = contract([sharpDrop], days([90, 95, 100, 97, 99, 101, 104]));
    const result = await outcome;
    expect(result.type, result.type === 'error' ? `funnelkit-error: ${result.detail.message}` : '').to.equal('render');
    expect(['update', 'embed']).to.include((result.detail as FunnelKitRenderDetail).mode);
    await el.updateComplete;
    expect(el.state).to.equal('ready');
    expect(tableRows(el)[6]).to.deep.equal(['2026-03-07', '104', '+3%', 'OK']);
    expect((el.vegaView!.data('series') as Array<{ value: number }>).map((p) => p.value)).to.deep.equal([90, 95, 100, 97, 99, 101, 104]);
  });

  it('says there is no data in an empty range, accessibly', async () => {
    const empty = { ...contract([floor]), anomaly: { interval: 'day', rules: [floor], range: { from: '2025-01-01', to: '2025-01-31' } } };
    const el = await settled(html`<anomaly-chart locale="en" .contract=${empty}></anomaly-chart>`, 'empty');
    expect(el.shadowRoot!.querySelector('[part=status]')!.textContent!.trim()).to.equal('No data in this range');
    expect(el.shadowRoot!.querySelector('[part=state]')).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('names a value field the rows lack and keeps the last good view', async () => {
    const el = await render(html`<anomaly-chart locale="en" .contract=${contract([floor, sharpDrop])}></anomaly-chart>`);
    setTimeout(() => (el.contract = contract([floor], falling, { time: 'day', value: 'revenue' })));
    const { detail } = await oneEvent(el, 'funnelkit-error');
    expect(detail.path).to.equal('/fields/value');
    await el.updateComplete;
    expect(el.state).to.equal('error');
    expect(el.shadowRoot!.querySelector('[part=status]')!.textContent).to.contain('/fields/value');
    expect(badge(el).getAttribute('data-state')).to.equal('critical');
    await expect(el).to.be.accessible();
  });
});
