import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type AxeCore from 'axe-core';
import '../../src/funnel-chart.js';
import type { FunnelChart, FunnelStepClickDetail } from '../../src/funnel-chart.js';

type Row = { id: string; e: string; t: string; region?: string };

// Four deals: a and b win, c stops at POC, d stays a lead. a, b and c are East, d is West.
const deals: Row[] = [
  { id: 'a', e: 'lead', t: '2026-01-01T00:00:00Z', region: 'East' },
  { id: 'a', e: 'poc', t: '2026-01-02T00:00:00Z', region: 'East' },
  { id: 'a', e: 'won', t: '2026-01-03T00:00:00Z', region: 'East' },
  { id: 'b', e: 'lead', t: '2026-01-01T12:00:00Z', region: 'East' },
  { id: 'b', e: 'poc', t: '2026-01-03T12:00:00Z', region: 'East' },
  { id: 'b', e: 'won', t: '2026-01-06T12:00:00Z', region: 'East' },
  { id: 'c', e: 'lead', t: '2026-01-02T00:00:00Z', region: 'East' },
  { id: 'c', e: 'poc', t: '2026-01-04T00:00:00Z', region: 'East' },
  { id: 'd', e: 'lead', t: '2026-01-08T00:00:00Z', region: 'West' },
];

const contract = (funnel: Record<string, unknown> = {}, rows: Row[] = deals) => ({
  version: 1,
  kind: 'funnel',
  title: 'Deals',
  data: { rows },
  fields: { entity: 'id', time: 't', event: 'e' },
  funnel: { steps: [{ event: 'lead', label: 'Lead' }, { event: 'poc', label: 'POC' }, { event: 'won', label: 'Won' }], window: '30d', ...funnel },
});

const render = async (template: ReturnType<typeof html>) => {
  const el = await fixture<FunnelChart>(template);
  await oneEvent(el, 'funnelkit-render');
  await waitUntil(() => el.shadowRoot!.querySelector('[part=step-label]') || el.view !== 'steps', 'no step labels', { timeout: 5000 });
  return el;
};
const all = (el: Element, selector: string) => [...el.shadowRoot!.querySelectorAll(selector)];
const labels = (el: Element) => all(el, '[part=step-label]') as HTMLButtonElement[];
const tableRows = (el: Element) => all(el, '.visually-hidden tbody tr').map((r) => [...r.children].map((c) => c.textContent));
/** A step's name as seen: the label's name without the words kept for screen readers. */
function seen(label: Element): string {
  const name = label.querySelector('.name')!.cloneNode(true) as Element;
  name.querySelectorAll('.visually-hidden').forEach((n) => n.remove());
  return name.textContent!.trim();
}

/**
 * The accessible names of the step labels, by axe-core's implementation of accname. The hidden
 * separators are boxes of their own, so a space before them is dropped here.
 */
async function stepNames(el: FunnelChart): Promise<string[]> {
  const scope = window as unknown as { axe?: typeof AxeCore };
  // @ts-ignore: the browser build registers window.axe (as chai-a11y-axe loads it)
  if (!scope.axe) await import('axe-core/axe.min.js');
  const axe = scope.axe!;
  axe.setup(el);
  try {
    return labels(el).map((b) => axe.commons.text.accessibleText(b).replace(/\s+,/g, ','));
  } finally {
    axe.teardown();
  }
}

const LIGHT = { accent: '#3e63dd', ghost: '#c9d3f5', alert: '#c5221f' };

