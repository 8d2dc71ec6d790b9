import { expect, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys, sendMouse } from '@web/test-runner-commands';
import '../../src/anomaly-chart.js';
import type { AnomalyChart, AnomalyPointClickDetail, AnomalyStateChangeDetail } from '../../src/anomaly-chart.js';
import type { FunnelKitErrorDetail } from '../../src/index.js';
import { all, rendered, tableRows } from './support/widget.js';

type Rule = Record<string, unknown>;
const day = (i: number) => `2026-03-${String(i + 1).padStart(2, '0')}`;

/** Daily lead conversion from 1 March, as given points. */
const points = (values: Array<number | null>, rules: Rule[], extra: Record<string, unknown> = {}, top: Record<string, unknown> = {}) => ({
  version: 1,
  kind: 'anomaly',
  title: 'Lead conversion',
  ...top,
  anomaly: { grain: 'day', points: values.map((value, i) => ({ t: day(i), value })), format: { style: 'percent' }, rules, ...extra },
});

const dod = { id: 'dod', name: 'Day-over-day drop', type: 'change', direction: 'drop', threshold: 10, severity: 'critical' };
// 3 March: 0.135 → 0.118 (−12.6%); 6 March: 0.125 → 0.1075 (−14%); 7 March back up (+18.1%).
const conversion = [0.131, 0.135, 0.118, 0.128, 0.125, 0.1075, 0.127];
const floor = (extra: Rule = {}) => ({ id: 'floor', name: 'Floor', type: 'threshold', bound: { op: '<', value: 0.12 }, severity: 'critical', ...extra });

/** Leads and wins per day by source: bing's win rate halves from 16 March. */
function leadEvents(): Array<Record<string, string>> {
  const rows: Array<Record<string, string>> = [];
  ['google', 'bing', 'direct'].forEach((source, k) => {
    for (let d = 0; d < 20; d++) {
      const leads = 40 + 10 * k;
      const won = Math.round(leads * (source === 'bing' && d >= 15 ? 0.1 : 0.2));
      for (let i = 0; i < leads; i++) {
        rows.push({ day: day(d), lead: `${source}-${d}-${i}`, event: 'lead', source });
        if (i < won) rows.push({ day: day(d), lead: `${source}-${d}-${i}`, event: 'won', source });
      }
    }
  });
  return rows;
}
const bySource = (display: Record<string, unknown> = {}) => ({
  version: 1,
  kind: 'anomaly',
  title: 'Win rate',
  data: { rows: leadEvents() },
  fields: { time: 'day', entity: 'lead', event: 'event' },
  anomaly: {
    grain: 'day',
    measure: { op: 'ratio', numerator: { op: 'count', filter: { event: 'won' } }, denominator: { op: 'count', filter: { event: 'lead' } } },
    split: { field: 'source', limit: 5 },
    display,
    rules: [{ id: 'dod', name: 'Drop', type: 'change', direction: 'drop', threshold: 30, severity: 'warning' }],
  },
});

