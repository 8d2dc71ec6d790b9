import { html, nothing, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { View } from 'vega';
import type { FunnelContract, FunnelStepResult, FunnelViewModel } from '../analytics/index.js';
import { formatDuration, formatNumber, formatPercent } from '../specs/format.js';
import {
  autoOrientation,
  buildFunnelSpec,
  COMPACT_LABEL_WIDTH,
  previousSteps,
  stepHasBadge,
  verticalLabelBand,
  stepKey,
  stepLabel,
  type FunnelMetric,
  type FunnelOrientation,
  type FunnelView,
} from '../specs/funnel-spec.js';
import { groupName } from '../specs/group-names.js';
import { message } from '../specs/messages.js';
import type { SpecContext } from '../specs/spec-context.js';
import { emit } from './emit.js';
import type { DataTableModel } from './funnelkit-element.js';
import { VegaElement } from './vega-element.js';
import { funnelChartStyles } from './funnel-chart.styles.js';
import { focusAfterUpdate, listMove } from './roving-focus.js';
import { styleProps } from './style-props.js';

/** Detail of `funnel-step-click`. */
export interface FunnelStepClickDetail {
  index: number;
  name: string;
  /** Breakdown value of the clicked bar; null for a step label or a funnel without breakdown. */
  group: string | null;
  count: number;
  conversionFromFirst: number;
  conversionFromPrevious: number;
  dropOff: number;
  dropOffRate: number;
  /** Entities that reached the step (capped by the contract's `entityLimit`). */
  convertedIds: string[];
  /** Entities that reached the previous step and not this one (capped). */
  droppedIds: string[];
  /** Entities stuck at the step past its `maxDwell`, longest first (capped). */
  stuckIds: string[];
}

/** Narrower step labels show the drop-off marker as ▼ alone (its words are in the tooltip). */
const DROP_BADGE_TEXT_WIDTH = 100;

/** Line height of step labels, px (11 px text × 1.3). */
const LABEL_LINE_HEIGHT = 14.3;

interface LabelBox {
  left: number;
  top: number;
  width: number;
  height: number;
  compact: boolean;
  /** Lines of name that fit: the rest is cut with an ellipsis. */
  lines: number;
}

/**
 * A conversion funnel computed in the browser from raw events (PostHog semantics) or drawn from
 * pre-aggregated step counts: where entities drop off, how long they take, and whether
 * conversion is improving.
 *
 * @summary Conversion funnel from raw events.
 * @tagname funnel-chart
 *
 * @attr view - `steps` (default), `time-to-convert` (histogram, median marked) or `trends` (conversion by entry period).
 * @attr metric - Bar labels: `count` (default), `first` (% of first step) or `previous` (% of previous step).
 * @attr orientation - `vertical` or `horizontal` bars; unset, vertical up to 8 steps and horizontal beyond.
 *
 * @fires {CustomEvent<FunnelStepClickDetail>} funnel-step-click - A step bar was clicked, or a step label clicked or activated with Enter or Space; detail has the step index, name, group, count, rates and entity ids.
 *
 * @csspart summary - The headline: conversion from first to last step, counts, median time to convert.
 * @csspart steps - The list of step labels laid over the chart.
 * @csspart step-label - One step label: a button that takes focus (arrow keys move between steps).
 * @csspart stuck-badge - The count of entities stuck past the step's dwell limit.
 * @csspart drop-badge - Marks the step with the largest drop-off when bars are grouped by a breakdown.
 */
export class FunnelChart extends VegaElement<FunnelContract, FunnelViewModel> {
  static override styles = [...VegaElement.styles, funnelChartStyles];

  @property({ reflect: true }) view: FunnelView = 'steps';

  @property({ reflect: true }) metric: FunnelMetric = 'count';

  @property({ reflect: true }) orientation?: FunnelOrientation;

  /** Where each step label sits over the chart, from the view's band scale. */
  @state() private labelBoxes: LabelBox[] = [];

  /** The step label that takes Tab focus (roving tabindex). */
  @state() private focusIndex = 0;

  protected readonly kind = 'funnel' as const;

  protected isEmpty(vm: FunnelViewModel): boolean {
    return vm.steps.every((s) => s.count === 0);
  }

  private orientationFor(vm: FunnelViewModel): FunnelOrientation {
    return this.orientation ?? autoOrientation(vm.steps.length);
  }

  protected buildSpec(vm: FunnelViewModel, context: SpecContext) {
    return buildFunnelSpec(vm, context, { view: this.view, metric: this.metric, orientation: this.orientationFor(vm) });
  }

  protected override chartMinHeight(vm: FunnelViewModel): number {
    if (this.view !== 'steps' || this.orientationFor(vm) !== 'horizontal') return 0;
    const groups = vm.breakdown?.length ?? 1;
    return vm.steps.length * Math.max(30, groups * 9 + 10) + 40;
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    super.willUpdate(changed as never);
    // Labels are placed again once the new layout is drawn.
    if (changed.has('orientation') || changed.has('view')) this.labelBoxes = [];
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    super.updated(changed as never);
    if (changed.has('metric') || changed.has('orientation') || changed.has('view')) this.requestRedraw();
  }

  protected override viewUpdated(view: View, mode: 'embed' | 'update'): void {
    if (mode === 'embed') {
      view.addEventListener('click', (_event, item) => {
        const datum = (item as { datum?: { index?: number; value?: string } } | null)?.datum;
        if (!datum || typeof datum.index !== 'number' || this.view !== 'steps') return;
        this.fireStepClick(datum.index, this.viewModel?.breakdown ? (datum.value ?? null) : null);
      });
    }
    this.labelBoxes = this.view === 'steps' && this.viewModel ? this.placeLabels(view, this.viewModel) : [];
  }

  /** Positions the HTML step labels on the band scale Vega laid out. */
  private placeLabels(view: View, vm: FunnelViewModel): LabelBox[] {
    const horizontal = this.orientationFor(vm) === 'horizontal';
    let scale: ((value: string) => number | undefined) & { bandwidth?: () => number };
    try {
      scale = view.scale(horizontal ? 'y' : 'x') as typeof scale;
    } catch {
      return [];
    }
    if (!scale?.bandwidth) return [];
    // origin() is measured inside the padding, where the band for these labels is kept.
    const padding = view.padding() as { left: number; top: number };
    const ox = view.origin()[0] + padding.left;
    const oy = view.origin()[1] + padding.top;
    const band = scale.bandwidth();
    const plotHeight = view.height();
    const room = verticalLabelBand(vm) - 6;
    const lines = (height: number, badge: boolean) => Math.max(1, Math.min(2, Math.floor((height - 4 - (badge ? 18 : 0)) / LABEL_LINE_HEIGHT)));
    return vm.steps.map((s) => {
      const at = scale(stepKey(s)) ?? 0;
      const badge = stepHasBadge(vm, s.index);
      return horizontal
        ? { left: 0, top: oy + at, width: Math.max(40, ox - 8), height: band, compact: false, lines: lines(band, false) }
        : { left: ox + at - 4, top: oy + plotHeight + 4, width: band + 8, height: room, compact: band < COMPACT_LABEL_WIDTH, lines: lines(room, badge) };
    });
  }

  /** The headline PostHog shows above a funnel: overall conversion, first → last, median time. */
  protected override renderSummary(vm: FunnelViewModel): TemplateResult {
    const locale = this.effectiveLocale;
    const first = vm.steps[0];
    const last = vm.steps[vm.steps.length - 1];
    const median = vm.timeToConvert?.medianMs ?? null;
    return html`<p part="summary">
      <strong>${formatPercent(last.conversionFromFirst, locale)}</strong> ${message('overallConversion', locale)}
      <span class="figures">${formatNumber(first.count, locale)} → ${formatNumber(last.count, locale)}</span>
      ${median !== null && vm.steps.length > 1 ? html`<span class="figures">${message('medianTimeToConvert', locale)} ${formatDuration(median, locale)}</span>` : nothing}
    </p>`;
  }

  protected override renderOverlay(vm: FunnelViewModel): TemplateResult | typeof nothing {
    if (this.view !== 'steps' || this.labelBoxes.length !== vm.steps.length) return nothing;
    const locale = this.effectiveLocale;
    const horizontal = this.orientationFor(vm) === 'horizontal';
    return html`<ol part="steps" class=${horizontal ? 'horizontal' : 'vertical'} aria-label=${message('stepsLabel', locale)}>
      ${vm.steps.map((s, i) => {
        const box = this.labelBoxes[i];
        const stuck = s.stuck && s.stuck.count > 0 ? s.stuck : null;
        const stuckText = stuck ? `${formatNumber(stuck.count, locale)} ${message('stuckBadge', locale)}` : '';
        const stuckTitle = stuck ? `${stuckText}: ${message('stuckOver', locale)} ${formatDuration(stuck.maxDwellMs, locale)}` : '';
        // Grouped bars cannot all turn red: the label carries the break point instead.
        const worst = i === vm.largestDropOff;
        const dropBadge = worst && Boolean(vm.breakdown);
        // The accessible name is the label's own text (so it always contains what is seen, WCAG
        // 2.5.3) plus visually hidden words: the full name of a compact label, separators, the
        // figures. The ▼ and ⚠ marks are hidden from screen readers.
        return html`<li>
          <button
            part="step-label"
            type="button"
            class=${box.compact ? 'compact' : ''}
            data-index=${i}
            tabindex=${i === this.focusIndex ? 0 : -1}
            style=${styleProps({ left: `${box.left}px`, top: `${box.top}px`, width: `${box.width}px`, height: `${box.height}px`, '--lines': box.lines })}
            title=${[stepKey(s), worst ? message('largestDropOff', locale) : '', stuckTitle].filter(Boolean).join('\n')}
            @click=${() => this.fireStepClick(i, null)}
            @keydown=${(e: KeyboardEvent) => this.onLabelKey(e, i, vm.steps.length)}
          >
            <span class="name">${box.compact ? html`${i + 1}${srOnly(`. ${s.name}`)}` : stepKey(s)}</span>
            ${dropBadge
              ? html`${srOnly(', ')}<span part="drop-badge"><span aria-hidden="true">▼</span> ${box.width < DROP_BADGE_TEXT_WIDTH
                    ? srOnly(message('largestDropOff', locale))
                    : message('largestDropOff', locale)}</span>`
              : nothing}
            ${stuck
              ? html`${srOnly(', ')}<span part="stuck-badge"><span aria-hidden="true">⚠</span> ${box.compact
                    ? html`${formatNumber(stuck.count, locale)}${srOnly(` ${message('stuckBadge', locale)}`)}`
                    : stuckText}</span>`
              : nothing}
            ${srOnly(this.stepFigures(s, locale, worst && !dropBadge))}
          </button>
        </li>`;
      })}
    </ol>`;
  }

  /** What a step label says to a screen reader after its visible text: ", Entities 3, …". */
  private stepFigures(s: FunnelStepResult, locale: string, worst: boolean): string {
    const parts = [
      `${message('entities', locale)} ${formatNumber(s.count, locale)}`,
      `${message('fromFirst', locale)} ${formatPercent(s.conversionFromFirst, locale)}`,
    ];
    if (s.index > 0) parts.push(`${message('dropOff', locale)} ${formatNumber(s.dropOff, locale)} (${formatPercent(s.dropOffRate, locale)})`);
    if (worst) parts.push(message('largestDropOff', locale));
    return `, ${parts.join(', ')}`;
  }

  /** Arrow keys, Home and End move focus between step labels; Enter and Space click (native). */
  private onLabelKey(event: KeyboardEvent, index: number, count: number): void {
    const next = listMove(event.key, index, count);
    if (next === undefined) return;
    event.preventDefault();
    this.focusIndex = next;
    focusAfterUpdate(this, `[part="step-label"][data-index="${next}"]`);
  }

  private fireStepClick(index: number, groupValue: string | null): void {
    const vm = this.viewModel;
    if (!vm) return;
    const group = groupValue === null ? null : (vm.breakdown?.find((g) => g.value === groupValue) ?? null);
    const step = (group?.steps ?? vm.steps)[index];
    if (!step) return;
    emit<FunnelStepClickDetail>(this, 'funnel-step-click', {
      index: step.index,
      name: step.name,
      group: group ? group.value : null,
      count: step.count,
      conversionFromFirst: step.conversionFromFirst,
      conversionFromPrevious: step.conversionFromPrevious,
      dropOff: step.dropOff,
      dropOffRate: step.dropOffRate,
      convertedIds: step.convertedIds ?? [],
      droppedIds: step.droppedIds ?? [],
      stuckIds: step.stuck?.entities.map((e) => e.id) ?? [],
    });
  }

  protected describe(vm: FunnelViewModel): DataTableModel {
    const locale = this.effectiveLocale;
    if (this.view === 'time-to-convert') {
      const ttc = vm.timeToConvert;
      return {
        columns: [message('timeToConvert', locale), message('entities', locale)],
        rows: (ttc?.bins ?? []).map((b) => [`${formatDuration(b.startMs, locale)} – ${formatDuration(b.endMs, locale)}`, formatNumber(b.count, locale)]),
      };
    }
    if (this.view === 'trends') {
      return {
        columns: [message('period', locale), message('entered', locale), message('converted', locale), message('conversionRate', locale)],
        rows: (vm.trends?.points ?? []).map((p) => [
          p.incomplete ? `${p.period} (${message('incomplete', locale)})` : p.period,
          formatNumber(p.entered, locale),
          formatNumber(p.converted, locale),
          p.rate === null ? '–' : formatPercent(p.rate, locale),
        ]),
      };
    }
    const groups = vm.breakdown ?? [{ value: '', steps: vm.steps }];
    const compared = vm.comparison ?? null;
    const stuck = vm.steps.some((s) => s.stuck);
    return {
      columns: [
        ...(vm.breakdown ? [message('group', locale)] : []),
        message('step', locale),
        message('entities', locale),
        message('fromFirst', locale),
        message('fromPrevious', locale),
        ...(stuck ? [message('stuck', locale)] : []),
        ...(compared ? [message('previous', locale)] : []),
      ],
      rows: groups.flatMap((g) => {
        const before = previousSteps(vm, g.value);
        return g.steps.map((s) => [
          ...(vm.breakdown ? [groupName(g.value, true, locale)] : []),
          s.name,
          stepLabel(s, 'count', locale),
          formatPercent(s.conversionFromFirst, locale),
          formatPercent(s.conversionFromPrevious, locale),
          ...(stuck ? [s.stuck ? formatNumber(s.stuck.count, locale) : ''] : []),
          ...(compared ? [before ? formatNumber(before[s.index].count, locale) : '–'] : []),
        ]);
      }),
    };
  }
}

/** Text for screen readers only (the base styles' `.visually-hidden`). */
function srOnly(text: string): TemplateResult {
  return html`<span class="visually-hidden">${text}</span>`;
}

declare global {
  interface HTMLElementEventMap {
    'funnel-step-click': CustomEvent<FunnelStepClickDetail>;
  }
}