/** A computed CSS colour (`rgb(…)` or `color(srgb …)`) as [r, g, b, alpha], each 0–1. */
function rgba(css: string): number[] {
  const n = css.match(/[\d.]+/g)!.map(Number);
  const [r, g, b, a = 1] = css.startsWith('color(') ? n : [n[0] / 255, n[1] / 255, n[2] / 255, n[3]];
  return [r, g, b, a];
}
/** WCAG contrast of an element's text on its own background laid over the card's. */
function textContrast(node: Element, card: Element): number {
  const under = rgba(getComputedStyle(card).backgroundColor);
  const [br, bg, bb, ba] = rgba(getComputedStyle(node).backgroundColor);
  const back = [br, bg, bb].map((c, i) => c * ba + under[i] * (1 - ba));
  const luminance = (c: number[]) =>
    [0.2126, 0.7152, 0.0722].reduce((sum, w, i) => sum + w * (c[i] <= 0.03928 ? c[i] / 12.92 : ((c[i] + 0.055) / 1.055) ** 2.4), 0);
  const [a, b] = [luminance(rgba(getComputedStyle(node).color)), luminance(back)];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}

/** Fill of every drawn bar (ghost and solid layers), by the step it stands for. */
function barFills(el: FunnelChart): Map<number, string[]> {
  const fills = new Map<number, string[]>();
  const visit = (node: SceneNode & { mark?: { marktype?: string }; _svg?: Element }) => {
    const datum = node.datum as { index?: number } | undefined;
    if (node.mark?.marktype === 'rect' && typeof datum?.index === 'number' && node._svg) {
      fills.set(datum.index, [...(fills.get(datum.index) ?? []), node._svg.getAttribute('fill') ?? '']);
    }
    for (const child of node.items ?? []) visit(child);
  };
  visit((el.vegaView!.scenegraph() as unknown as { root: SceneNode }).root);
  return fills;
}

