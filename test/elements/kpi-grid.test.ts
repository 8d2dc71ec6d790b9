import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/kpi-grid.js';
import type { KpiClickDetail, KpiGrid } from '../../src/kpi-grid.js';
import type { FunnelKitRenderDetail } from '../../src/index.js';
import { all, rendered, settled, tableRows } from './support/widget.js';

/** Lead-to-cash KPIs: three computed from deal events in March 2026 (compared with the 31 days before), four given (pre-aggregated). */
const events = [
  ['a', 'lead', '2026-02-20'],
  ['a', 'won', '2026-02-25'],
  ['b', 'lead', '2026-03-02'],
  ['b', 'won', '2026-03-12'],
  ['c', 'lead', '2026-03-05'],
  ['c', 'lost', '2026-03-20'],
  ['d', 'lead', '2026-03-09'],
  ['e', 'lead', '2026-03-15'],
  ['e', 'won', '2026-03-25'],
].map(([id, e, t]) => ({ id, e, t }));
const march = { from: '2026-03-01', to: '2026-03-31' };
const contract = {
  version: 1,
  kind: 'kpi',
  title: 'Lead to cash',
  data: { rows: events },
  fields: { entity: 'id', event: 'e', time: 't' },
  kpi: {
    kpis: [
      { id: 'leads', label: 'Leads', measure: { op: 'count', filter: { event: 'lead' } }, period: march, target: 5 },
      {
        id: 'win-rate',
        label: 'Win rate',
        measure: { op: 'ratio', numerator: { op: 'count', filter: { event: 'won' } }, denominator: { op: 'count', filter: { event: ['won', 'lost'] } } },
        period: march,
        target: 0.7,
        thresholds: { mode: 'percent-of-target', steps: [{ value: null, status: 'critical' }, { value: 90, status: 'warning' }, { value: 100, status: 'good' }] },
      },
      { id: 'cycle', label: 'Sales cycle', measure: { op: 'duration', from: { event: 'lead' }, to: { event: 'won' } }, period: march, direction: 'lower-is-better' },
      { id: 'pipeline', label: 'Pipeline', value: 1_250_000, format: { style: 'currency', currency: 'USD', maximumFractionDigits: 2 } },
      { id: 'deal', label: 'Average deal', value: 18_000, previous: 20_000, format: { style: 'currency', currency: 'USD' } },
      { id: 'mql', label: 'MQL rate', value: 0.4, previous: 0.4, format: { style: 'percent' } },
      { id: 'churn', label: 'Churn', value: 0.02, previous: 0.03, direction: 'lower-is-better', format: { style: 'percent' }, thresholds: { steps: [{ value: null, status: 'good' }, { value: 0.05, status: 'critical' }] } },
    ],
  },
};

const ready = (template: ReturnType<typeof html>) => rendered<KpiGrid>(template);
const texts = (el: KpiGrid, selector: string) => all(el, selector).map((n) => n.textContent);
const names = (el: KpiGrid) => all(el, '[part=label]').map((b) => b.getAttribute('aria-label'));
const columns = (el: KpiGrid) => getComputedStyle(el.shadowRoot!.querySelector('[part=grid]')!).gridTemplateColumns.split(' ').length;