const render = (template: ReturnType<typeof html>) => rendered<AnomalyChart>(template);
const shadow = (el: AnomalyChart, selector: string) => el.shadowRoot!.querySelector(selector);
const badge = (el: AnomalyChart) => shadow(el, '[part=state]')!;
const text = (node: Element) => node.textContent!.replace(/\s+/g, ' ').trim();
const alertLines = (el: AnomalyChart) => all(el, '[part=alerts] li').map(text);
const sentence = (el: AnomalyChart) => text(shadow(el, 'p.visually-hidden')!);
const headers = (el: AnomalyChart) => all(el, '.visually-hidden thead th').map((c) => c.textContent);
/** Axis labels of the value axis (the time axis labels name months). */
const axisLabels = (el: AnomalyChart) => all(el, '[part=chart] .role-axis-label text').map((t) => t.textContent!);
/** The first panel's value scale (Vega-Lite names it after the layer nesting). */
const valueScale = (el: AnomalyChart) => {
  const names = Object.keys((el.vegaView as unknown as { _runtime: { scales: object } })._runtime.scales);
  return el.vegaView!.scale(names.find((n) => /^layer_\d_layer_0_y$/.test(n))!) as (v: number) => number;
};
const pointButtons = (el: AnomalyChart) => all(el, '[part=point]') as HTMLButtonElement[];
const center = (node: Element): [number, number] => {
  const box = node.getBoundingClientRect();
  return [box.left + box.width / 2, box.top + box.height / 2];
};
/** The next render, and whether an `anomaly-state-change` came with it. */
async function nextRender(el: AnomalyChart, contract: unknown): Promise<AnomalyStateChangeDetail | null> {
  let change: AnomalyStateChangeDetail | null = null;
  const listener = (e: CustomEvent<AnomalyStateChangeDetail>) => (change = e.detail);
  el.addEventListener('anomaly-state-change', listener);
  const done = oneEvent(el, 'funnelkit-render');
  el.contract = contract as never;
  await done;
  el.removeEventListener('anomaly-state-change', listener);
  await el.updateComplete;
  return change;
}

