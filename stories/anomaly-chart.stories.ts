import type { Meta, StoryContext, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import '../src/anomaly-chart.js';
import type { AnomalyContract, AnomalyRule } from '../src/analytics/contract.js';
import { holdPendingFetches, PENDING_ORIGIN } from './support/pending-fetch.js';
import {
  bandContract,
  COST_TIERS,
  costPerLeadContract,
  conversionContract,
  DROP_RULE,
  eventsContract,
  CONVERSION,
  fiveYearsContract,
  gapsContract,
  leadsBySourceContract,
  lifecycleContract,
  noDataContract,
  pointsContract,
  responseContract,
  responseHours,
  winRateContract,
} from './support/anomaly-samples.js';
import { widgetArgTypes, widgetSettings, type WidgetArgs } from './support/widget-args.js';

/** An `<anomaly-chart>` with the contract as a property, `width` px wide at most. */
function chart(contract: () => AnomalyContract, width = 760) {
  return (args: WidgetArgs, { globals }: StoryContext<WidgetArgs>) => {
    const s = widgetSettings(args, globals);
    return html`<div style="max-width: ${width}px">
      <anomaly-chart theme=${s.theme} renderer=${s.renderer} .locale=${s.locale} .contract=${contract()}></anomaly-chart>
    </div>`;
  };
}

const meta = {
  title: 'Widgets/Anomaly chart',
  component: 'anomaly-chart',
  argTypes: widgetArgTypes,
  parameters: {
    docs: {
      description: {
        component:
          'A series checked against alert rules with Grafana\'s semantics: threshold steps or a bound, a change against an earlier point, a baseline band; each rule `normal → pending → alerting → recovering`, with `for`, `keepFiringFor` and `noData`. Series come from raw events (a measure per day, optionally split by a field) or from pre-aggregated points. All data is generated with fixed seeds (stories/support/anomaly-samples.ts): 60 days of lead and won events (seed 7, ~37,000 rows) with a planted conversion drop on 2026-02-14 and a paid-search pause on 2026-02-21–23; daily points for cost per lead, first-response time, website leads, CRM syncs and five years of inbound leads.',
      },
    },
  },
} satisfies Meta<WidgetArgs>;

export default meta;
type Story = StoryObj<WidgetArgs>;

// ---------------------------------------------------------------------------------------------
// The two alerts of DOMAIN.md

/**
 * DOMAIN.md: "a metric falling more than 10% day over day raises an alert (act within 30
 * minutes)". The daily lead-conversion rate is a ratio measure over raw events (`won` / `lead`
 * rows of each day, percent); the rule `{ type: 'change', direction: 'drop', threshold: 10,
 * severity: 'critical' }` fires on 2026-02-14 (−20%) and nowhere else (ordinary days move ±3%).
 */
export const LeadConversionDrop: Story = {
  name: 'DOMAIN: lead conversion, >10% day-over-day drop',
  render: chart(() => conversionContract()),
};

/**
 * DOMAIN.md's acquisition-cost tiers on daily cost per lead (pre-aggregated points, CNY): under
 * ¥2,000 low, ¥2,000–5,000 middle (warning), over ¥5,000 high (critical), drawn as lines and
 * shaded bands (`line+area`). A trade-show fortnight from 2026-02-19 sits in the middle tier and
 * its last two days (booth and travel invoices) in the high one: one alert, 2026-02-19 to 03-04,
 * critical at its peak.
 */
export const CostPerLead: Story = {
  name: 'DOMAIN: cost per lead, ¥2,000 / ¥5,000 tiers',
  render: chart(() => costPerLeadContract('line+area')),
};

// ---------------------------------------------------------------------------------------------
// Rule types

/**
 * Threshold steps, Grafana's base-and-steps: median first-response time to a new lead, as bars.
 * DOMAIN.md: leads contacted within 24 h close at 3× the rate of those after 72 h, so 24 h is a
 * warning step and 72 h a critical one. A backlog from 2026-02-24 to 03-01 peaks at ~80 h on 02-26.
 */
export const ThresholdSteps: Story = {
  render: chart(() => {
    const c = responseContract('line+area');
    return { ...c, anomaly: { ...c.anomaly, display: { style: 'bars', thresholds: 'line+area' } } };
  }),
};

/**
 * Threshold steps in `mode: 'percentage'`: a step is a place between the series' own minimum (0)
 * and maximum (100), here 25% (warning) and 90% (critical) of 12.6–79.8 h, so ≈ 29.4 h and ≈ 73.1 h,
 * drawn where they fall on the axis. The backlog fires from 2026-02-26 to 03-01 (critical on 02-26);
 * its first two days, 28.8 h and 28.7 h, fall just short of 25%.
 */
export const ThresholdStepsPercentage: Story = {
  name: 'Threshold steps (percentage mode)',
  render: chart(() =>
    pointsContract('First response to a new lead · steps at 25% / 90% of the range', {
      grain: 'day',
      points: responseHours(),
      rules: [
        {
          id: 'relative',
          name: 'Share of the range',
          type: 'threshold',
          mode: 'percentage',
          steps: [{ value: null, color: 'green' }, { value: 25, severity: 'warning' }, { value: 90, severity: 'critical' }],
        },
      ],
      format: { style: 'number', maximumFractionDigits: 1 },
      display: { thresholds: 'dashed+area' },
    }),
  ),
};

/**
 * A bound: the daily opportunity win rate (`mean` of the daily rows' `winRate`) `outside` 22%–26.6%
 * is a warning. Both ends are excluded: 22.0% on 2026-03-29 is inside. Three days breach: 2026-01-12
 * (27.0%), 2026-03-07 (21.7%) and 2026-03-22 (26.9%).
 */
export const ThresholdBound: Story = {
  render: chart(() => winRateContract([{ id: 'corridor', name: 'Outside 22%–26.6%', type: 'threshold', bound: { op: 'outside', low: 0.22, high: 0.266 } }])),
};

/**
 * A change rule in both directions (`direction: 'both'`, 10%, against the previous day): the
 * conversion drop on 2026-02-14 (−20%) fires, and so does the rebound on 02-15 (+28%): one alert over both days.
 */
export const Change: Story = {
  render: chart(() =>
    eventsContract('Lead conversion rate, daily · ±10% day over day', {
      grain: 'day',
      measure: CONVERSION,
      rules: [{ id: 'dod', name: 'Moves > 10% day over day', type: 'change', compare: 'previous', direction: 'both', threshold: 10 }],
      format: { style: 'percent', maximumFractionDigits: 1 },
    }),
  ),
};

/**
 * A baseline band, `mean-stddev`: mean ± 3σ of the 14 days before each point (at least 7). It
 * catches the bot wave's first day (2026-02-04) and the surge on 03-17, but the wave inflates σ
 * for two weeks, so its second day (×1.6) and the broken form on 02-14 (×0.55) stay inside.
 */
export const BandMeanStddev: Story = {
  name: 'Band (mean-stddev)',
  render: chart(() => bandContract('mean-stddev', 3)),
};

/**
 * The same series against `median-mad`: median ± 4.5 × MAD (unscaled; ≈ 3σ for normal noise). The
 * median and MAD shrug off the outliers in the window, so all four incidents fire: 2026-02-04–05,
 * 02-14 and 03-17.
 */
export const BandMedianMad: Story = {
  name: 'Band (median-mad)',
  render: chart(() => bandContract('median-mad', 4.5)),
};

// ---------------------------------------------------------------------------------------------
// Threshold display

/** `display.thresholds: 'off'`: the steps still colour the points and raise the alert; no lines or bands. */
export const ThresholdsOff: Story = { name: 'Thresholds: off', render: chart(() => responseContract('off')) };
/** `display.thresholds: 'line'`: a solid line at each step (24 h, 72 h). */
export const ThresholdsLine: Story = { name: 'Thresholds: line', render: chart(() => responseContract('line')) };
/** `display.thresholds: 'dashed'` (the default): a dashed line at each step. */
export const ThresholdsDashed: Story = { name: 'Thresholds: dashed', render: chart(() => responseContract('dashed')) };
/** `display.thresholds: 'area'`: each step's band of values shaded in its colour. */
export const ThresholdsArea: Story = { name: 'Thresholds: area', render: chart(() => responseContract('area')) };
/** `display.thresholds: 'line+area'`: shaded bands with a solid line at each step. */
export const ThresholdsLineArea: Story = { name: 'Thresholds: line+area', render: chart(() => responseContract('line+area')) };
/** `display.thresholds: 'dashed+area'`: shaded bands with a dashed line at each step. */
export const ThresholdsDashedArea: Story = { name: 'Thresholds: dashed+area', render: chart(() => responseContract('dashed+area')) };

// ---------------------------------------------------------------------------------------------
// Rule state over time

/**
 * `for: 3`, `keepFiringFor: 2` on a "> 130 a day" bound. 2026-01-19–20: a two-day blip, pending
 * and never fires. 2026-02-02–05: pending for three days, alerting on the fourth, then recovering
 * (still firing) on 02-06 and 02-07, resolved on 02-08. 2026-02-19–21: three days, exactly `for`,
 * still pending. One alert: 2026-02-05 to 02-07.
 */
export const PendingAlertingRecovering: Story = {
  name: 'Pending, alerting, recovering',
  render: chart(() => lifecycleContract()),
};

/** The same rule with the series ending on 2026-02-04 (`range.to: '2026-02-04'`, a whole day): the third breach day, pending now. */
export const NowPending: Story = {
  name: 'Now: pending',
  render: chart(() => lifecycleContract('2026-02-04', 'Qualified leads per day · to 2026-02-04: pending')),
};

/** Ending on 2026-02-05, the fourth breach day: alerting now. */
export const NowAlerting: Story = {
  name: 'Now: alerting',
  render: chart(() => lifecycleContract('2026-02-05', 'Qualified leads per day · to 2026-02-05: alerting')),
};

/** Ending on 2026-02-06, the first clean day after firing: recovering (still firing) now. */
export const NowRecovering: Story = {
  name: 'Now: recovering',
  render: chart(() => lifecycleContract('2026-02-06', 'Qualified leads per day · to 2026-02-06: recovering')),
};

// ---------------------------------------------------------------------------------------------
// No data

/**
 * The CRM-sync series against an "under 800 a day" floor (critical). It slumps under it on
 * 2026-01-15–16, then has no value on 01-17–18 (null points), 01-27–29 (no points at all: the day
 * grain lists them as null) and 02-07. `noData: 'nodata'` (the default): a gap is its own state,
 * `nodata`; the alert ends with the slump.
 */
export const NoDataNodata: Story = { name: 'noData: nodata', render: chart(() => noDataContract('nodata')) };
/** `noData: 'alerting'`: a gap counts as a breach, so the slump's alert runs on through 01-18, and each later gap fires. */
export const NoDataAlerting: Story = { name: 'noData: alerting', render: chart(() => noDataContract('alerting')) };
/** `noData: 'ok'`: a gap counts as a clean point: the alert resolves on 01-17 and the gaps stay quiet. */
export const NoDataOk: Story = { name: 'noData: ok', render: chart(() => noDataContract('ok')) };
/** `noData: 'keep-last'`: a gap keeps the state it follows: firing through 01-17–18, quiet on the later gaps. */
export const NoDataKeepLast: Story = { name: 'noData: keep-last', render: chart(() => noDataContract('keep-last')) };

/**
 * Gaps from events: the lead events miss 2026-01-24–25 and 02-07 entirely, so won / leads is 0 / 0
 * there, no value: the line breaks, never dips to 0%. The day after a gap has no previous point,
 * so the drop rule cannot judge it; the drop on 02-14 still fires.
 */
export const Gaps: Story = { render: chart(() => gapsContract()) };

// ---------------------------------------------------------------------------------------------
// Several series

/**
 * `split: { field: 'source', limit: 5 }` over the raw lead events: leads a day of the five largest
 * lead sources and "Other" (the remaining seven), each checked on its own against the same weekday
 * a week before (`lag: 7`, drop > 50%). Only paid search fires: its campaign pause, 2026-02-21–23.
 */
export const SplitBySource: Story = {
  name: 'Several series (split by lead source)',
  render: chart(() => leadsBySourceContract('overlay'), 900),
};

/** The same six series as small multiples (`display.layout: 'multiples'`), one panel each on a shared time axis. */
export const SmallMultiples: Story = {
  render: chart(() => leadsBySourceContract('multiples'), 900),
};

// ---------------------------------------------------------------------------------------------
// Sizes

/**
 * One point (¥2,380 on 2026-03-02): drawn as a mark, not an invisible line. It is in the middle
 * cost tier, so the steps rule fires at once; the drop rule has no earlier point to compare with.
 */
export const OnePoint: Story = {
  render: chart(() =>
    pointsContract('Cost per lead, today', {
      grain: 'day',
      points: [{ t: '2026-03-02', value: 2380 }],
      rules: [COST_TIERS, DROP_RULE],
      format: { style: 'currency', currency: 'CNY', maximumFractionDigits: 0 },
      display: { thresholds: 'line+area' },
    }),
  ),
};

/**
 * Five years of daily points (2021-01-01 to 2025-12-31, 1,826 points) against mean ± 4σ of the 42
 * days before each one. It fires on the first days of each Spring Festival week, the launch spike
 * of 2023-09-12 and the tracking outage of 2024-06-03, and nowhere else.
 */
export const FiveYears: Story = {
  name: 'Five years of daily points (band)',
  render: chart(() => fiveYearsContract(), 960),
};

// ---------------------------------------------------------------------------------------------
// Locale, theme and states

const COST_TIERS_ZH: AnomalyRule = { ...COST_TIERS, name: '获客成本分档' };

/** `locale: 'zh-CN'` with CNY: cost per lead in Chinese, amounts as ¥ and 万, dates and the widget's own words in Chinese. */
export const ChineseLocale: Story = {
  name: 'zh-CN locale',
  args: { locale: 'zh-CN' },
  render: chart(() => {
    const c = costPerLeadContract('line+area', { locale: 'zh-CN', timeZone: 'Asia/Shanghai' }, '单条线索成本（日）');
    return { ...c, anomaly: { ...c.anomaly, rules: [COST_TIERS_ZH] } };
  }),
};

/** `theme="dark"`: the cost tiers' shaded bands and the alert on a dark surface. */
export const Dark: Story = {
  args: { theme: 'dark' },
  render: chart(() => costPerLeadContract('line+area')),
};

/**
 * `state="loading"`: the contract comes from `src`, and the request never answers. (The story
 * holds fetches to a reserved `.invalid` host open until aborted; see support/pending-fetch.ts.)
 */
export const Loading: Story = {
  beforeEach: () => holdPendingFetches(),
  render: (args, { globals }) => {
    const s = widgetSettings(args, globals);
    return html`<div style="max-width: 760px">
      <anomaly-chart theme=${s.theme} renderer=${s.renderer} .locale=${s.locale} src=${`${PENDING_ORIGIN}/conversion.anomaly.json`}></anomaly-chart>
    </div>`;
  },
};

/** `state="empty"`: a valid contract over the lead events whose range (December 2025) holds no rows. */
export const Empty: Story = {
  render: chart(() => {
    const c = conversionContract({}, 'Lead conversion rate, December 2025');
    return { ...c, anomaly: { ...c.anomaly, range: { from: '2025-12-01', to: '2025-12-31' } } };
  }),
};

/**
 * `state="error"`: an invalid contract. The threshold rule has both `steps` and a `bound`; the
 * widget names the problem and its JSON path (`/anomaly/rules/0`) and fires `funnelkit-error`.
 */
export const InvalidContract: Story = {
  name: 'Error (invalid contract)',
  render: chart(() => {
    const c = costPerLeadContract('line+area');
    return { ...c, anomaly: { ...c.anomaly, rules: [{ ...COST_TIERS, bound: { op: '>', value: 5000 } }] } };
  }),
};
