// `funnelkit/classes` gives the widget classes without defining any tag (this file's page loads
// nothing else), so a host registers them under its own names.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { AnomalyChart, CohortChart, FunnelChart, KpiCard, KpiGrid } from '../../src/classes.js';

describe('funnelkit/classes', () => {
  it('defines no tag', () => {
    for (const tag of ['funnel-chart', 'cohort-chart', 'anomaly-chart', 'kpi-card', 'kpi-grid']) expect(customElements.get(tag), tag).to.equal(undefined);
    expect([FunnelChart, CohortChart, AnomalyChart, KpiCard, KpiGrid].every((c) => typeof c === 'function')).to.equal(true);
  });

  it('a class registered under another name renders', async () => {
    customElements.define('acme-kpi', KpiCard);
    const contract = {
      version: 1,
      kind: 'kpi',
      title: 'Lead volume',
      data: { rows: [{ d: '2026-03-01', n: 120 }, { d: '2026-03-02', n: 134 }] },
      fields: { time: 'd', value: 'n' },
      kpi: { range: { from: '2026-03-01', to: '2026-03-02' } },
    };
    const el = await fixture<KpiCard>(html`<acme-kpi locale="en" .contract=${contract}></acme-kpi>`);
    await waitUntil(() => el.state === 'ready');
    expect(el.shadowRoot!.querySelector('[part=value]')!.textContent).to.equal('254');
    expect(customElements.get('kpi-card')).to.equal(undefined);
  });
});