describe('<anomaly-chart>', () => {
  it('a change rule: alerts listed newest first, the sentence, the table and the axis in percent', async () => {
    const el = await render(html`<anomaly-chart theme="light" locale="en" style="width: 640px" .contract=${points(conversion, [dod])}></anomaly-chart>`);
    expect(el.state).to.equal('ready');
    expect(badge(el).getAttribute('data-state')).to.equal('normal');
    expect(badge(el).hasAttribute('data-severity')).to.equal(false);
    expect(text(badge(el))).to.equal('Normal');
    expect(alertLines(el)).to.deep.equal(['Critical Day-over-day drop Mar 6 peak 10.8%', 'Critical Day-over-day drop Mar 3 peak 11.8%']);
    expect(sentence(el)).to.equal('2 alerts in range; Day-over-day drop: Lead conversion dropped 14% on Mar 6, now normal');
    expect(headers(el)).to.deep.equal(['Period', 'Value', 'Day-over-day drop']);
    expect(tableRows(el)).to.deep.equal([
      ['Mar 1', '13.1%', 'Normal'],
      ['Mar 2', '13.5%', 'Normal · +3.1%'],
      ['Mar 3', '11.8%', 'Alerting · Critical · -12.6%'],
      ['Mar 4', '12.8%', 'Normal · +8.5%'],
      ['Mar 5', '12.5%', 'Normal · -2.3%'],
      ['Mar 6', '10.8%', 'Alerting · Critical · -14%'],
      ['Mar 7', '12.7%', 'Normal · +18.1%'],
    ]);
    // Value ticks read as percentages, never as fractions; day ticks carry their month.
    const labels = axisLabels(el);
    const values = labels.filter((l) => /\d%$/.test(l));
    expect(values.length).to.be.greaterThan(2);
    expect(labels.some((l) => /^0\.\d/.test(l))).to.equal(false);
    expect(labels.filter((l) => /^Mar \d+$/.test(l)).length).to.be.greaterThan(2);
    // Breaching points coloured critical (the theme's alert token), intervals shaded behind.
    expect(all(el, '[part=chart] .mark-symbol path[fill="#c5221f"]')).to.have.length(2);
    expect(el.vegaView!.data('intervals').map((i: { label: string }) => i.label)).to.deep.equal(['Day-over-day drop', 'Day-over-day drop']);
    expect(all(el, '[part=chart] .mark-text text').map((t) => t.textContent)).to.include('Day-over-day drop');
    await expect(el).to.be.accessible();
  });

  it('badges the current state: alerting, pending, recovering, no data, normal (en and zh-CN)', async () => {
    const cases: Array<[Array<number | null>, Rule, string, string | null, string, string]> = [
      [[0.13, 0.13, 0.11], floor(), 'alerting', 'critical', 'Alerting · Critical', '告警中 · 严重'],
      [[0.13, 0.13, 0.11], floor({ severity: 'warning' }), 'alerting', 'warning', 'Alerting · Warning', '告警中 · 警告'],
      [[0.13, 0.13, 0.11], floor({ for: 2 }), 'pending', null, 'Pending', '待定'],
      [[0.13, 0.11, 0.13], floor({ keepFiringFor: 2 }), 'recovering', 'critical', 'Recovering', '恢复中'],
      [[0.13, 0.13, null], floor(), 'nodata', null, 'No data', '无数据'],
      [[0.13, 0.13, 0.13], floor(), 'normal', null, 'Normal', '正常'],
    ];
    for (const [values, rule, state, severity, en, zh] of cases) {
      for (const [locale, label] of [['en', en], ['zh-CN', zh]]) {
        const el = await render(html`<anomaly-chart theme="light" locale=${locale} .contract=${points(values, [rule])}></anomaly-chart>`);
        expect(badge(el).getAttribute('data-state'), `${state} ${locale}`).to.equal(state);
        expect(badge(el).getAttribute('data-severity'), `${state} ${locale}`).to.equal(severity);
        expect(text(badge(el)), `${state} ${locale}`).to.equal(label);
      }
    }
  });

  it('badges in both themes are readable (axe contrast), the firing ones included', async () => {
    for (const theme of ['light', 'dark']) {
      for (const [values, rule] of [
        [[0.13, 0.13, 0.11], floor()],
        [[0.13, 0.13, 0.11], floor({ severity: 'warning' })],
        [[0.13, 0.13, 0.11], floor({ for: 2 })],
        [[0.13, 0.11, 0.13], floor({ keepFiringFor: 2 })],
        [[0.13, 0.13, null], floor()],
      ] as Array<[Array<number | null>, Rule]>) {
        const el = await render(html`<anomaly-chart theme=${theme} locale="en" .contract=${points(values, [rule])}></anomaly-chart>`);
        await expect(el).to.be.accessible();
      }
    }
  });

  it('says it all in zh-CN: sentence, alerts, headers and period labels', async () => {
    const el = await render(html`<anomaly-chart locale="zh-CN" .contract=${points(conversion, [dod])}></anomaly-chart>`);
    expect(sentence(el)).to.equal('范围内有 2 条告警；Day-over-day drop：Lead conversion于3月6日下降 14%，当前正常');
    expect(alertLines(el)[0]).to.equal('严重 Day-over-day drop 3月6日 峰值 10.8%');
    expect(headers(el)).to.deep.equal(['周期', '数值', 'Day-over-day drop']);
    expect(tableRows(el)[5]).to.deep.equal(['3月6日', '10.8%', '告警中 · 严重 · -14%']);
    expect(axisLabels(el)).to.include('3月6日');
    await expect(el).to.be.accessible();
  });

  it('threshold steps, dashed by default: one line per step edge in the step colour, the steps shaded in an area mode', async () => {
    const steps = { id: 'steps', name: 'Levels', type: 'threshold', steps: [{ value: null, color: 'green' }, { value: 0.12, color: '#EAB839', severity: 'warning' }, { value: 0.134, color: 'red', severity: 'critical' }] };
    const dashed = await render(html`<anomaly-chart locale="en" .contract=${points(conversion, [steps])}></anomaly-chart>`);
    const lines = all(dashed, '[part=chart] .thresholds_0_marks line');
    expect(lines.map((l) => [l.getAttribute('stroke'), l.getAttribute('stroke-dasharray')])).to.deep.equal([
      ['#EAB839', '6,4'],
      ['red', '6,4'],
    ]);
    // The line sits at its value on the value scale.
    const y = valueScale(dashed);
    expect(lines[0].getAttribute('transform') ?? '').to.contain(`,${y(0.12)}`);
    // 2 March (13.5%) is critical, 3 March (11.8%) under every step, the rest warnings.
    expect(dashed.vegaView!.data('series').map((p: { severity: string | null }) => p.severity)).to.deep.equal(['warning', 'critical', null, 'warning', 'warning', null, 'warning']);
    const solid = await render(html`<anomaly-chart locale="en" .contract=${points(conversion, [steps], { display: { thresholds: 'line+area' } })}></anomaly-chart>`);
    const solidLines = all(solid, '[part=chart] .thresholds_0_marks line');
    expect(solidLines.map((l) => l.getAttribute('stroke-dasharray'))).to.deep.equal([null, null]);
    // Three bands: the base from the axis' foot, the warning step, and the top one to the axis' top.
    const areas = solid.vegaView!.data('areas') as Array<{ y0: number; y1: number; color: string }>;
    expect(areas.map((a) => a.color)).to.deep.equal(['green', '#EAB839', 'red']);
    const [domain] = solid.vegaView!.data('domains') as Array<{ y0: number; y1: number }>;
    expect(domain.y0).to.be.below(0.1075);
    expect(domain.y1).to.be.above(0.135);
    expect(areas.map((a) => [a.y0, a.y1])).to.deep.equal([
      [domain.y0, 0.12],
      [0.12, 0.134],
      [0.134, domain.y1],
    ]);
    expect(all(solid, '[part=chart] .steps_0_marks path')).to.have.length(3);
    const off = await render(html`<anomaly-chart locale="en" .contract=${points(conversion, [steps], { display: { thresholds: 'off' } })}></anomaly-chart>`);
    expect(all(off, '[part=chart] .thresholds_0_marks line')).to.have.length(0);
    expect(off.vegaView!.data('series')).to.have.length(7);
    await expect(solid).to.be.accessible();
  });

  it('a bound rule is a line at its value in its severity colour; a band rule shades the band and draws the expected line', async () => {
    const band = { id: 'band', name: 'Baseline', type: 'band', window: 4, minWindow: 3, k: 2 };
    const el = await render(html`<anomaly-chart locale="en" theme="light" .contract=${points(conversion, [floor({ severity: 'warning' }), band])}></anomaly-chart>`);
    const rules = all(el, '[part=chart] .thresholds_0_marks line');
    expect(rules.map((l) => l.getAttribute('stroke'))).to.deep.equal(['#b7791f']);
    const bands = (el.vegaView!.data('bands') as Array<{ t: number; lower: number | null; expected: number | null }>).filter((b) => b.expected !== null);
    // From 4 March: the mean of the 3 points before (13.1%, 13.5%, 11.8%) ± 2σ.
    expect(bands[0].expected).to.be.closeTo((0.131 + 0.135 + 0.118) / 3, 1e-12);
    expect(bands).to.have.length(4);
    expect(all(el, '[part=chart] .mark-area path').length).to.be.greaterThan(0);
    expect(headers(el)).to.deep.equal(['Period', 'Value', 'Floor', 'Baseline']);
    // 3 March is under the floor: a warning.
    expect(tableRows(el)[2]).to.deep.equal(['Mar 3', '11.8%', 'Alerting · Warning', 'Normal']);
  });

  it('a null value is a gap, never a zero: the line breaks there and no bar is drawn', async () => {
    const gappy = [0.131, 0.135, null, 0.128, 0.125];
    const line = await render(html`<anomaly-chart locale="en" .contract=${points(gappy, [dod])}></anomaly-chart>`);
    expect(line.vegaView!.data('series').map((p: { value: number | null }) => p.value)).to.deep.equal(gappy);
    const path = shadow(line, '[part=chart] .mark-line path')!.getAttribute('d')!;
    expect(path.match(/M/g)).to.have.length(2);
    expect(tableRows(line)[2]).to.deep.equal(['Mar 3', '–', 'No data']);
    const bars = await render(html`<anomaly-chart locale="en" .contract=${points(gappy, [dod], { display: { style: 'bars' } })}></anomaly-chart>`);
    expect(all(bars, '[part=chart] .bars_0_marks path')).to.have.length(4);
    const area = await render(html`<anomaly-chart locale="en" .contract=${points(gappy, [dod], { display: { style: 'area' } })}></anomaly-chart>`);
    expect(shadow(area, '[part=chart] .mark-area path')!.getAttribute('d')!.match(/M/g)).to.have.length(2);
  });

  it('money in the contract currency: ¥ on the axis', async () => {
    const contract = { ...points([1200, 1350, 900], [], { format: { style: 'currency', currency: 'CNY' } }), locale: 'zh-CN' };
    const el = await render(html`<anomaly-chart .contract=${contract}></anomaly-chart>`);
    expect(axisLabels(el).filter((l) => l.startsWith('¥')).length).to.be.greaterThan(2);
    expect(tableRows(el)[0][1]).to.equal('¥1,200');
  });

  it('the tooltip of a point: period, value, baseline, and every rule with its state and change', async () => {
    const band = { id: 'band', name: 'Baseline', type: 'band', window: 4, minWindow: 3, k: 2 };
    const el = await render(html`<anomaly-chart locale="en" style="width: 640px" .contract=${points(conversion, [dod, band])}></anomaly-chart>`);
    const [x, y] = center(all(el, '[part=chart] .hits_0_marks path')[5]);
    await sendMouse({ type: 'move', position: [Math.round(x), Math.round(y)] });
    const tip = shadow(el, '[part=tooltip]') as HTMLElement;
    await waitUntil(() => !tip.hidden, 'no tooltip');
    expect(tip.querySelector('.tip-title')!.textContent).to.equal('Mar 6');
    const rows = [...tip.querySelectorAll('tr')].map((r) => [...r.cells].map((c) => c.textContent));
    // The baseline for 6 March: the 4 points before (13.5%, 11.8%, 12.8%, 12.5%), mean 12.65% ± 2σ.
    expect(rows.map((r) => r[0])).to.deep.equal(['Value', 'Expected', 'Band', 'Day-over-day drop', 'Baseline']);
    expect(rows[0][1]).to.equal('10.8%');
    expect(rows[1][1]).to.equal('12.7%');
    expect(rows[3][1]).to.equal('Alerting · Critical · -14%');
    // A band rule breaches at its default severity, a warning.
    expect(rows[4][1]).to.equal('Alerting · Warning');
    await sendMouse({ type: 'move', position: [0, 0] });
  });

  it('fires anomaly-point-click on a pointer click at a point', async () => {
    const el = await render(html`<anomaly-chart locale="en" style="width: 640px" .contract=${points(conversion, [dod])}></anomaly-chart>`);
    const hit = all(el, '[part=chart] .hits_0_marks path')[5];
    // The point buttons lie over their points.
    await waitUntil(() => pointButtons(el).length === 7, 'no point buttons');
    const [bx, by] = center(pointButtons(el)[5]);
    const [hx, hy] = center(hit);
    expect(Math.abs(bx - hx)).to.be.below(1.5);
    expect(Math.abs(by - hy)).to.be.below(1.5);
    setTimeout(() => void sendMouse({ type: 'click', position: [Math.round(hx), Math.round(hy)] }));
    const { detail } = (await oneEvent(el, 'anomaly-point-click')) as CustomEvent<AnomalyPointClickDetail>;
    expect(detail).to.deep.include({ series: '', period: '2026-03-06', start: Date.UTC(2026, 2, 6), value: 0.1075 });
    expect(detail.rules).to.have.length(1);
    expect(detail.rules[0]).to.deep.include({ rule: 'dod', state: 'alerting', breach: true, severity: 'critical' });
    expect(detail.rules[0].change).to.be.closeTo(-14, 1e-9);
  });

  it('points are one tab stop: arrows move with a focus ring, Enter and Space click; alerts are buttons for their peak', async () => {
    const el = await render(html`<anomaly-chart locale="en" .contract=${points(conversion, [dod])}></anomaly-chart>`);
    await waitUntil(() => pointButtons(el).length === 7, 'no point buttons');
    expect(pointButtons(el).filter((b) => b.tabIndex === 0).map((b) => b.dataset.index)).to.deep.equal(['0']);
    expect(text(pointButtons(el)[5])).to.equal('Mar 6: Value 10.8%, Day-over-day drop Alerting · Critical · -14%');
    const at = () => (el.shadowRoot!.activeElement as HTMLElement | null)?.dataset.index;
    pointButtons(el)[0].focus();
    const press = async (key: string, where: string) => {
      await sendKeys({ press: key });
      await waitUntil(() => at() === where, `${key} did not reach ${where}, at ${at()}`);
    };
    await press('ArrowRight', '1');
    await press('End', '6');
    await press('ArrowLeft', '5');
    const focused = el.shadowRoot!.activeElement as HTMLElement;
    expect(getComputedStyle(focused).outlineStyle).to.equal('solid');
    setTimeout(() => void sendKeys({ press: 'Enter' }));
    const enter = (await oneEvent(el, 'anomaly-point-click')) as CustomEvent<AnomalyPointClickDetail>;
    expect(enter.detail.period).to.equal('2026-03-06');
    await press('Home', '0');
    setTimeout(() => void sendKeys({ press: ' ' }));
    const space = (await oneEvent(el, 'anomaly-point-click')) as CustomEvent<AnomalyPointClickDetail>;
    expect(space.detail).to.deep.include({ period: '2026-03-01', value: 0.131 });
    // The second alert (3 March) by keyboard.
    const alert = all(el, '[part=alert]')[1] as HTMLButtonElement;
    alert.focus();
    setTimeout(() => void sendKeys({ press: 'Enter' }));
    const peak = (await oneEvent(el, 'anomaly-point-click')) as CustomEvent<AnomalyPointClickDetail>;
    expect(peak.detail).to.deep.include({ period: '2026-03-03', value: 0.118 });
  });

  it('zooms the time axis from the keyboard and resets it', async () => {
    const values = Array.from({ length: 20 }, (_, i) => 0.13 + (i % 3) / 100);
    const el = await render(html`<anomaly-chart locale="en" style="width: 640px" .contract=${points(values, [dod])}></anomaly-chart>`);
    await waitUntil(() => pointButtons(el).length === 20, 'no point buttons');
    pointButtons(el)[10].focus();
    await sendKeys({ press: '+' });
    await waitUntil(() => pointButtons(el).length < 20, 'did not zoom in');
    const zoom = el.vegaView!.signal('zoom') as [number, number];
    expect(zoom[0]).to.be.below(Date.UTC(2026, 2, 11));
    expect(zoom[1]).to.be.above(Date.UTC(2026, 2, 11));
    expect((el.shadowRoot!.activeElement as HTMLElement).dataset.index).to.equal('10');
    expect(shadow(el, '[part=reset-zoom]')).to.exist;
    await sendKeys({ press: '0' });
    await waitUntil(() => pointButtons(el).length === 20, 'did not reset');
    expect(el.vegaView!.signal('zoom')).to.equal(null);
  });

  it('a drag in the overview strip below zooms the time axis; Reset zoom clears it; fewer than 3 points get no strip', async () => {
    const values = Array.from({ length: 20 }, (_, i) => 0.13 + (i % 3) / 100);
    const el = await render(html`<anomaly-chart locale="en" style="width: 640px" .contract=${points(values, [dod])}></anomaly-chart>`);
    await waitUntil(() => pointButtons(el).length === 20, 'no point buttons');
    expect(el.vegaView!.signal('brush')).to.deep.equal({});
    const strip = shadow(el, '[part=chart] .strip_marks path')!.getBoundingClientRect();
    const y = Math.round(strip.top + strip.height / 2);
    // A drag over the main chart does not brush.
    const [px, py] = center(pointButtons(el)[3]);
    await sendMouse({ type: 'move', position: [Math.round(px) + 3, Math.round(py) - 20] });
    await sendMouse({ type: 'down' });
    await sendMouse({ type: 'move', position: [Math.round(px) + 120, Math.round(py) - 20] });
    await sendMouse({ type: 'up' });
    expect(el.vegaView!.signal('brush')).to.deep.equal({});
    // From a quarter to three quarters of the strip: about the middle half of the days stay.
    await sendMouse({ type: 'move', position: [Math.round(strip.left + strip.width / 4), y] });
    await sendMouse({ type: 'down' });
    await sendMouse({ type: 'move', position: [Math.round(strip.left + (strip.width * 3) / 4), y] });
    await sendMouse({ type: 'up' });
    await waitUntil(() => pointButtons(el).length < 20, 'the brush did not zoom');
    const [from, to] = (el.vegaView!.signal('brush') as { t: number[] }).t.map(Number);
    expect(from).to.be.closeTo(Date.UTC(2026, 2, 1) + (19 * 86_400_000) / 4, 86_400_000);
    expect(to).to.be.closeTo(Date.UTC(2026, 2, 1) + (3 * 19 * 86_400_000) / 4, 86_400_000);
    expect(pointButtons(el).length).to.be.within(9, 11);
    (shadow(el, '[part=reset-zoom]') as HTMLButtonElement).click();
    await waitUntil(() => pointButtons(el).length === 20, 'did not reset');
    expect(el.vegaView!.signal('brush')).to.deep.equal({});
    const two = await render(html`<anomaly-chart locale="en" .contract=${points([0.13, 0.12], [dod])}></anomaly-chart>`);
    expect(() => two.vegaView!.signal('brush')).to.throw();
  });

  it('anomaly-state-change fires when a rule changes state, and not when states stay', async () => {
    const el = await render(html`<anomaly-chart locale="en" .contract=${points([0.13, 0.13, 0.13], [floor()])}></anomaly-chart>`);
    // The last point falls under the floor: normal → alerting.
    const first = await nextRender(el, points([0.13, 0.13, 0.11], [floor()]));
    expect(first).to.deep.equal({ state: 'alerting', previousState: 'normal', changes: [{ rule: 'floor', name: 'Floor', series: '', state: 'alerting', previous: 'normal' }] });
    // Other values, the same states: no event.
    expect(await nextRender(el, points([0.14, 0.13, 0.1], [floor()]))).to.equal(null);
    // Back over the floor.
    const back = await nextRender(el, points([0.14, 0.13, 0.125], [floor()]));
    expect(back!.changes.map((c) => [c.previous, c.state])).to.deep.equal([['alerting', 'normal']]);
    expect(back!.previousState).to.equal('alerting');
  });

  it('anomaly-state-change on the first render only when some rule is not normal', async () => {
    let heard: AnomalyStateChangeDetail | null = null;
    const listener = (e: Event) => (heard = (e as CustomEvent<AnomalyStateChangeDetail>).detail);
    document.addEventListener('anomaly-state-change', listener);
    try {
      await render(html`<anomaly-chart locale="en" .contract=${points([0.13, 0.13], [floor()])}></anomaly-chart>`);
      expect(heard).to.equal(null);
      await render(html`<anomaly-chart locale="en" .contract=${points([0.13, 0.11], [floor({ for: 1 })])}></anomaly-chart>`);
      expect(heard).to.deep.equal({ state: 'pending', previousState: null, changes: [{ rule: 'floor', name: 'Floor', series: '', state: 'pending', previous: null }] });
    } finally {
      document.removeEventListener('anomaly-state-change', listener);
    }
  });

  it('several series: overlaid with a legend, or one panel each (contract or attribute), with series in the table', async () => {
    const overlay = await render(html`<anomaly-chart locale="en" theme="light" .contract=${bySource()}></anomaly-chart>`);
    // Series by rows, most first.
    expect(all(overlay, '[part=legend] .key').map(text).slice(0, 3)).to.deep.equal(['direct', 'bing', 'google']);
    expect(all(overlay, '[part=chart] .mark-text text').filter((t) => /\btitle_\d+_marks\b/.test(t.parentElement!.getAttribute('class')!) && t.textContent)).to.have.length(0);
    expect(headers(overlay)).to.deep.equal(['Period', 'Series', 'Value', 'Drop']);
    // bing's rate halves on 16 March: a warning, and the sentence names the series.
    expect(tableRows(overlay)[20 + 15]).to.deep.equal(['Mar 16', 'bing', '10%', 'Alerting · Warning · -50%']);
    expect(sentence(overlay)).to.equal('1 alert in range; Drop: Win rate (bing) dropped 50% on Mar 16, now normal');
    expect(alertLines(overlay)).to.deep.equal(['Warning Drop bing Mar 16 peak 10%']);
    await expect(overlay).to.be.accessible();
    const titles = (el: AnomalyChart) => all(el, '[part=chart] .mark-text text').filter((t) => /\btitle_\d+_marks\b/.test(t.parentElement!.getAttribute('class')!) && t.textContent).map((t) => t.textContent);
    const multiples = await render(html`<anomaly-chart locale="en" theme="dark" .contract=${bySource({ layout: 'multiples' })}></anomaly-chart>`);
    expect(titles(multiples)).to.deep.equal(['direct', 'bing', 'google']);
    expect(all(multiples, '[part=chart] .mark-line path').length).to.be.at.least(3);
    await expect(multiples).to.be.accessible();
    const byAttribute = await render(html`<anomaly-chart locale="en" layout="multiples" .contract=${bySource()}></anomaly-chart>`);
    expect(titles(byAttribute)).to.have.length(3);
    expect(byAttribute.getAttribute('layout')).to.equal('multiples');
    // The attribute wins over the contract, and switching it redraws.
    const overridden = await render(html`<anomaly-chart locale="en" layout="overlay" .contract=${bySource({ layout: 'multiples' })}></anomaly-chart>`);
    expect(titles(overridden)).to.have.length(0);
    setTimeout(() => (overridden.layout = 'multiples'));
    await oneEvent(overridden, 'funnelkit-render');
    expect(titles(overridden)).to.have.length(3);
  });

  it('text from data is never HTML', async () => {
    const evil = '<img src=x onerror="window.__pwned=1">';
    const el = await render(html`<anomaly-chart locale="en" .contract=${points(conversion, [{ ...dod, name: evil }])}></anomaly-chart>`);
    expect(alertLines(el)[0]).to.contain(evil);
    expect(el.shadowRoot!.querySelector('img')).to.equal(null);
    expect((window as unknown as { __pwned?: number }).__pwned).to.equal(undefined);
  });

  it('a bad contract fires funnelkit-error with its JSON path', async () => {
    const el = await render(html`<anomaly-chart locale="en" .contract=${points(conversion, [dod])}></anomaly-chart>`);
    setTimeout(() => (el.contract = points(conversion, [dod, { ...dod }]) as never));
    const { detail } = (await oneEvent(el, 'funnelkit-error')) as CustomEvent<FunnelKitErrorDetail>;
    expect(detail.path).to.equal('/anomaly/rules/1/id');
    await el.updateComplete;
    expect(el.state).to.equal('error');
    expect(shadow(el, '[part=status]')!.textContent).to.contain('/anomaly/rules/1/id');
    // The last good view stays, badge and all.
    expect(badge(el).getAttribute('data-state')).to.equal('normal');
    await expect(el).to.be.accessible();
  });
});
