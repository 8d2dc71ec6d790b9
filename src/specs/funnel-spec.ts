/**
 * `<funnel-chart>` steps view: one bar per step, the converted part solid and the part lost
 * since the first step ghosted; the largest drop-off in the alert colour; with a breakdown,
 * grouped bars and a legend that is always shown.
 * @module
 */
import type { VisualizationSpec } from 'vega-embed';
import type { FunnelStepResult, FunnelViewModel } from '../analytics/funnel.js';
import { formatDuration, formatNumber, formatPercent } from './format.js';
import { message } from './messages.js';
import type { SpecContext } from './spec-context.js';

export type FunnelMetric = 'count' | 'first' | 'previous';
export type FunnelOrientation = 'vertical' | 'horizontal';

export interface FunnelSpecOptions {
  metric: FunnelMetric;
  orientation: FunnelOrientation;
}

/** The bar label for a step under the chosen metric. */
export function stepLabel(step: FunnelStepResult, metric: FunnelMetric, locale: string): string {
  if (metric === 'first') return formatPercent(step.conversionFromFirst, locale);
  if (metric === 'previous') return formatPercent(step.conversionFromPrevious, locale);
  return formatNumber(step.count, locale);
}

export function buildFunnelSpec(vm: FunnelViewModel, ctx: SpecContext, options: FunnelSpecOptions): VisualizationSpec {
  const { locale, tokens } = ctx;
  const groups = vm.breakdown ?? [{ value: '', steps: vm.steps }];
  const grouped = Boolean(vm.breakdown);
  const order = vm.steps.map((s, i) => stepAxisLabel(s.name, i));
  const rows = groups.flatMap((g) => {
    const first = g.steps[0]?.count ?? 0;
    return g.steps.map((s) => ({
      step: stepAxisLabel(s.name, s.index),
      name: s.name,
      index: s.index,
      group: g.value === '' && grouped ? message('none', locale) : g.value,
      count: s.count,
      ghost: Math.max(0, first - s.count),
      base: first,
      label: stepLabel(s, options.metric, locale),
      fromFirst: formatPercent(s.conversionFromFirst, locale),
      fromPrevious: formatPercent(s.conversionFromPrevious, locale),
      dropOff: `${formatNumber(s.dropOff, locale)} (${formatPercent(s.dropOffRate, locale)})`,
      time: s.medianTimeMs === null ? '–' : formatDuration(s.medianTimeMs, locale),
      worst: !grouped && s.index === vm.largestDropOff,
    }));
  });
  const horizontal = options.orientation === 'horizontal';
  const stepChannel = horizontal ? 'y' : 'x';
  const valueChannel = horizontal ? 'x' : 'y';
  const offsetChannel = horizontal ? 'yOffset' : 'xOffset';
  const stepEncoding = {
    field: 'step',
    type: 'nominal',
    sort: order,
    title: null,
    axis: { labelAngle: 0, labelLimit: horizontal ? 160 : Math.max(60, ctx.width / Math.max(1, order.length) - 8), labelExpr: 'split(datum.label, "\\n")' },
  };
  const tooltip = [
    { field: 'name', title: message('step', locale) },
    ...(grouped ? [{ field: 'group', title: message('group', locale) }] : []),
    { field: 'count', type: 'quantitative', title: message('entities', locale), format: ',' },
    { field: 'fromFirst', title: message('fromFirst', locale) },
    { field: 'fromPrevious', title: message('fromPrevious', locale) },
    { field: 'dropOff', title: message('dropOff', locale) },
    { field: 'time', title: message('medianTime', locale) },
  ];
  const offset = { field: 'group', type: 'nominal', sort: groups.map((g) => g.value) };
  const groupEncoding: Record<string, unknown> = grouped
    ? {
        [offsetChannel]: offset,
        color: { field: 'group', type: 'nominal', sort: groups.map((g) => g.value), title: null, legend: { orient: 'top', direction: 'horizontal' } },
      }
    : {
        color: {
          condition: { test: 'datum.worst', value: tokens.alert },
          value: tokens.accent,
        },
      };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: ctx.width,
    height: ctx.height,
    autosize: { type: 'fit', contains: 'padding' },
    datasets: { steps: rows },
    data: { name: 'steps' },
    encoding: { [stepChannel]: stepEncoding },
    layer: [
      {
        // Ghost: what the first step had, so the lost part reads at a glance.
        mark: { type: 'bar', color: tokens.ghost, opacity: 0.55, cornerRadiusEnd: 3 },
        encoding: {
          [valueChannel]: { field: 'base', type: 'quantitative', title: null, axis: { format: '~s', tickCount: 5, grid: true } },
          ...(grouped ? { [offsetChannel]: offset } : {}),
          tooltip,
        },
      },
      {
        mark: { type: 'bar', cornerRadiusEnd: 3, cursor: 'pointer' },
        encoding: { [valueChannel]: { field: 'count', type: 'quantitative' }, ...groupEncoding, tooltip },
        params: [{ name: 'hover', select: { type: 'point', on: 'pointerover', clear: 'pointerout' } }],
      },
      {
        mark: {
          type: 'text',
          [horizontal ? 'dx' : 'dy']: horizontal ? 4 : -6,
          align: horizontal ? 'left' : 'center',
          baseline: horizontal ? 'middle' : 'bottom',
          fontSize: 11,
          fontWeight: 600,
          color: tokens.text,
        },
        encoding: {
          [valueChannel]: { field: 'count', type: 'quantitative' },
          text: { field: 'label' },
          ...(grouped ? { [offsetChannel]: offset } : {}),
        },
      },
    ],
  } as VisualizationSpec;
}

/** Step names longer than a bar is wide wrap at spaces (Chinese labels are truncated by Vega with a tooltip). */
function stepAxisLabel(name: string, index: number): string {
  return `${index + 1}. ${name}`;
}
