import { expect, html } from '@open-wc/testing';
import '../../src/kpi-card.js';
import type { KpiCard } from '../../src/kpi-card.js';
import { rendered, settled as settledAt } from './support/widget.js';

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

const ready = (template: ReturnType<typeof html>) => rendered<KpiCard>(template);
const settled = (template: ReturnType<typeof html>, state: string) => settledAt<KpiCard>(template, state);
const part = (el: KpiCard, name: string) => el.shadowRoot!.querySelector(`[part=${name}]`)!;

describe('<kpi-card>', () => {
  it('shows the figure, change and target computed from rows', async () => {
    const el = await ready(html`<kpi-card locale="en" .contract=${contract}></kpi-card>`);
    // 11–20 March: 110 + … + 200 = 1,550; 1–10 March: 550, so +181.8%; 1,550 / 2,000 = 77.5%.
    expect(part(el, 'value').textContent).to.equal('1,550');
    expect(part(el, 'change').textContent).to.contain('+181.8%');
    expect(part(el, 'target').textContent).to.contain('78%');
    expect(el.state).to.equal('ready');
    await expect(el).to.be.accessible();
  });

  it('colours a good change and a bad one, readable in the light and dark themes', async () => {
    for (const theme of ['light', 'dark']) {
      const good = await ready(html`<kpi-card theme=${theme} locale="en" .contract=${contract}></kpi-card>`);
      expect(part(good, 'change').getAttribute('data-good')).to.equal('true');
      expect(part(good, 'change').textContent).to.equal('▲ +181.8%');
      await expect(good).to.be.accessible();

      const bad = await ready(html`<kpi-card theme=${theme} locale="en" .contract=${lowerIsBetter}></kpi-card>`);
      expect(part(bad, 'change').getAttribute('data-good')).to.equal('false');
      expect(part(bad, 'change').textContent).to.equal('▲ +181.8%');
      await expect(bad).to.be.accessible();
      // The two badges are told apart by colour as well as by the attribute.
      expect(getComputedStyle(part(good, 'change')).color).not.to.equal(getComputedStyle(part(bad, 'change')).color);
    }
  });

  it('names the target bar and gives its value in words', async () => {
    const el = await ready(html`<kpi-card locale="en" .contract=${contract}></kpi-card>`);
    const bar = el.shadowRoot!.querySelector('[role=progressbar]')!;
    expect(bar.getAttribute('aria-label')).to.equal('Target');
    expect(bar.getAttribute('aria-valuenow')).to.equal('78');
    expect(bar.getAttribute('aria-valuetext')).to.equal('78% of target (2,000)');
    expect((bar.firstElementChild as HTMLElement).style.width).to.equal('77.5%');

    // Lower is better: 2,000 / 1,550 = 129% of target; the bar stops full.
    const over = await ready(html`<kpi-card locale="zh-CN" .contract=${lowerIsBetter}></kpi-card>`);
    const full = over.shadowRoot!.querySelector('[role=progressbar]')!;
    expect(full.getAttribute('aria-label')).to.equal('目标');
    expect(full.getAttribute('aria-valuenow')).to.equal('100');
    expect(full.getAttribute('aria-valuetext')).to.equal('129% 目标完成 (2,000)');
    await expect(over).to.be.accessible();
  });

  it('says there is no data in an empty range, accessibly', async () => {
    const empty = { ...contract, kpi: { range: { from: '2027-01-01', to: '2027-01-10' } } };
    const el = await settled(html`<kpi-card locale="en" .contract=${empty}></kpi-card>`, 'empty');
    expect(part(el, 'status').textContent!.trim()).to.equal('No data in this range');
    expect(el.shadowRoot!.querySelector('[part=value]')).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('reports a field missing from the rows, accessibly', async () => {
    const bad = { ...contract, fields: { time: 'date', value: 'revenue' } };
    const el = await settled(html`<kpi-card locale="en" .contract=${bad}></kpi-card>`, 'error');
    const status = part(el, 'status');
    expect(status.getAttribute('role')).to.equal('alert');
    expect(status.textContent).to.contain('/fields/value');
    await expect(el).to.be.accessible();
  });
});