describe('<funnel-chart>', () => {
  it('draws one bar per step and the accessible table with the computed figures', async () => {
    const el = await render(html`<funnel-chart locale="en" style="width: 640px" .contract=${contract()}></funnel-chart>`);
    expect(tableRows(el)).to.deep.equal([
      ['Lead', '4', '100%', '100%'],
      ['POC', '3', '75%', '75%'],
      ['Won', '2', '50%', '66.7%'],
    ]);
    // A ghost and a solid bar per step.
    const bars = all(el, '[part=chart] .mark-rect.role-mark path');
    expect(bars.length).to.equal(6);
    expect(labels(el).map(seen)).to.deep.equal(['1. Lead', '2. POC', '3. Won']);
    // Headline: 2 of 4 won; lead → won took 2 and 5 days.
    const summary = el.shadowRoot!.querySelector('[part=summary]')!.textContent!.replace(/\s+/g, ' ').trim();
    expect(summary).to.equal('50% converted from first to last step 4 → 2 median time to convert 3.5 days');
    await expect(el).to.be.accessible();
  });

  it('draws the worst drop-off bar in the alert colour, and only that one', async () => {
    const el = await render(html`<funnel-chart theme="light" locale="en" style="width: 640px" .contract=${contract()}></funnel-chart>`);
    // Lead → POC loses 1 of 4 (25%), POC → Won 1 of 3 (33.3%): Won is the break point.
    const fills = barFills(el);
    expect([...fills.keys()].sort()).to.deep.equal([0, 1, 2]);
    expect(fills.get(2)).to.include(LIGHT.alert);
    expect(fills.get(0)).not.to.include(LIGHT.alert);
    expect(fills.get(1)).not.to.include(LIGHT.alert);
    // The other solid bars keep the accent colour; the ghosts theirs.
    expect(fills.get(0)).to.have.members([LIGHT.ghost, LIGHT.accent]);
    expect(fills.get(1)).to.have.members([LIGHT.ghost, LIGHT.accent]);
    expect(fills.get(2)).to.have.members([LIGHT.ghost, LIGHT.alert]);
    const alertPaths = all(el, '[part=chart] .mark-rect.role-mark path').filter((p) => p.getAttribute('fill') === LIGHT.alert);
    expect(alertPaths).to.have.length(1);
  });

  it('lays the step labels under their bars, inside the chart', async () => {
    const el = await render(html`<funnel-chart locale="en" style="width: 640px" .contract=${contract()}></funnel-chart>`);
    const chart = el.shadowRoot!.querySelector('[part=chart]')!.getBoundingClientRect();
    const domain = el.shadowRoot!.querySelector('.role-axis-domain')!.getBoundingClientRect();
    for (const label of labels(el)) {
      const box = label.getBoundingClientRect();
      expect(box.top).to.be.at.least(domain.bottom - 1);
      expect(box.bottom).to.be.at.most(chart.bottom + 1);
    }
    const lefts = labels(el).map((b) => b.getBoundingClientRect().left);
    expect(lefts[0]).to.be.below(lefts[1]);
    expect(lefts[1]).to.be.below(lefts[2]);
  });

  it('fires funnel-step-click with rates and entity ids when a step label is clicked', async () => {
    const el = await render(html`<funnel-chart locale="en" .contract=${contract()}></funnel-chart>`);
    setTimeout(() => labels(el)[2].click());
    const { detail } = (await oneEvent(el, 'funnel-step-click')) as CustomEvent<FunnelStepClickDetail>;
    expect(detail).to.deep.include({ index: 2, name: 'Won', group: null, count: 2, conversionFromFirst: 0.5, dropOff: 1 });
    expect(detail.conversionFromPrevious).to.be.closeTo(2 / 3, 1e-9);
    expect(detail.convertedIds).to.deep.equal(['a', 'b']);
    expect(detail.droppedIds).to.deep.equal(['c']);
  });

  it('steps are reachable by keyboard: one tab stop, arrows move, Enter fires the click', async () => {
    const el = await render(html`<funnel-chart locale="en" .contract=${contract()}></funnel-chart>`);
    expect(labels(el).map((b) => b.tabIndex)).to.deep.equal([0, -1, -1]);
    labels(el)[0].focus();
    await sendKeys({ press: 'ArrowRight' });
    await waitUntil(() => el.shadowRoot!.activeElement === labels(el)[1], 'focus did not move');
    expect(labels(el).map((b) => b.tabIndex)).to.deep.equal([-1, 0, -1]);
    setTimeout(() => void sendKeys({ press: 'Enter' }));
    const { detail } = (await oneEvent(el, 'funnel-step-click')) as CustomEvent<FunnelStepClickDetail>;
    expect(detail.index).to.equal(1);
    expect(detail.droppedIds).to.deep.equal(['d']);
    await sendKeys({ press: 'End' });
    await waitUntil(() => el.shadowRoot!.activeElement === labels(el)[2], 'End did not reach the last step');
    // The label names the step and its figures for screen readers.
    expect(await stepNames(el)).to.deep.equal([
      '1. Lead, Entities 4, Conversion from first step 100%',
      '2. POC, Entities 3, Conversion from first step 75%, Dropped off 1 (25%)',
      '3. Won, largest drop-off, Entities 2, Conversion from first step 50%, Dropped off 1 (33.3%)',
    ]);
    // The break point is said in words on screen too, not by the red bar alone.
    expect(labels(el).map((b) => b.querySelector('[part=drop-badge]')?.textContent?.trim() ?? null)).to.deep.equal([null, null, '▼ largest drop-off']);
  });

  it('a click on a breakdown bar names its group', async () => {
    const el = await render(html`<funnel-chart locale="en" .contract=${contract({ breakdown: { field: 'region' } })}></funnel-chart>`);
    expect(all(el, '[part=chart] .role-legend-label text').map((t) => t.textContent)).to.deep.equal(['East', 'West']);
    // Grouped bars keep their group colours; the label marks the break point (POC → won, 33%).
    expect(labels(el).map((b) => Boolean(b.querySelector('[part=drop-badge]')))).to.deep.equal([false, false, true]);
    expect(labels(el)[2].querySelector('[part=drop-badge]')!.textContent!.trim()).to.equal('▼ largest drop-off');
    // Its accessible name starts with what is seen (WCAG 2.5.3: label in name).
    expect((await stepNames(el))[2]).to.equal('3. Won, largest drop-off, Entities 2, Conversion from first step 50%, Dropped off 1 (33.3%)');
    await expect(el).to.be.accessible();
    // Simulate Vega's click on the West bar of step 0.
    const view = el.vegaView!;
    const west = (view.scenegraph() as unknown as { root: SceneNode }).root;
    const item = findItem(west, (d) => d?.value === 'West' && d.index === 0 && d.count === 1);
    expect(item, 'the West bar').to.exist;
    const path = (item as unknown as { _svg: SVGElement })._svg;
    setTimeout(() => path.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true })));
    const { detail } = (await oneEvent(el, 'funnel-step-click')) as CustomEvent<FunnelStepClickDetail>;
    expect(detail).to.deep.include({ index: 0, group: 'West', count: 1 });
    expect(detail.convertedIds).to.deep.equal(['d']);
  });

  it('breakdown bars are reachable by keyboard, each over its drawn bar, with a visible focus ring', async () => {
    const el = await render(html`<funnel-chart locale="en" style="width: 640px" .contract=${contract({ breakdown: { field: 'region' } })}></funnel-chart>`);
    const bars = () => all(el, '[part=bar]') as HTMLButtonElement[];
    // 3 steps × East, West; one tab stop.
    expect(bars().map((b) => b.tabIndex)).to.deep.equal([0, -1, -1, -1, -1, -1]);
    // Each button sits over the bar Vega drew for it (West at step 0: one entity).
    const west = findItem((el.vegaView!.scenegraph() as unknown as { root: SceneNode }).root, (d) => d?.value === 'West' && d.index === 0 && d.count === 1);
    const drawn = (west as unknown as { _svg: SVGElement })._svg.getBoundingClientRect();
    const button = bars()[1].getBoundingClientRect();
    expect(Math.abs(button.left - drawn.left)).to.be.below(1.5);
    expect(Math.abs(button.width - drawn.width)).to.be.below(1.5);
    expect(Math.abs(button.bottom - drawn.bottom)).to.be.below(1.5);
    expect(Math.abs(button.top - drawn.top)).to.be.below(1.5);
    bars()[0].focus();
    await sendKeys({ press: 'ArrowRight' });
    await waitUntil(() => el.shadowRoot!.activeElement === bars()[1], 'focus did not move to the next bar');
    expect(getComputedStyle(bars()[1]).outlineStyle).to.equal('solid');
    expect(bars()[1].textContent!.trim()).to.equal('West, Lead, Entities 1, Conversion from first step 100%');
    setTimeout(() => void sendKeys({ press: 'Enter' }));
    const { detail } = (await oneEvent(el, 'funnel-step-click')) as CustomEvent<FunnelStepClickDetail>;
    expect(detail).to.deep.include({ index: 0, group: 'West', count: 1 });
    await sendKeys({ press: 'End' });
    await waitUntil(() => el.shadowRoot!.activeElement === bars()[5], 'End did not reach the last bar');
    await expect(el).to.be.accessible();
  });

  it('a contract whose only change is its data updates the drawn view in place, axis included', async () => {
    const el = await render(html`<funnel-chart locale="en" .contract=${contract()}></funnel-chart>`);
    const view = el.vegaView!;
    const top = () => Math.max(...(view.scale('y') as unknown as { domain(): number[] }).domain());
    expect(top()).to.be.within(4, 5);
    // Three times the deals (new ids): counts 12 / 9 / 6.
    const more = [0, 1, 2].flatMap((k) => deals.map((d) => ({ ...d, id: `${d.id}${k}` })));
    el.contract = contract({}, more) as never;
    const { detail } = (await oneEvent(el, 'funnelkit-render')) as CustomEvent<{ mode: string }>;
    expect(detail.mode).to.equal('update');
    expect(el.vegaView).to.equal(view);
    expect(tableRows(el).map((r) => r[1])).to.deep.equal(['12', '9', '6']);
    expect(top()).to.be.within(12, 15);
  });

  it('shows stuck badges where a dwell limit is set', async () => {
    const steps = [{ event: 'lead' }, { event: 'poc', label: 'POC', maxDwell: '3d' }, { event: 'won' }];
    const el = await render(html`<funnel-chart locale="en" .contract=${contract({ steps, asOf: '2026-01-10' })}></funnel-chart>`);
    const badge = el.shadowRoot!.querySelector('[part=stuck-badge]')!;
    expect(badge.textContent!.trim()).to.equal('⚠ 1 stuck');
    expect(labels(el)[1].title).to.contain('1 stuck: at this step longer than 3 days');
    expect((await stepNames(el))[1]).to.equal('2. POC, 1 stuck, Entities 3, Conversion from first step 75%, Dropped off 1 (25%)');
    await expect(el).to.be.accessible();
    setTimeout(() => labels(el)[1].click());
    const { detail } = (await oneEvent(el, 'funnel-step-click')) as CustomEvent<FunnelStepClickDetail>;
    expect(detail.stuckIds).to.deep.equal(['c']);
  });

  it('narrow labels show the step number and stuck count, and say the rest to screen readers', async () => {
    const steps = [{ event: 'lead', label: 'Lead' }, { event: 'poc', label: 'POC', maxDwell: '3d' }, { event: 'won', label: 'Won' }, { event: 'x' }, { event: 'y' }];
    for (const theme of ['light', 'dark']) {
      const el = await render(html`<funnel-chart theme=${theme} locale="en" style="width: 220px" .contract=${contract({ steps, asOf: '2026-01-10' })}></funnel-chart>`);
      expect(labels(el).every((b) => b.classList.contains('compact'))).to.equal(true);
      expect(labels(el).map(seen)).to.deep.equal(['1', '2', '3', '4', '5']);
      const badge = labels(el)[1].querySelector('[part=stuck-badge]')!;
      expect(badge.firstElementChild!.getAttribute('aria-hidden')).to.equal('true');
      // Over the chart axe cannot see the badge's background; checked here instead.
      expect(textContrast(badge, el.shadowRoot!.querySelector('[part=frame]')!), `${theme} stuck badge`).to.be.at.least(4.5);
      expect((await stepNames(el))[1]).to.equal('2. POC, 1 stuck, Entities 3, Conversion from first step 75%, Dropped off 1 (25%)');
      await expect(el).to.be.accessible();
    }
  });

  it('draws the previous period as dashed outlines with a delta', async () => {
    const rows: Row[] = [
      ...deals,
      { id: 'p', e: 'lead', t: '2025-12-28T00:00:00Z' },
      { id: 'p', e: 'poc', t: '2025-12-29T00:00:00Z' },
    ];
    const el = await render(html`<funnel-chart locale="en" .contract=${contract({ compare: 'previous-period', range: { from: '2026-01-01', to: '2026-01-08' } }, rows)}></funnel-chart>`);
    const dashed = all(el, '[part=chart] .mark-rect.role-mark path').filter((p) => p.getAttribute('stroke-dasharray'));
    expect(dashed.length).to.equal(3);
    const texts = all(el, '[part=chart] .mark-text text').map((t) => t.textContent);
    // 4 leads vs 1, 3 POCs vs 1, 2 wins vs 0.
    expect(texts).to.include.members(['+3 (+300%)', '+2 (+200%)', '+2']);
    expect(tableRows(el)[0]).to.deep.equal(['Lead', '4', '100%', '100%', '1']);
    await expect(el).to.be.accessible();
  });

  it('compares each breakdown group with the same group in the previous period', async () => {
    const rows: Row[] = [
      ...deals,
      { id: 'p', e: 'lead', t: '2025-12-28T00:00:00Z', region: 'East' },
      { id: 'p', e: 'poc', t: '2025-12-29T00:00:00Z', region: 'East' },
    ];
    const funnel = { compare: 'previous-period', range: { from: '2026-01-01', to: '2026-01-08' }, breakdown: { field: 'region' } };
    const el = await render(html`<funnel-chart locale="en" .contract=${contract(funnel, rows)}></funnel-chart>`);
    // East had 1 lead and 1 POC before; West had nobody, so it has nothing to compare with.
    expect(tableRows(el).map((r) => [r[0], r[1], r[2], r.at(-1)])).to.deep.equal([
      ['East', 'Lead', '3', '1'],
      ['East', 'POC', '3', '1'],
      ['East', 'Won', '2', '0'],
      ['West', 'Lead', '1', '–'],
      ['West', 'POC', '0', '–'],
      ['West', 'Won', '0', '–'],
    ]);
    const dashed = all(el, '[part=chart] .mark-rect.role-mark path').filter((p) => p.getAttribute('stroke-dasharray'));
    expect(dashed.length).to.equal(3);
  });

  it('names merged small groups in the locale', async () => {
    const el = await render(html`<funnel-chart locale="zh-CN" .contract=${contract({ breakdown: { field: 'region', limit: 1 } })}></funnel-chart>`);
    expect(all(el, '[part=chart] .role-legend-label text').map((t) => t.textContent)).to.deep.equal(['East', '其他']);
    expect(tableRows(el).map((r) => r[0])).to.include('其他');
    await expect(el).to.be.accessible();
  });

  it('time-to-convert view: histogram bins in the table and the median marked', async () => {
    const el = await render(html`<funnel-chart locale="en" view="time-to-convert" .contract=${contract()}></funnel-chart>`);
    // lead → won: a 2 days, b 5 days; 2-day bins from 2 days.
    expect(tableRows(el)).to.deep.equal([
      ['2 days – 4 days', '1'],
      ['4 days – 6 days', '1'],
    ]);
    const texts = all(el, '[part=chart] .mark-text text').map((t) => t.textContent);
    expect(texts).to.include.members(['Median 3.5 days', 'Mean 3.5 days']);
    // Ticks sit on the bin edges.
    const ticks = all(el, '[part=chart] .role-axis-label text').map((t) => t.textContent);
    expect(ticks).to.include.members(['2 days', '4 days', '6 days']);
    expect(labels(el)).to.have.length(0);
    await expect(el).to.be.accessible();
  });

  it('trends view: conversion by entry day, periods whose window is open dashed', async () => {
    const el = await render(html`<funnel-chart locale="en" view="trends" .contract=${contract({ window: '3d', trends: { interval: 'day' } })}></funnel-chart>`);
    expect(tableRows(el).map((r) => [r[0], r[3]])).to.deep.equal([
      ['2026-01-01', '50%'],
      ['2026-01-02', '0%'],
      ['2026-01-03', '–'],
      ['2026-01-04', '–'],
      ['2026-01-05 (incomplete)', '–'],
      ['2026-01-06 (incomplete)', '–'],
      ['2026-01-07 (incomplete)', '–'],
      ['2026-01-08 (incomplete)', '0%'],
    ]);
    const lines = all(el, '[part=chart] .mark-line path');
    expect(lines.length).to.equal(2);
    expect(lines.filter((p) => p.getAttribute('stroke-dasharray') === '5,4').length).to.equal(1);
    // Day ticks carry their month ("Jan 2", "Jan 1, 2026"), never d3's "Fri 02" or a bare "2026".
    const ticks = all(el, '[part=chart] .role-axis-label text').map((t) => t.textContent!);
    expect(ticks.length).to.be.greaterThan(2);
    expect(ticks.filter((t) => /^\d+%$/.test(t) === false).every((t) => /^Jan \d{1,2}(, 2026)?$/.test(t)), ticks.join(' | ')).to.equal(true);
    await expect(el).to.be.accessible();
  });

  it('a first draw whose dataflow fails releases its half-built view and reports the error', async () => {
    const { View } = await import('vega');
    const { runAsync, finalize } = View.prototype;
    let finalized = 0;
    View.prototype.runAsync = function () {
      return Promise.reject(new Error('the dataflow failed'));
    };
    View.prototype.finalize = function (this: InstanceType<typeof View>) {
      finalized++;
      return finalize.call(this);
    };
    const el = document.createElement('funnel-chart') as FunnelChart;
    try {
      el.locale = 'en';
      el.contract = contract() as never;
      const failed = oneEvent(el, 'funnelkit-error');
      document.body.append(el);
      const { detail } = (await failed) as CustomEvent<{ message: string }>;
      expect(detail.message).to.equal('the dataflow failed');
      expect(finalized, 'views finalized').to.equal(1);
      expect(el.vegaView).to.equal(null);
      expect(el.shadowRoot!.querySelector('[part=chart] svg')).to.equal(null);
    } finally {
      View.prototype.runAsync = runAsync;
      View.prototype.finalize = finalize;
      el.remove();
    }
  });

  it('the steps chart makes no date formatter; the trends view then draws the locale\'s month names', async () => {
    const Real = Intl.DateTimeFormat;
    const made: string[] = [];
    (Intl as { DateTimeFormat: unknown }).DateTimeFormat = new Proxy(Real, { construct: (target, args) => (made.push(String(args[0])), Reflect.construct(target, args)) });
    try {
      // A locale no other test uses, so no formatter is cached yet.
      const el = await render(html`<funnel-chart locale="fr" .contract=${contract()}></funnel-chart>`);
      await new Promise((r) => setTimeout(r, 300)); // idle callbacks have run
      expect(el.vegaView, 'drawn').to.not.equal(null);
      expect(made.filter((l) => l === 'fr'), 'date formatters for the steps chart').to.deep.equal([]);
      el.contract = contract({ window: '3d', trends: { interval: 'day' } }) as never;
      el.view = 'trends';
      await oneEvent(el, 'funnelkit-render');
      await waitUntil(() => all(el, '[part=chart] .mark-line path').length > 0, 'no trend lines', { timeout: 5000 });
      expect(made.filter((l) => l === 'fr').length, 'date formatters for the trends chart').to.be.greaterThan(0);
      const ticks = all(el, '[part=chart] .role-axis-label text').map((t) => t.textContent!);
      expect(ticks.some((t) => /janv\./.test(t)), ticks.join(' | ')).to.equal(true);
    } finally {
      (Intl as { DateTimeFormat: unknown }).DateTimeFormat = Real;
    }
  });

  it('20 steps turn horizontal and keep every label legible, with the full name as a tooltip', async () => {
    const steps = Array.from({ length: 20 }, (_, i) => ({ event: i === 0 ? 'lead' : `s${i}`, label: `需求确认阶段 ${i + 1} 与客户的技术方案评审` }));
    const el = await render(html`<funnel-chart locale="zh-CN" style="width: 640px" .contract=${contract({ steps })}></funnel-chart>`);
    expect(el.shadowRoot!.querySelector('.horizontal[part=steps]')).to.exist;
    const boxes = labels(el).map((b) => b.getBoundingClientRect());
    expect(boxes).to.have.length(20);
    for (let i = 1; i < boxes.length; i++) expect(boxes[i].top).to.be.at.least(boxes[i - 1].bottom - 0.5);
    for (const box of boxes) expect(box.height).to.be.at.least(14);
    // A name is cut at whole lines (with an ellipsis), never in the middle of one.
    for (const label of labels(el)) {
      const name = label.querySelector('.name')!.getBoundingClientRect();
      expect(name.height).to.be.at.most(label.getBoundingClientRect().height);
    }
    expect(labels(el)[4].title).to.equal('5. 需求确认阶段 5 与客户的技术方案评审');
    await expect(el).to.be.accessible();
  });

  it('never interprets step labels as HTML', async () => {
    const steps = [{ event: 'lead', label: '<img src=x onerror=alert(1)>Lead' }, { event: 'won' }];
    const el = await render(html`<funnel-chart locale="en" .contract=${contract({ steps })}></funnel-chart>`);
    expect(el.shadowRoot!.querySelector('img')).to.equal(null);
    expect(seen(labels(el)[0])).to.equal('1. <img src=x onerror=alert(1)>Lead');
  });

  it('shows an error with its JSON path and keeps the last good funnel', async () => {
    const el = await render(html`<funnel-chart locale="en" .contract=${contract()}></funnel-chart>`);
    setTimeout(() => (el.contract = contract({ exclusions: [{ event: 'lost', from: 0, to: 5 }] }) as never));
    const { detail } = await oneEvent(el, 'funnelkit-error');
    expect(detail.path).to.equal('/funnel/exclusions/0/to');
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part=status]')!.textContent).to.contain('/funnel/exclusions/0/to');
    expect(tableRows(el)[0]).to.deep.equal(['Lead', '4', '100%', '100%']);
    await expect(el).to.be.accessible();
  });

  it('says there is no data, accessibly, when nobody entered the funnel in range', async () => {
    const el = await fixture<FunnelChart>(html`<funnel-chart locale="en" .contract=${contract({ range: { from: '2025-01-01', to: '2025-02-01' } })}></funnel-chart>`);
    await waitUntil(() => el.state === 'empty', 'not empty', { timeout: 5000 });
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part=status]')!.textContent!.trim()).to.equal('No data in this range');
    expect(labels(el)).to.have.length(0);
    await expect(el).to.be.accessible();
  });

  it('an invalid first contract shows the error alone, accessibly', async () => {
    const el = await fixture<FunnelChart>(html`<funnel-chart locale="en" .contract=${contract({ steps: [] })}></funnel-chart>`);
    await waitUntil(() => el.state === 'error', 'no error', { timeout: 5000 });
    await el.updateComplete;
    const status = el.shadowRoot!.querySelector('[part=status]')!;
    expect(status.getAttribute('role')).to.equal('alert');
    expect(status.textContent).to.contain('/funnel/steps');
    expect(el.shadowRoot!.querySelector('[part=chart]')!.hasAttribute('hidden')).to.equal(true);
    await expect(el).to.be.accessible();
  });
  it('draws breakdown groups named like Object members, and names them in the legend', async () => {
    const names = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];
    const rows = names.flatMap((region, i) => [
      { id: `p${i}`, e: 'lead', t: `2026-03-0${i + 1}T00:00:00Z`, region },
      { id: `p${i}`, e: 'won', t: `2026-03-0${i + 2}T00:00:00Z`, region },
    ]);
    const grouped = contract({ steps: [{ event: 'lead' }, { event: 'won' }], breakdown: { field: 'region' } }, rows);
    const el = await fixture<FunnelChart>(html`<funnel-chart locale="en" style="width: 720px" .contract=${grouped}></funnel-chart>`);
    await oneEvent(el, 'funnelkit-render');
    expect(el.state).to.equal('ready');
    // Names that read like Object members carry an invisible word joiner (U+2060) for Vega.
    const legend = [...el.shadowRoot!.querySelectorAll('[part=chart] .role-legend-label text')].map((t) => t.textContent!.replace('\u2060', ''));
    expect([...legend].sort()).to.deep.equal([...names].sort());
  });
});

type SceneNode = { items?: SceneNode[]; datum?: Record<string, unknown> };
function findItem(node: SceneNode, test: (d: Record<string, unknown> | undefined) => boolean): SceneNode | null {
  if (node.datum && test(node.datum) && !node.items) return node;
  for (const child of node.items ?? []) {
    const found = findItem(child, test);
    if (found) return found;
  }
  return null;
}
