import { expect, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/kpi-card.js';
import type { KpiCard, KpiClickDetail } from '../../src/kpi-card.js';
import type { FunnelKitRenderDetail } from '../../src/index.js';
import { all, rendered, settled as settledAt, tableRows } from './support/widget.js';

const rows = Array.from({ length: 20 }, (_, i) => ({ date: `2026-03-${String(i + 1).padStart(2, '0')}`, leads: (i + 1) * 10 }));
const contract = {
  version: 1,
  kind: 'kpi',
  title: 'Lead volume',
  data: { rows },
  fields: { time: 'date', value: 'leads' },
  kpi: { range: { from: '2026-03-11', to: '2026-03-20' }, target: 2000 },
};
/** The same figures where lower is better: the rise is bad news. */
const lowerIsBetter = { ...contract, kpi: { ...contract.kpi, better: 'down' } };

/** Pre-aggregated KPIs, one contract: each card shows the one its `kpi` attribute names. */
const given = {
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
        series: [{ t: '2026-03-01', value: 0.2 }, { t: '2026-03-02', value: null }, { t: '2026-03-03', value: 0.22 }, { t: '2026-03-04', value: 0.234 }],
      },
      { id: 'logos', label: 'New logos', value: 12, previous: 0 },
      { id: 'arr', label: 'ARR', value: 1200, format: { style: 'currency', currency: 'USD' } },
      { id: 'cycle', label: 'Sales cycle', value: 42, previous: 40, direction: 'lower-is-better', format: { style: 'duration' } },
      { id: 'ratio', label: 'Win rate (no deals closed)', value: null },
    ],
  },
};
/** A ratio whose denominator is empty in the period: no value, and the card says why. */
const emptyDenominator = {
  version: 1,
  kind: 'kpi',
  data: { rows: [{ id: 'a', e: 'lead', t: '2026-03-02' }, { id: 'a', e: 'won', t: '2026-02-02' }] },
  fields: { entity: 'id', event: 'e', time: 't' },
  kpi: {
    kpis: [
      {
        id: 'win',
        label: 'Win rate',
        measure: { op: 'ratio', numerator: { op: 'count', filter: { event: 'won' } }, denominator: { op: 'count', filter: { event: ['won', 'lost'] } } },
        period: { from: '2026-03-01', to: '2026-03-10' },
      },
      { id: 'leads', label: 'Leads', measure: { op: 'count', filter: { event: 'lead' } }, period: { from: '2026-03-01', to: '2026-03-10' } },
    ],
  },
};

