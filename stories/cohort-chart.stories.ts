import type { Meta, StoryContext, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import '../src/cohort-chart.js';
import type { Cell, CohortContract, CohortSection } from '../src/analytics/contract.js';
import { holdPendingFetches, PENDING_ORIGIN } from './support/pending-fetch.js';
import { appEvents, appEventsYear, appSessions, leadOrders, leadOrderValues } from './support/sample.js';
import { widgetArgTypes, widgetSettings, type WidgetArgs } from './support/widget-args.js';

/**
 * Every state of `<cohort-chart>`: first-time and recurring cohorts; hourly, daily, weekly and
 * monthly periods; the three modes (`on`, `on-or-after`, `by`); revenue retention; a breakdown
 * with its group picker and per-group mean curves; one cohort and 52; incomplete periods; Chinese
 * labels, the dark theme, warehouse cohorts, and the loading, empty and error states.
 *
 * Data: the deterministic generators in demo/data through stories/support/sample.ts: orders and
 * repurchases of 20,000 leads acquired monthly through 2026 (seed 3, with lead `source`); app
 * users over 8 weeks (seed 5) and over 52 weeks (seed 9); one day of app sessions (seed 13).
 */

type Rows = Array<Record<string, Cell>>;

interface CohortArgs extends WidgetArgs {
  /** `heatmap`: the triangle table; `curve`: one retention curve per cohort and the mean. */
  view?: 'heatmap' | 'curve';
  /** `cohort`: % of the cohort; `previous`: % of the period before. */
  metric?: 'cohort' | 'previous';
  /** Cell text: percent or count. */
  display?: 'percent' | 'count';
  /** With a breakdown: a group value, `*` for all; unset, the first group (heatmap) or every group's mean (curve). */
  group?: string;
}

/** A cohort contract over event rows with `entity`, `ts` and `event` columns. */
function cohortOf(title: string, rows: Rows, cohort: CohortSection, extra: Partial<CohortContract> = {}): CohortContract {
  return { version: 1, kind: 'cohort', title, data: { rows }, fields: { entity: 'entity', time: 'ts', event: 'event' }, cohort, ...extra };
}

/** Repurchase after a customer's first order, monthly cohorts February 2026 to January 2027. */
function repurchase(title: string, cohort: Partial<CohortSection> = {}, extra: Partial<CohortContract> = {}): CohortContract {
  const base: CohortSection = { start: { event: 'order' }, return: { event: 'repurchase' }, type: 'first-time', period: 'month', periods: 7, mode: 'on' };
  return cohortOf(title, leadOrders(), { ...base, range: { from: '2026-02-01', to: '2027-01-31' }, ...cohort }, extra);
}

/** App users by their visits, weekly cohorts over 8 weeks from 2026-01-05. */
function appVisits(title: string, cohort: Partial<CohortSection> = {}): CohortContract {
  return cohortOf(title, appEvents(), { start: { event: 'visit' }, return: { event: 'visit' }, period: 'week', periods: 8, range: { from: '2026-01-05', to: '2026-03-01' }, ...cohort });
}

/** The story's chart, with its contract as a property or, given a URL, fetched from `src`. */
function chart(source: (() => CohortContract) | string) {
  return (args: CohortArgs, { globals }: StoryContext<CohortArgs>) => {
    const s = widgetSettings(args, globals);
    return html`<div style="max-width: 820px">
      <cohort-chart
        theme=${s.theme}
        renderer=${s.renderer}
        .locale=${s.locale}
        view=${args.view ?? 'heatmap'}
        metric=${args.metric ?? 'cohort'}
        display=${args.display ?? 'percent'}
        group=${ifDefined(args.group)}
        src=${ifDefined(typeof source === 'string' ? source : undefined)}
        .contract=${typeof source === 'string' ? undefined : source()}
      ></cohort-chart>
    </div>`;
  };
}

const meta = {
  title: 'Widgets/Cohort chart',
  component: 'cohort-chart',
  argTypes: {
    ...widgetArgTypes,
    view: { control: 'inline-radio', options: ['heatmap', 'curve'], description: '`view` attribute' },
    metric: { control: 'inline-radio', options: ['cohort', 'previous'], description: '`metric` attribute' },
    display: { control: 'inline-radio', options: ['percent', 'count'], description: '`display` attribute' },
    group: { control: 'text', description: '`group` attribute (with a breakdown)' },
  },
  parameters: {
    docs: {
      description: {
        component:
          'Entities grouped by the period they started, and how many came back in each later period (PostHog retention semantics). The heatmap puts the size-weighted mean on top; faded cells with a dashed border are periods not over yet. Cells are buttons: Tab reaches them, arrow keys move, Enter fires `cohort-cell-click`.',
      },
    },
  },
} satisfies Meta<CohortArgs>;

export default meta;
type Story = StoryObj<CohortArgs>;

// ---------------------------------------------------------------------------------------------
// Cohort type and period

/** Customers by the month of their first order; a cell is the share who repurchased in exactly that month. */
export const MonthlyRepurchase: Story = { render: chart(() => repurchase('Repurchase by month of first order')) };

/**
 * `type`: `first-time` puts a user only in the week of their first visit; `recurring` in every
 * week they visited, so later cohorts hold returning users too and retain better.
 */
export const FirstTimeVsRecurring: Story = {
  name: 'First-time vs recurring',
  render: (args, context) => html`<div style="display: grid; gap: 16px">
    ${chart(() => appVisits('First-time: the week of the first visit', { type: 'first-time' }))(args, context)}
    ${chart(() => appVisits('Recurring: every week with a visit', { type: 'recurring' }))(args, context)}
  </div>`,
};

/** Hourly cohorts over one day of app opens (2 March 2026, 06:00–18:00 UTC and the evening after). */
export const Hourly: Story = {
  render: chart(() => cohortOf('App opens, hourly cohorts', appSessions(), { type: 'first-time', period: 'hour', periods: 8, range: { from: '2026-03-02T06:00', to: '2026-03-02T17:59' } })),
};

/** Daily cohorts of app users over the first two weeks, 14 days each. */
export const Daily: Story = {
  render: chart(() => appVisits('Daily retention, app users', { type: 'first-time', period: 'day', periods: 14, range: { from: '2026-01-05', to: '2026-01-18' } })),
};

/** Weekly cohorts of app users by first visit, Sunday-start weeks. */
export const Weekly: Story = {
  render: chart(() => appVisits('Weekly retention, weeks from Sunday', { type: 'first-time', weekStart: 'sunday', range: { from: '2026-01-04', to: '2026-02-28' } })),
};

/** Monthly cohorts: the repurchase table, as in the first story, to the month. */
export const Monthly: Story = { render: chart(() => repurchase('Monthly cohorts')) };

// ---------------------------------------------------------------------------------------------
// Modes

/** `mode: 'on'`: repurchased in exactly that month. */
export const ModeOn: Story = { name: 'Mode: on', render: chart(() => repurchase('Repurchased in month N', { mode: 'on' })) };

/** `mode: 'on-or-after'`: repurchased in that month or any later one, so each row only falls. */
export const ModeOnOrAfter: Story = {
  name: 'Mode: on-or-after',
  render: chart(() => repurchase('Repurchased in month N or later', { mode: 'on-or-after' })),
};

/** `mode: 'by'`: repurchased in any month from 1 to N (cumulative), so each row only rises. */
export const ModeBy: Story = { name: 'Mode: by', render: chart(() => repurchase('Repurchased by month N', { mode: 'by' })) };

// ---------------------------------------------------------------------------------------------
// Measures, breakdowns, sizes

/**
 * Revenue retention: `value: { measure: 'sum' }` adds up `fields.value` (order values in CNY) on
 * the return events; a cell is that month's order value over the cohort's first-month value.
 */
export const RevenueRetention: Story = {
  args: { display: 'count' },
  render: chart(() =>
    repurchase(
      'Order value by month of first order',
      { return: { event: 'repurchase' }, value: { measure: 'sum' } },
      { data: { rows: leadOrderValues() }, fields: { entity: 'entity', time: 'ts', event: 'event', value: 'amount' }, format: { currency: 'CNY', compact: true } },
    ),
  ),
};

/** Repurchase by lead source of the first touch: the group picker above the chart chooses the source. */
export const Breakdown: Story = {
  render: chart(() => repurchase('Repurchase by lead source', { mode: 'by', breakdown: { field: 'source', limit: 6 } })),
};

/** The curve view with a breakdown and no group chosen: one mean curve per lead source. */
export const GroupMeanCurves: Story = {
  name: 'Curves: mean per group',
  args: { view: 'curve' },
  render: chart(() => repurchase('Repurchased by month N, by lead source', { mode: 'by', breakdown: { field: 'source', limit: 6 } })),
};

/** The curve view without a breakdown: one thin line per cohort, the mean thick in the accent colour. */
export const Curves: Story = {
  args: { view: 'curve' },
  render: chart(() => appVisits('Weekly retention curves', { type: 'first-time' })),
};

/** `metric="previous"`: each cell is the share of the period before that came back. */
export const OfPreviousPeriod: Story = {
  name: 'Metric: % of previous period',
  args: { metric: 'previous' },
  render: chart(() => repurchase('Repurchase, % of the month before', { mode: 'by' })),
};

/** One cohort: March 2026's customers. */
export const SingleCohort: Story = {
  render: chart(() => repurchase('Customers of March 2026', { range: { from: '2026-03-01', to: '2026-03-31' } })),
};

/** 52 weekly cohorts of app users over 2026: the chart grows to a legible row per cohort. */
export const FiftyTwoWeeks: Story = {
  name: '52 weekly cohorts',
  render: chart(() =>
    cohortOf('52 weekly cohorts, app users', appEventsYear(), { start: { event: 'visit' }, type: 'first-time', period: 'week', periods: 12, range: { from: '2026-01-05', to: '2027-01-03' } }),
  ),
};

/**
 * "Now" (`asOf`) on 18 February 2026: the week holding it is open (faded, dashed), later weeks
 * have not begun and are not drawn.
 */
export const IncompleteCells: Story = {
  render: chart(() => appVisits('Weekly retention as of 18 February', { type: 'first-time', asOf: '2026-02-18T12:00:00Z', range: { from: '2026-01-05', to: '2026-02-15' } })),
};

/** Cohorts computed in a warehouse: sizes and counts per week, no events. */
export const PreAggregated: Story = {
  name: 'Pre-aggregated (warehouse cohorts)',
  render: chart(() => ({
    version: 1,
    kind: 'cohort',
    title: 'Weekly active accounts (warehouse)',
    data: { rows: [] },
    fields: {},
    cohort: {
      period: 'week',
      cohorts: [
        { cohort: '2026-01-05', size: 1_240, values: [1_240, 620, 498, 441, 410, 392] },
        { cohort: '2026-01-12', size: 1_310, values: [1_310, 681, 540, 470, 433] },
        { cohort: '2026-01-19', size: 1_185, values: [1_185, 569, 450, 398] },
        { cohort: '2026-01-26', size: 1_402, values: [1_402, 757, 603] },
        { cohort: '2026-02-02', size: 1_366, values: [1_366, 711] },
        { cohort: '2026-02-09', size: 1_298, values: [1_298] },
      ],
    },
  })),
};

// ---------------------------------------------------------------------------------------------
// Locale, theme and states

/** Chinese headings (第N月, 同期群, 平均), group picker (分组) and number formats. */
export const ChineseLabels: Story = {
  name: 'zh-CN labels',
  args: { locale: 'zh-CN' },
  render: chart(() => repurchase('按首单月份的复购率（按线索来源）', { mode: 'by', breakdown: { field: 'source', limit: 5 } }, { locale: 'zh-CN' })),
};

/** The dark theme: the ramp runs from the dark background to the light accent, text colour per cell. */
export const Dark: Story = {
  name: 'Dark theme',
  args: { theme: 'dark' },
  render: chart(() => repurchase('Repurchased by month N', { mode: 'by' })),
};

/** `state="loading"`: the contract comes from `src`, and the request never answers. */
export const Loading: Story = {
  name: 'State: loading',
  beforeEach: () => holdPendingFetches(),
  render: chart(`${PENDING_ORIGIN}/repurchase.cohort.json`),
};

/** `state="empty"`: a valid contract whose range (2025) has no first orders. */
export const Empty: Story = {
  name: 'State: empty',
  render: chart(() => repurchase('Repurchase, 2025', { range: { from: '2025-01-01', to: '2025-12-31' } })),
};

/** `state="error"`: `value.measure: 'sum'` needs `fields.value`; the widget names the path. */
export const ErrorState: Story = {
  name: 'State: error (invalid contract)',
  render: chart(() => repurchase('Order value by month', { value: { measure: 'sum' } })),
};