describe('<kpi-grid>', () => {
  it('shows every KPI of the contract as a card, computed and given alike', async () => {
    const el = await ready(html`<kpi-grid locale="en" style="width: 1600px" .contract=${contract}></kpi-grid>`);
    expect(el.shadowRoot!.querySelector('[part=title]')!.textContent).to.equal('Lead to cash');
    expect(texts(el, '[part=label]')).to.deep.equal(['Leads', 'Win rate', 'Sales cycle', 'Pipeline', 'Average deal', 'MQL rate', 'Churn']);
    // March: b, c, d, e are leads (4 of a target of 5; February: a); b and e won, c lost (2 of 3, 95%
    // of a 70% target; February: 1 of 1); b and e took 10 days from lead to won (February: a, 5).
    expect(texts(el, '[part=value]')).to.deep.equal(['4', '66.7%', '10 days', '$1.25M', '$18,000', '40%', '2%']);
    expect(texts(el, '[part=change]')).to.deep.equal(['▲ +300%', '▼ -33.3 pp', '▲ +100%', 'No comparison', '▼ -10%', '0 pp', '▼ -1 pp']);
    expect(all(el, '[part=change]').map((c) => (c as HTMLElement).dataset.tone)).to.deep.equal(['good', 'bad', 'bad', 'none', 'bad', 'neutral', 'good']);
    expect(all(el, '[part=kpi]').map((c) => (c as HTMLElement).dataset.status ?? null)).to.deep.equal([null, 'warning', null, null, null, null, 'good']);
    expect(texts(el, '[part=comparison]')[0]).to.equal('vs previous 31 days: 1');
    expect(all(el, '[part=chart] svg').length).to.equal(3);
    expect(tableRows(el)[1]).to.deep.equal(['Win rate', '66.7%', '-33.3 pp', '95%', 'Warning']);
    await expect(el).to.be.accessible();
  });

  it('lays the cards out in as many columns as fit: seven on a wide screen, one on a phone', async () => {
    const wide = await ready(html`<kpi-grid locale="en" style="width: 1600px" .contract=${contract}></kpi-grid>`);
    expect(columns(wide)).to.equal(7);
    const boxes = all(wide, '[part=kpi]').map((c) => c.getBoundingClientRect());
    expect(new Set(boxes.map((b) => Math.round(b.top))).size).to.equal(1);
    wide.style.width = '700px';
    await new Promise((resolve) => requestAnimationFrame(resolve));
    expect(columns(wide)).to.equal(3);
    const phone = await ready(html`<kpi-grid locale="en" style="width: 340px" .contract=${contract}></kpi-grid>`);
    expect(columns(phone)).to.equal(1);
    // A large phone too, where two narrow cards would fit.
    phone.style.width = '430px';
    await new Promise((resolve) => requestAnimationFrame(resolve));
    expect(columns(phone)).to.equal(1);
    expect(all(phone, '[part=kpi]')[0].getBoundingClientRect().width).to.equal(phone.shadowRoot!.querySelector('[part=grid]')!.getBoundingClientRect().width);
  });

  it('speaks each card as one sentence, in English and Chinese', async () => {
    const en = await ready(html`<kpi-grid locale="en" .contract=${contract}></kpi-grid>`);
    expect(names(en).slice(0, 3)).to.deep.equal([
      'Leads 4, up 300% on the previous 31 days, 80% of target',
      'Win rate 66.7%, down 33.3 points on the previous 31 days, 95% of target, status warning',
      'Sales cycle 10 days, up 100% on the previous 31 days',
    ]);
    expect(names(en)[3]).to.equal('Pipeline $1.25M, no comparison');
    expect(names(en)[5]).to.equal('MQL rate 40%, unchanged on the previous period');
    const zh = await ready(html`<kpi-grid locale="zh-CN" .contract=${contract}></kpi-grid>`);
    expect(texts(zh, '[part=value]').slice(0, 4)).to.deep.equal(['4', '66.7%', '10天', 'US$125万']);
    expect(names(zh).slice(0, 2)).to.deep.equal(['Leads 4，较上期上升 300%，完成目标的 80%', 'Win rate 66.7%，较上期下降 33.3 个百分点，完成目标的 95%，状态：警告']);
    expect(texts(zh, '[part=change]')[3]).to.equal('无对比数据');
    expect(el(zh).querySelector('caption')!.textContent).to.equal('Lead to cash');
    await expect(zh).to.be.accessible();
  });

  it('passes axe in the light and dark themes', async () => {
    for (const theme of ['light', 'dark']) {
      const el = await ready(html`<kpi-grid theme=${theme} locale="en" .contract=${contract}></kpi-grid>`);
      await expect(el).to.be.accessible();
    }
  });

  it('fires kpi-click for the card clicked, or the one whose button Enter or Space presses', async () => {
    const el = await ready(html`<kpi-grid locale="en" .contract=${contract}></kpi-grid>`);
    const heard: KpiClickDetail[] = [];
    el.addEventListener('kpi-click', (e) => heard.push(e.detail));
    (all(el, '[part=kpi]')[3] as HTMLElement).click();
    // Tab moves from card to card.
    (all(el, '[part=label]')[0] as HTMLElement).focus();
    await sendKeys({ press: 'Tab' });
    expect(el.shadowRoot!.activeElement).to.equal(all(el, '[part=label]')[1]);
    await sendKeys({ press: 'Enter' });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ press: 'Space' });
    const march2026 = { from: Date.UTC(2026, 2, 1), to: Date.UTC(2026, 3, 1) };
    expect(heard).to.deep.equal([
      { id: 'pipeline', value: 1_250_000, period: null },
      { id: 'win-rate', value: 2 / 3, period: march2026 },
      { id: 'cycle', value: 10, period: march2026 },
    ]);
  });

  it('fires funnelkit-render with no Vega view; empty when no KPI has data', async () => {
    const el = await fixture<KpiGrid>(html`<kpi-grid locale="en"></kpi-grid>`);
    setTimeout(() => (el.contract = contract as never));
    const { detail } = (await oneEvent(el, 'funnelkit-render')) as CustomEvent<FunnelKitRenderDetail>;
    const { timings, ...rest } = detail;
    expect(rest).to.deep.equal({ view: null, mode: 'embed', state: 'ready' });
    // The load's stages, computed on the page (a few rows): each took some time, none long.
    expect(Object.keys(timings!).sort()).to.deep.equal(['computeMs', 'dataMs', 'drawMs']);
    for (const ms of Object.values(timings!)) expect(ms).to.be.within(0, 5000);
    const nothing = { ...contract, kpi: { kpis: [contract.kpi.kpis[0], contract.kpi.kpis[2]].map((k) => ({ ...k, period: { from: '2025-01-01', to: '2025-01-31' } })) } };
    const empty = await settled<KpiGrid>(html`<kpi-grid locale="en" .contract=${nothing}></kpi-grid>`, 'empty');
    expect(empty.shadowRoot!.querySelector('[part=status]')!.textContent).to.equal('No data in this range');
    await expect(empty).to.be.accessible();
  });
});

function el(grid: KpiGrid): ShadowRoot {
  return grid.shadowRoot!;
}
