import type { Meta, StoryContext, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import '../src/anomaly-chart.js';
import type { AnomalyContract, Cell } from '../src/analytics/contract.js';
import { dailyKpis, dailyKpisCalm } from './support/sample.js';
import { widgetArgTypes, widgetSettings, type WidgetArgs } from './support/widget-args.js';

/** DOMAIN.md: a metric falling more than 10% day over day raises an alert. */
const dropRule = { type: 'change', drop: 0.1, severity: 'critical', label: 'Day-over-day drop' } as const;

function dailyConversion(rows: Array<Record<string, Cell>>, title = 'Lead conversion rate, daily'): AnomalyContract {
  return {
    version: 1,
    kind: 'anomaly',
    title,
    data: { rows },
    fields: { time: 'date', value: 'conversionRate' },
    anomaly: { metric: 'mean', interval: 'day', rules: [dropRule] },
  };
}

function chart(contract: () => AnomalyContract) {
  return (args: WidgetArgs, { globals }: StoryContext<WidgetArgs>) => {
    const s = widgetSettings(args, globals);
    return html`<div style="max-width: 760px">
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
          'A daily metric checked against alert rules. Data: 90 days of generated KPIs (seed 7) with one planted incident: conversion falls ~18% on 2026-03-06 and recovers the next day.',
      },
    },
  },
} satisfies Meta<WidgetArgs>;

export default meta;
type Story = StoryObj<WidgetArgs>;

/** The change rule `{ type: 'change', drop: 0.1, severity: 'critical' }` fires on 2026-03-06 (−17.9%), and only there. */
export const ConversionDrop: Story = { render: chart(() => dailyConversion(dailyKpis())) };

/** A threshold rule, drawn as a dashed line: the daily win rate under a 22% floor is a warning. */
export const Threshold: Story = {
  render: chart(() => ({
    version: 1,
    kind: 'anomaly',
    title: 'Opportunity win rate, daily',
    data: { rows: dailyKpis() },
    fields: { time: 'date', value: 'winRate' },
    anomaly: { metric: 'mean', rules: [{ type: 'threshold', below: 0.22, severity: 'warning', label: 'Win-rate floor' }] },
  })),
};

/** The same rule on the same 90 days without the incident: nothing falls more than 10%, the badge reads OK. */
export const NoAlerts: Story = { render: chart(() => dailyConversion(dailyKpisCalm())) };

/** The incident in the dark theme. */
export const Dark: Story = {
  args: { theme: 'dark' },
  render: chart(() => dailyConversion(dailyKpis())),
};
