import type { Meta, StoryContext, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import '../src/funnel-chart.js';
import type { Cell, FunnelContract, FunnelEventStep, FunnelSection } from '../src/analytics/contract.js';
import { generateAppFunnel, generateB2BFunnel } from '../demo/data/sample-data.js';
import { holdPendingFetches, PENDING_ORIGIN } from './support/pending-fetch.js';
import { widgetArgTypes, widgetSettings, type WidgetArgs } from './support/widget-args.js';

/**
 * Every state of `<funnel-chart>`: the three views, the three order modes, both orientations,
 * the three bar-label metrics, breakdowns, a previous-period comparison, dwell limits, very short
 * and very long funnels, Chinese labels, the dark theme, warehouse counts, and the loading, empty
 * and error states.
 *
 * Data: the deterministic generators in demo/data, sized so each story computes in well under a
 * second: 3,000 B2B opportunities identified 2026-01-05 … 2026-07-03 (seed 11, ~8,000 events; later
 * stages run on to November) and 3,000 app users arriving over 90 days from 2026-01-05 (seed 5,
 * ~6,900 events).
 */

interface FunnelArgs extends WidgetArgs {
  /** Which chart: the step bars, the time-to-convert histogram, or conversion by entry period. */
  view?: 'steps' | 'time-to-convert' | 'trends';
  /** Bar labels: counts, % of the first step, or % of the previous step. */
  metric?: 'count' | 'first' | 'previous';
  /** Unset: vertical up to 8 steps, horizontal beyond. */
  orientation?: 'vertical' | 'horizontal';
}

type Rows = Array<Record<string, Cell>>;

function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

/** 3,000 B2B opportunities through six stages (seed 11), about 8,000 events. */
const b2bRows = once(() => generateB2BFunnel({ seed: 11, entities: 3_000 }) as unknown as Rows);

/** 3,000 app users (visit → register → order → repurchase) over 90 days (seed 5), about 6,900 events. */
const appRows = once(() => generateAppFunnel({ seed: 5, entities: 3_000, days: 90 }) as unknown as Rows);

/** The six-stage B2B opportunity funnel, English and Chinese stage names. */
const B2B_STEPS = [
  { event: 'opportunity_identified', en: 'Opportunity identified', zh: '商机识别' },
  { event: 'requirement_confirmed', en: 'Requirement confirmed', zh: '需求确认' },
  { event: 'solution_design', en: 'Solution design', zh: '方案设计' },
  { event: 'poc', en: 'Technical validation (POC)', zh: 'POC 验证' },
  { event: 'negotiation', en: 'Commercial negotiation', zh: '商务谈判' },
  { event: 'signed', en: 'Signed', zh: '签约' },
] as const;

const APP_STEPS: FunnelEventStep[] = [
  { event: 'visit', label: 'Visit' },
  { event: 'register', label: 'Register' },
  { event: 'order', label: 'Order' },
  { event: 'repurchase', label: 'Repurchase' },
];

type FunnelOverrides = Partial<FunnelSection>;

/** The B2B opportunity funnel; deals take weeks per stage, so the conversion window is 180 days. */
function b2b(title: string, funnel: FunnelOverrides = {}, options: { zh?: boolean } = {}): FunnelContract {
  return {
    version: 1,
    kind: 'funnel',
    title,
    ...(options.zh ? { locale: 'zh-CN' } : {}),
    data: { rows: b2bRows() },
    fields: { entity: 'entity', time: 'ts', event: 'event', segments: ['region', 'customerType', 'industry', 'tier', 'rep'] },
    funnel: {
      steps: B2B_STEPS.map((s) => ({ event: s.event, label: options.zh ? s.zh : s.en })),
      window: '180d',
      ...funnel,
    },
  };
}

/** The app funnel with a 30-day window. */
function app(title: string, funnel: FunnelOverrides = {}): FunnelContract {
  return {
    version: 1,
    kind: 'funnel',
    title,
    data: { rows: appRows() },
    fields: { entity: 'entity', time: 'ts', event: 'event', segments: ['device', 'newUser', 'source'] },
    funnel: { steps: APP_STEPS, window: '30d', ...funnel },
  };
}

/**
 * A detailed lead-to-cash path in 15 steps: three lead stages before each B2B opportunity, the six
 * opportunity stages, and six delivery and billing stages after signing. The extra events are
 * derived deterministically from the B2B sample (a hash of the opportunity number), plus 4,500
 * leads that never became opportunities.
 */
const leadToCashRows = once(() => {
  const DAY = 86_400_000;
  const hash = (n: number, salt: number) => {
    let x = Math.imul(n ^ (salt * 0x9e3779b1), 0x85ebca6b) >>> 0;
    x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
    return ((x ^ (x >>> 16)) >>> 0) / 2 ** 32;
  };
  const rows: Rows = [];
  const at = (ms: number) => new Date(Math.round(ms / 60_000) * 60_000).toISOString();
  for (const r of b2bRows()) {
    rows.push(r);
    const n = Number(String(r.entity).slice(4));
    const ts = Date.parse(String(r.ts));
    const extra = (event: string, ms: number) => rows.push({ ...r, event, ts: at(ms) });
    if (r.event === 'opportunity_identified') {
      extra('lead_captured', ts - (8 + hash(n, 1) * 12) * DAY);
      extra('marketing_qualified', ts - (4 + hash(n, 2) * 3) * DAY);
      extra('sales_qualified', ts - (0.5 + hash(n, 3) * 2) * DAY);
    } else if (r.event === 'signed') {
      // Each later stage keeps most deals: [event, share kept, days after the previous stage].
      const after: Array<[string, number, number]> = [
        ['contract_countersigned', 0.97, 3],
        ['order_booked', 0.95, 5],
        ['delivery_started', 0.9, 14],
        ['acceptance_passed', 0.82, 45],
        ['invoice_issued', 0.97, 4],
        ['payment_collected', 0.8, 35],
      ];
      let t = ts;
      for (const [i, [event, kept, days]] of after.entries()) {
        if (hash(n, 10 + i) >= kept) break;
        t += days * (0.5 + hash(n, 20 + i)) * DAY;
        extra(event, t);
      }
    }
  }
  // Leads that dropped before becoming an opportunity.
  const start = Date.parse('2025-12-20');
  for (let i = 0; i < 4_500; i++) {
    const base = { entity: `lead-${String(i).padStart(6, '0')}`, region: null, customerType: null, industry: null, tier: null, rep: null, amount: null };
    let t = start + hash(i, 30) * 190 * DAY;
    rows.push({ ...base, event: 'lead_captured', ts: at(t) });
    if (hash(i, 31) < 0.45) {
      t += (2 + hash(i, 32) * 5) * DAY;
      rows.push({ ...base, event: 'marketing_qualified', ts: at(t) });
      if (hash(i, 33) < 0.3) rows.push({ ...base, event: 'sales_qualified', ts: at(t + (1 + hash(i, 34) * 3) * DAY) });
    }
  }
  return rows;
});

const LEAD_TO_CASH_STEPS: FunnelEventStep[] = [
  { event: 'lead_captured', label: 'Lead captured' },
  { event: 'marketing_qualified', label: 'Marketing qualified (MQL)' },
  { event: 'sales_qualified', label: 'Sales qualified (SQL)' },
  ...B2B_STEPS.map((s) => ({ event: s.event, label: s.en })),
  { event: 'contract_countersigned', label: 'Contract countersigned' },
  { event: 'order_booked', label: 'Order booked' },
  { event: 'delivery_started', label: 'Delivery started' },
  { event: 'acceptance_passed', label: 'Customer acceptance' },
  { event: 'invoice_issued', label: 'Invoice issued' },
  { event: 'payment_collected', label: 'Payment collected' },
];

/** One `<funnel-chart>` at most 820px wide; args set the attributes, `defaults` what the story implies. */
function chart(contract: () => FunnelContract) {
  return (args: FunnelArgs, { globals }: StoryContext<FunnelArgs>) => {
    const s = widgetSettings(args, globals);
    return html`<div style="max-width: 820px">
      <funnel-chart
        theme=${s.theme}
        renderer=${s.renderer}
        .locale=${s.locale}
        view=${args.view ?? 'steps'}
        metric=${args.metric ?? 'count'}
        orientation=${ifDefined(args.orientation)}
        .contract=${contract()}
      ></funnel-chart>
    </div>`;
  };
}

const meta = {
  title: 'Widgets/Funnel chart',
  component: 'funnel-chart',
  argTypes: {
    ...widgetArgTypes,
    view: {
      control: 'inline-radio',
      options: ['steps', 'time-to-convert', 'trends'],
      description: '`view` attribute: step bars, time-to-convert histogram, or conversion by entry period',
    },
    metric: { control: 'inline-radio', options: ['count', 'first', 'previous'], description: '`metric` attribute: bar labels' },
    orientation: {
      control: 'inline-radio',
      options: ['vertical', 'horizontal'],
      description: '`orientation` attribute; unset, vertical up to 8 steps and horizontal beyond',
    },
  },
  parameters: {
    docs: {
      description: {
        component:
          'A conversion funnel computed in the browser from raw events: each bar is the entities that reached the step, the ghost is what the first step had, and the largest drop-off is drawn in the alert colour. Clicking a bar or a step label fires `funnel-step-click` with the step, its rates and entity ids. Data: 3,000 generated B2B opportunities (seed 11) and 3,000 app users (seed 5).',
      },
    },
  },
} satisfies Meta<FunnelArgs>;

export default meta;
type Story = StoryObj<FunnelArgs>;

// ---------------------------------------------------------------------------------------------
// Views

/** `view="steps"` (the default): the six B2B stages; the break point is requirement confirmation, where ~40% of deals are lost. */
export const Steps: Story = {
  name: 'View: steps (default)',
  render: chart(() => b2b('B2B opportunity funnel')),
};

/** `view="time-to-convert"`: how long opportunities took from identified to signed, 20 bins, median and mean marked. */
export const TimeToConvert: Story = {
  name: 'View: time to convert',
  args: { view: 'time-to-convert' },
  render: chart(() => b2b('Time from opportunity to signature', { timeToConvert: { from: 0, to: 5, bins: 20 } })),
};

/**
 * `view="trends"`: weekly identified → signed conversion as of 2026-06-15. With a 60-day window, the
 * weeks from mid-April on are still open (dashed: conversion may still rise).
 */
export const Trends: Story = {
  name: 'View: trends (incomplete periods)',
  args: { view: 'trends' },
  render: chart(() =>
    b2b('Weekly conversion, identified → signed', {
      window: '60d',
      trends: { interval: 'week' },
      asOf: '2026-06-15',
      range: { from: '2026-01-05', to: '2026-06-15' },
    }),
  ),
};

// ---------------------------------------------------------------------------------------------
// Order modes (app funnel, 30-day window)

/** `order: 'ordered'` (the default): steps in sequence, other events allowed in between. */
export const Ordered: Story = {
  name: 'Order: ordered',
  render: chart(() => app('App funnel, ordered', { order: 'ordered' })),
};

/** `order: 'strict'`: no other event between steps, so a repeat visit before ordering breaks the path (order 297 → 278, repurchase 92 → 70). */
export const Strict: Story = {
  name: 'Order: strict',
  render: chart(() => app('App funnel, strict order', { order: 'strict' })),
};

/**
 * `order: 'any'`: step N counts users who did any N of the events within the window, whatever the
 * sequence. The sample app's events always arrive in funnel order, so the bars match `ordered`.
 */
export const AnyOrder: Story = {
  name: 'Order: any',
  render: chart(() => app('App funnel, any order', { order: 'any' })),
};

// ---------------------------------------------------------------------------------------------
// Orientation

/** `orientation="vertical"`: columns, step labels under the bars. */
export const Vertical: Story = {
  name: 'Orientation: vertical',
  args: { orientation: 'vertical' },
  render: chart(() => b2b('B2B opportunity funnel, vertical')),
};

/** `orientation="horizontal"`: bars, step labels to their left. */
export const Horizontal: Story = {
  name: 'Orientation: horizontal',
  args: { orientation: 'horizontal' },
  render: chart(() => b2b('B2B opportunity funnel, horizontal')),
};

// ---------------------------------------------------------------------------------------------
// Metrics

/** `metric="count"`: bars labelled with the number of opportunities. */
export const MetricCount: Story = {
  name: 'Metric: count',
  args: { metric: 'count' },
  render: chart(() => b2b('Opportunities per stage')),
};

/** `metric="first"`: bars labelled with the conversion from the first step. */
export const MetricFirst: Story = {
  name: 'Metric: % of first step',
  args: { metric: 'first' },
  render: chart(() => b2b('Conversion from opportunity identified')),
};

/** `metric="previous"`: bars labelled with the step-to-step conversion. */
export const MetricPrevious: Story = {
  name: 'Metric: % of previous step',
  args: { metric: 'previous' },
  render: chart(() => b2b('Step-to-step conversion')),
};

// ---------------------------------------------------------------------------------------------
// Breakdown and comparison

/** By sales region, all 8 values, each opportunity counted in the region of its first step (`attribution: 'first-touch'`). */
export const BreakdownByRegion: Story = {
  name: 'Breakdown: B2B by region',
  render: chart(() => b2b('B2B funnel by region', { breakdown: { field: 'region', attribution: 'first-touch', limit: 8 } })),
};

/** The app funnel by device (Android, iOS, web), horizontal, labelled with % of the first step. */
export const BreakdownByDevice: Story = {
  name: 'Breakdown: app by device',
  args: { orientation: 'horizontal', metric: 'first' },
  render: chart(() => app('App funnel by device', { breakdown: { field: 'device' } })),
};

/**
 * `compare: 'previous-period'`: opportunities identified 2026-04-01 … 2026-05-31 against the 61
 * days before, drawn as a dashed outline with the change.
 */
export const Comparison: Story = {
  name: 'Comparison: previous period',
  render: chart(() =>
    b2b('Apr–May vs the previous 61 days', { compare: 'previous-period', range: { from: '2026-04-01', to: '2026-05-31' } }),
  ),
};

/**
 * Dwell limits: as of 2026-06-15, deals in POC for more than 20 days or in negotiation for more than
 * 30 days count as stuck (the ⚠ badges under those steps).
 */
export const DwellLimits: Story = {
  name: 'Dwell limits (stuck deals)',
  render: chart(() =>
    b2b('Stuck deals as of 2026-06-15', {
      steps: B2B_STEPS.map((s) => ({
        event: s.event,
        label: s.en,
        ...(s.event === 'poc' ? { maxDwell: '20d' } : s.event === 'negotiation' ? { maxDwell: '30d' } : {}),
      })),
      asOf: '2026-06-15',
      range: { to: '2026-06-15' },
    }),
  ),
};

// ---------------------------------------------------------------------------------------------
// Sizes, languages, themes

/** A funnel of one step: a single bar, nothing to convert to. */
export const OneStep: Story = {
  name: 'One step',
  render: chart(() => b2b('Opportunities identified', { steps: [{ event: 'opportunity_identified', label: 'Opportunity identified' }] })),
};

/** 15 steps, lead to cash (7,500 leads); unset orientation turns horizontal beyond 8 steps. */
export const FifteenSteps: Story = {
  name: 'Fifteen steps (lead to cash)',
  render: chart(() => ({
    ...b2b('Lead to cash', { steps: LEAD_TO_CASH_STEPS, window: '365d' }),
    data: { rows: leadToCashRows() },
  })),
};

/** `locale="zh-CN"`: Chinese stage names from the contract, the widget's own words and number formats in Chinese. */
export const ChineseLabels: Story = {
  name: 'zh-CN labels',
  args: { locale: 'zh-CN' },
  render: chart(() => b2b('商机漏斗', {}, { zh: true })),
};

/** `theme="dark"` on a dark page (the preview decorator follows the story's theme). */
export const Dark: Story = {
  name: 'Dark theme',
  args: { theme: 'dark' },
  render: chart(() => b2b('B2B opportunity funnel', { breakdown: { field: 'customerType' } })),
};

/**
 * Counts already aggregated in a warehouse (lead handling: 归集 → 清洗 → 评估 → 分配 → 转化) with a
 * median time per step and per-channel groups; no events needed.
 */
export const PreAggregated: Story = {
  name: 'Pre-aggregated (warehouse counts)',
  render: chart(() => ({
    version: 1,
    kind: 'funnel',
    title: 'Lead handling this quarter, by channel',
    data: { rows: [] },
    fields: {},
    funnel: {
      steps: [
        { name: 'Collected', count: 12_480 },
        { name: 'Cleansed', count: 10_320, medianTimeMs: 2 * 3_600_000 },
        { name: 'Evaluated', count: 6_150, medianTimeMs: 26 * 3_600_000 },
        { name: 'Assigned', count: 4_870, medianTimeMs: 9 * 3_600_000 },
        { name: 'Converted', count: 1_620, medianTimeMs: 11 * 86_400_000 },
      ],
      groups: [
        {
          value: 'Website',
          steps: [
            { name: 'Collected', count: 5_210 },
            { name: 'Cleansed', count: 4_480 },
            { name: 'Evaluated', count: 2_860 },
            { name: 'Assigned', count: 2_310 },
            { name: 'Converted', count: 820 },
          ],
        },
        {
          value: 'Trade shows',
          steps: [
            { name: 'Collected', count: 3_940 },
            { name: 'Cleansed', count: 3_150 },
            { name: 'Evaluated', count: 1_870 },
            { name: 'Assigned', count: 1_480 },
            { name: 'Converted', count: 510 },
          ],
        },
        {
          value: 'Purchased lists',
          steps: [
            { name: 'Collected', count: 3_330 },
            { name: 'Cleansed', count: 2_690 },
            { name: 'Evaluated', count: 1_420 },
            { name: 'Assigned', count: 1_080 },
            { name: 'Converted', count: 290 },
          ],
        },
      ],
    },
  })),
};

// ---------------------------------------------------------------------------------------------
// States

/**
 * `state="loading"`: the contract comes from `src`, and the request never answers (fetches to a
 * reserved `.invalid` host are held open until aborted; see support/pending-fetch.ts).
 */
export const Loading: Story = {
  name: 'State: loading',
  beforeEach: () => holdPendingFetches(),
  render: (args, { globals }) => {
    const s = widgetSettings(args, globals);
    return html`<div style="max-width: 820px">
      <funnel-chart
        theme=${s.theme}
        renderer=${s.renderer}
        .locale=${s.locale}
        view=${args.view ?? 'steps'}
        metric=${args.metric ?? 'count'}
        orientation=${ifDefined(args.orientation)}
        src=${`${PENDING_ORIGIN}/b2b-opportunities.funnel.json`}
      ></funnel-chart>
    </div>`;
  },
};

/** `state="empty"`: a valid contract whose range (Q1 2025) has no events. */
export const Empty: Story = {
  name: 'State: empty',
  render: chart(() => b2b('B2B opportunity funnel, Q1 2025', { range: { from: '2025-01-01', to: '2025-03-31' } })),
};

/**
 * `state="error"`: an exclusion ends at step 6 of a six-step funnel (indices 0–5). The widget names
 * the problem and its JSON path, `/funnel/exclusions/0/to`.
 */
export const ErrorState: Story = {
  name: 'State: error (invalid contract)',
  render: chart(() => b2b('B2B opportunity funnel', { exclusions: [{ event: 'opportunity_lost', from: 2, to: 6 }] })),
};
