import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/kpi-card.js';
import type { KpiCard } from '../../src/kpi-card.js';

const rows = Array.from({ length: 20 }, (_, i) => ({ date: `2026-03-${String(i + 1).padStart(2, '0')}`, leads: (i + 1) * 10 }));
const contract = {
  version: 1,
  kind: 'kpi',
  title: 'Lead volume',
  data: { rows },
  fields: { time: 'date', value: 'leads' },
  kpi: { range: { from: '2026-03-11', to: '2026-03-20' }, target: 2000 },
};

describe('<kpi-card>', () => {
  it('shows the figure, change and target computed from rows', async () => {
    const el = await fixture<KpiCard>(html`<kpi-card locale="en" .contract=${contract}></kpi-card>`);
    await oneEvent(el, 'funnelkit-render');
    const root = el.shadowRoot!;
    expect(root.querySelector('[part=value]')!.textContent).to.equal('1,550');
    expect(root.querySelector('[part=change]')!.textContent).to.contain('+181.8%');
    expect(root.querySelector('[part=target]')!.textContent).to.contain('78%');
    expect(el.state).to.equal('ready');
  });
});