const ready = (template: ReturnType<typeof html>) => rendered<KpiCard>(template);
const settled = (template: ReturnType<typeof html>, state: string) => settledAt<KpiCard>(template, state);
const part = (el: KpiCard, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part=${name}]`)!;
const card = (el: KpiCard) => part(el, 'kpi');
/** The card's button: its name is the card in one sentence. */
const name = (el: KpiCard) => part(el, 'title').getAttribute('aria-label');

describe('<kpi-card>', () => {
  it('shows the figure, change, comparison and target computed from rows', async () => {
    const el = await ready(html`<kpi-card locale="en" .contract=${contract}></kpi-card>`);
    // 11–20 March: 110 + … + 200 = 1,550; 1–10 March: 550, so +181.8%; 1,550 / 2,000 = 77.5%.
    expect(part(el, 'title').textContent).to.equal('Lead volume');
    expect(part(el, 'value').textContent).to.equal('1,550');
    expect(part(el, 'change').textContent).to.equal('▲ +181.8%');
    expect(part(el, 'change').dataset.class).to.equal('strong-increase');
    expect(part(el, 'comparison').textContent).to.equal('vs previous 10 days: 550');
    expect(part(el, 'target').textContent).to.contain('78% of target (2,000)');
    expect(el.state).to.equal('ready');
    await expect(el).to.be.accessible();
  });

  it('fires funnelkit-render with no Vega view, and has none', async () => {
    const el = document.createElement('kpi-card') as KpiCard;
    el.locale = 'en';
    el.contract = contract as never;
    const event = oneEvent(el, 'funnelkit-render');
    document.body.append(el);
    try {
      const { detail } = (await event) as CustomEvent<FunnelKitRenderDetail>;
      const { timings, ...rest } = detail;
      expect(rest).to.deep.equal({ view: null, mode: 'embed', state: 'ready' });
      // The load's stages, computed on the page (a few rows): each took some time, none long.
      expect(Object.keys(timings!).sort()).to.deep.equal(['computeMs', 'dataMs', 'drawMs']);
      for (const ms of Object.values(timings!)) expect(ms).to.be.within(0, 5000);
      expect(el.vegaView).to.equal(null);
    } finally {
      el.remove();
    }
  });

  it('draws its own sparkline: one path per run of values, the area under it, hidden from screen readers', async () => {
    const el = await ready(html`<kpi-card locale="en" style="width: 300px" .contract=${contract}></kpi-card>`);
    const svg = el.shadowRoot!.querySelector('[part=chart] svg')!;
    expect(svg.getAttribute('aria-hidden')).to.equal('true');
    // Ten days rising evenly: the first at the bottom left, the last at the top right.
    const d = svg.querySelector('.spark-line')!.getAttribute('d')!;
    expect(d.startsWith('M0,37L11.11,')).to.equal(true);
    expect(d.endsWith('L100,3')).to.equal(true);
    expect(svg.querySelector('.spark-area')!.getAttribute('d')).to.match(/^M0,40L0,37L.*L100,40Z$/);
    // Sized to the card: as wide as its content box.
    expect(svg.getBoundingClientRect().width).to.be.closeTo(card(el).getBoundingClientRect().width - 32, 1);
    expect(getComputedStyle(svg.querySelector('.spark-line')!).stroke).to.equal('rgb(62, 99, 221)');
    // Its figures are in the visually hidden table.
    expect(tableRows(el)[0]).to.deep.equal(['2026-03-11', '110']);
    expect(tableRows(el).length).to.equal(10);
  });

  it('leaves a gap in the sparkline for a missing period', async () => {
    const el = await ready(html`<kpi-card locale="en" kpi="win" .contract=${given}></kpi-card>`);
    const d = el.shadowRoot!.querySelector('.spark-line')!.getAttribute('d')!;
    // 0.20 | gap | 0.22, 0.234: a dot, then a segment.
    expect(d).to.equal('M0,37h0M66.67,17L100,3');
    expect(el.shadowRoot!.querySelector('.spark-area')!.getAttribute('d')).to.equal('M66.67,40L66.67,17L100,3L100,40Z');
  });

  it('colours a good change and a bad one, readable in the light and dark themes', async () => {
    for (const theme of ['light', 'dark']) {
      const good = await ready(html`<kpi-card theme=${theme} locale="en" .contract=${contract}></kpi-card>`);
      expect(part(good, 'change').dataset.tone).to.equal('good');
      await expect(good).to.be.accessible();

      const bad = await ready(html`<kpi-card theme=${theme} locale="en" .contract=${lowerIsBetter}></kpi-card>`);
      expect(part(bad, 'change').dataset.tone).to.equal('bad');
      // Direction colours the change; the arrow still says which way it went.
      expect(part(bad, 'change').textContent).to.equal('▲ +181.8%');
      await expect(bad).to.be.accessible();
      expect(getComputedStyle(part(good, 'change')).color).not.to.equal(getComputedStyle(part(bad, 'change')).color);

      const neutral = await ready(html`<kpi-card theme=${theme} locale="en" kpi="arr" .contract=${given}></kpi-card>`);
      expect(getComputedStyle(part(neutral, 'change')).color).not.to.equal(getComputedStyle(part(good, 'change')).color);
      await expect(neutral).to.be.accessible();
    }
  });

  it('names the target bar and gives its value in words', async () => {
    const el = await ready(html`<kpi-card locale="en" .contract=${contract}></kpi-card>`);
    const bar = el.shadowRoot!.querySelector('[role=progressbar]')!;
    expect(bar.getAttribute('aria-label')).to.equal('Target');
    expect(bar.getAttribute('aria-valuenow')).to.equal('78');
    expect(bar.getAttribute('aria-valuetext')).to.equal('78% of target (2,000)');
    expect((bar.firstElementChild as HTMLElement).style.width).to.equal('77.5%');

    const zh = await ready(html`<kpi-card locale="zh-CN" .contract=${lowerIsBetter}></kpi-card>`);
    const named = zh.shadowRoot!.querySelector('[role=progressbar]')!;
    expect(named.getAttribute('aria-label')).to.equal('目标');
    expect(named.getAttribute('aria-valuetext')).to.equal('完成目标的 78%（目标 2,000）');
    expect(part(zh, 'comparison').textContent).to.equal('较上期：550');
    await expect(zh).to.be.accessible();
  });

  it('is one sentence to a screen reader, in English and Chinese', async () => {
    const en = await ready(html`<kpi-card locale="en" .contract=${contract}></kpi-card>`);
    expect(part(en, 'title').localName).to.equal('button');
    expect(name(en)).to.equal('Lead volume 1,550, up 181.8% on the previous 10 days, 78% of target');
    const win = await ready(html`<kpi-card locale="en" kpi="win" .contract=${given}></kpi-card>`);
    expect(name(win)).to.equal('Win rate 23.4%, up 2.1 points on the previous period, 94% of target, status warning');
    const zh = await ready(html`<kpi-card locale="zh-CN" kpi="win" .contract=${given}></kpi-card>`);
    expect(name(zh)).to.equal('Win rate 23.4%，较上期上升 2.1 个百分点，完成目标的 94%，状态：警告');
    const cycle = await ready(html`<kpi-card locale="zh-CN" kpi="cycle" .contract=${given}></kpi-card>`);
    expect(name(cycle)).to.equal('Sales cycle 42天，较上期上升 5%');
    await expect(zh).to.be.accessible();
  });

  it('shows percentage points for a rate, the status in its colour, and the status word', async () => {
    const el = await ready(html`<kpi-card locale="en" kpi="win" .contract=${given}></kpi-card>`);
    expect(part(el, 'value').textContent).to.equal('23.4%');
    expect(part(el, 'change').textContent).to.equal('▲ +2.1 pp');
    expect(part(el, 'comparison').textContent).to.equal('vs previous period: 21.3%');
    const dot = part(el, 'status-dot');
    expect(dot.title).to.equal('Warning');
    expect(card(el).dataset.status).to.equal('warning');
    // yellow: the theme's warning token.
    expect(getComputedStyle(dot).backgroundColor).to.equal('rgb(183, 121, 31)');
  });

  it('says "no comparison" rather than 0% or Infinity, and the difference when the previous figure is 0', async () => {
    const none = await ready(html`<kpi-card locale="en" kpi="arr" .contract=${given}></kpi-card>`);
    expect(part(none, 'change').textContent).to.equal('No comparison');
    expect(part(none, 'change').dataset.tone).to.equal('none');
    expect(none.shadowRoot!.querySelector('[part=comparison]')).to.equal(null);
    expect(name(none)).to.equal('ARR $1,200, no comparison');
    const fromZero = await ready(html`<kpi-card locale="en" kpi="logos" .contract=${given}></kpi-card>`);
    expect(part(fromZero, 'change').textContent).to.equal('▲ +12');
    expect(part(fromZero, 'comparison').textContent).to.equal('vs previous period: 0');
  });

  it('shows "—" with the reason when a ratio has nothing to divide by', async () => {
    const el = await ready(html`<kpi-card locale="en" kpi="win" .contract=${emptyDenominator}></kpi-card>`);
    expect(part(el, 'value').textContent).to.equal('—');
    expect(part(el, 'value').title).to.equal('Nothing to divide by in this period (the denominator is 0)');
    expect(name(el)).to.match(/^Win rate: nothing to divide by in this period \(the denominator is 0\), /);
    await expect(el).to.be.accessible();
  });

  it('fires kpi-click on a click anywhere on the card, and on Enter and Space, with the id, value and period', async () => {
    const el = await ready(html`<kpi-card locale="en" .contract=${contract}></kpi-card>`);
    const heard: KpiClickDetail[] = [];
    const listen = (e: CustomEvent<KpiClickDetail>) => heard.push(e.detail);
    document.body.addEventListener('kpi-click', listen);
    try {
      part(el, 'value').click();
      // Tab reaches the card's button; the keys press it.
      part(el, 'title').focus();
      expect(el.shadowRoot!.activeElement).to.equal(part(el, 'title'));
      await sendKeys({ press: 'Enter' });
      await sendKeys({ press: 'Space' });
    } finally {
      document.body.removeEventListener('kpi-click', listen);
    }
    const period = { from: Date.UTC(2026, 2, 11), to: Date.UTC(2026, 2, 21) };
    expect(heard).to.deep.equal([0, 1, 2].map(() => ({ id: 'kpi', value: 1550, period })));
    // The focus ring goes round the whole card.
    expect(getComputedStyle(card(el)).outlineStyle).to.equal('solid');
  });

  it('shows the KPI its kpi attribute names, and says which ids there are when it names none', async () => {
    const el = await ready(html`<kpi-card locale="en" kpi="cycle" .contract=${given}></kpi-card>`);
    expect(part(el, 'value').textContent).to.equal('42 days');
    expect(part(el, 'change').dataset.tone).to.equal('bad');
    el.kpi = 'logos';
    await oneEvent(el, 'funnelkit-render');
    expect(part(el, 'value').textContent).to.equal('12');

    const unnamed = await settled(html`<kpi-card locale="en" .contract=${given}></kpi-card>`, 'error');
    expect(part(unnamed, 'status').textContent).to.contain('5 KPIs ("win", "logos", "arr", "cycle", "ratio"): set the kpi attribute of <kpi-card> to the id of one');
    const wrong = await settled(html`<kpi-card locale="en" kpi="nope" .contract=${given}></kpi-card>`, 'error');
    expect(part(wrong, 'status').querySelector('code')!.textContent).to.equal('/kpi/kpis');
    await expect(wrong).to.be.accessible();
  });

  it('says there is no data in an empty range, accessibly', async () => {
    const empty = { ...contract, kpi: { range: { from: '2027-01-01', to: '2027-01-10' } } };
    const el = await settled(html`<kpi-card locale="en" .contract=${empty}></kpi-card>`, 'empty');
    expect(part(el, 'status').textContent!.trim()).to.equal('No data in this range');
    expect(el.shadowRoot!.querySelector('[part=value]')).to.equal(null);
    await expect(el).to.be.accessible();
    // A given KPI without a value is empty too.
    const none = await settled(html`<kpi-card locale="en" kpi="ratio" .contract=${given}></kpi-card>`, 'empty');
    expect(all(none, '[part=kpi]').length).to.equal(0);
  });

  it('reports a field missing from the rows, accessibly', async () => {
    const bad = { ...contract, fields: { time: 'date', value: 'revenue' } };
    const el = await settled(html`<kpi-card locale="en" .contract=${bad}></kpi-card>`, 'error');
    const status = part(el, 'status');
    expect(status.getAttribute('role')).to.equal('alert');
    expect(status.textContent).to.contain('/fields/value');
    await expect(el).to.be.accessible();
  });

  it('a long figure shrinks with the card and keeps clear of its edge (CN¥176.5K at 170 px)', async () => {
    const cny = { ...given, kpi: { kpis: [{ id: 'rev', label: '收入', value: 176_543, previous: 150_000, format: { style: 'currency', currency: 'CNY' } }] } };
    for (const width of [170, 200, 240, 320]) {
      const el = await ready(html`<kpi-card locale="en" style=${`width: ${width}px`} kpi="rev" .contract=${cny}></kpi-card>`);
      const value = part(el, 'value');
      expect(value.textContent).to.equal('CN¥176.5K');
      const inner = card(el).getBoundingClientRect();
      const padding = parseFloat(getComputedStyle(card(el)).paddingRight);
      // At least 12 px of air between the figure and the card's padding edge.
      expect(inner.right - padding - value.getBoundingClientRect().right, `${width} px`).to.be.at.least(12);
      expect(parseFloat(getComputedStyle(value).fontSize)).to.be.at.most(30);
    }
  });

});
