import type { Meta, StoryContext, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import '../src/funnel-chart.js';
import type { FunnelContract } from '../src/analytics/contract.js';
import { appEvents, b2bEvents } from './support/sample.js';
import { widgetArgTypes, widgetSettings, type WidgetArgs } from './support/widget-args.js';

interface FunnelArgs extends WidgetArgs {
  /** Bar labels: counts, % of the first step, or % of the previous step. */
  metric?: 'count' | 'first' | 'previous';
  orientation?: 'vertical' | 'horizontal';
}

/** The six-stage B2B opportunity funnel (DOMAIN.md), English and Chinese stage names. */
const B2B_STEPS = [
  { event: 'opportunity_identified', en: 'Opportunity identified', zh: '商机识别' },
  { event: 'requirement_confirmed', en: 'Requirement confirmed', zh: '需求确认' },
  { event: 'solution_design', en: 'Solution design', zh: '方案设计' },
  { event: 'poc', en: 'Technical validation (POC)', zh: '技术验证' },
  { event: 'negotiation', en: 'Commercial negotiation', zh: '商务谈判' },
  { event: 'signed', en: 'Signed', zh: '签约' },
] as const;

/**
 * 800 opportunities identified over 180 days (seed 11, about 2,100 events). Deals take weeks per
 * stage, so the conversion window is 180 days.
 */
function b2bFunnel(options: { title?: string; zh?: boolean; breakdown?: FunnelContract['funnel']['breakdown'] } = {}): FunnelContract {
  return {
    version: 1,
    kind: 'funnel',
    title: options.title ?? 'B2B opportunity funnel',
    ...(options.zh ? { locale: 'zh-CN' } : {}),
    data: { rows: b2bEvents() },
    fields: { entity: 'entity', time: 'ts', event: 'event', segments: ['region', 'customerType', 'industry', 'tier'] },
    funnel: {
      steps: B2B_STEPS.map((s) => ({ event: s.event, label: options.zh ? s.zh : s.en })),
      window: '180d',
      ...(options.breakdown ? { breakdown: options.breakdown } : {}),
    },
  };
}

function chart(contract: () => FunnelContract) {
  return (args: FunnelArgs, { globals }: StoryContext<FunnelArgs>) => {
    const s = widgetSettings(args, globals);
    return html`<div style="max-width: 820px">
      <funnel-chart
        theme=${s.theme}
        renderer=${s.renderer}
        .locale=${s.locale}
        metric=${args.metric ?? 'count'}
        orientation=${args.orientation ?? 'vertical'}
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
    metric: { control: 'inline-radio', options: ['count', 'first', 'previous'], description: '`metric` attribute: bar labels' },
    orientation: { control: 'inline-radio', options: ['vertical', 'horizontal'], description: '`orientation` attribute' },
  },
  parameters: {
    docs: {
      description: {
        component:
          'A conversion funnel computed in the browser from raw events: each bar is the entities that reached the step, the ghost is what the first step had, and the largest drop-off is drawn in the alert colour.',
      },
    },
  },
} satisfies Meta<FunnelArgs>;

export default meta;
type Story = StoryObj<FunnelArgs>;

/** The six B2B stages; the break point is requirement confirmation, where ~40% of deals are lost. */
export const OpportunityFunnel: Story = { name: 'B2B opportunity funnel', render: chart(() => b2bFunnel()) };

/** Bars labelled with the conversion from the previous step (`metric="previous"`). */
export const StepConversion: Story = {
  args: { metric: 'previous' },
  render: chart(() => b2bFunnel({ title: 'B2B opportunity funnel, step-to-step conversion' })),
};

/** Split by customer type (carrier, enterprise, consumer): grouped bars and a legend. */
export const BreakdownByCustomerType: Story = {
  render: chart(() => b2bFunnel({ title: 'B2B funnel by customer type', breakdown: { field: 'customerType' } })),
};

/** The app funnel (访问 → 注册 → 下单 → 复购) of 1,500 users over 8 weeks, by device: horizontal bars labelled with the conversion from the first step. */
export const AppFunnelByDevice: Story = {
  args: { orientation: 'horizontal', metric: 'first' },
  render: chart(() => ({
    version: 1,
    kind: 'funnel',
    title: 'App funnel by device',
    data: { rows: appEvents() },
    fields: { entity: 'entity', time: 'ts', event: 'event', segments: ['device', 'newUser', 'source'] },
    funnel: {
      steps: [
        { event: 'visit', label: 'Visit' },
        { event: 'register', label: 'Register' },
        { event: 'order', label: 'Order' },
        { event: 'repurchase', label: 'Repurchase' },
      ],
      window: '60d',
      breakdown: { field: 'device' },
    },
  })),
};

/** Counts already aggregated in a warehouse (lead handling: 归集 → 清洗 → 评估 → 分配 → 转化); no events needed. */
export const PreAggregated: Story = {
  render: chart(() => ({
    version: 1,
    kind: 'funnel',
    title: 'Lead handling, this quarter',
    data: { rows: [] },
    fields: {},
    funnel: {
      steps: [
        { name: 'Collected', count: 12_480 },
        { name: 'Cleansed', count: 10_320 },
        { name: 'Evaluated', count: 6_150 },
        { name: 'Assigned', count: 4_870 },
        { name: 'Converted', count: 1_620 },
      ],
    },
  })),
};

/** Chinese stage names and the widget's own words in Chinese. */
export const ChineseStages: Story = {
  name: 'zh-CN stages',
  args: { locale: 'zh-CN' },
  render: chart(() => b2bFunnel({ title: '商机漏斗', zh: true })),
};

/** The B2B funnel in the dark theme. */
export const Dark: Story = {
  args: { theme: 'dark' },
  render: chart(() => b2bFunnel()),
};
