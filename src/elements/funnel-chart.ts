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
import { groupName, seriesKey } from '../specs/group-names.js';
import { message } from '../specs/messages.js';
import type { SpecContext } from '../specs/spec-context.js';
import { emitWithFetchedIds, idList } from './drill-down.js';
import { emit } from './emit.js';
import type { DataTableModel } from './funnelkit-element.js';
import { VegaElement } from './vega-element.js';
import { funnelChartStyles } from './funnel-chart.styles.js';
import { focusAfterUpdate, listMove, markButton, type GridPosition, type MarkBox } from './roving-focus.js';
import { styleProps } from './style-props.js';
import { svgToPng, svgWithLabels, type SvgLabel } from './export.js';
import { readThemeTokens } from './theme-tokens.js';

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
 * @fires {CustomEvent<FunnelStepClickDetail>} funnel-step-click - A step bar was clicked, or a step label clicked or activated with Enter or Space; detail has the step index, name, group, count, rates and entity ids (for a warehouse result with `funnel.entitiesUrl`, fetched from it first; if that fails, `funnelkit-error` at `/funnel/entitiesUrl`, then the event without them).
 *
 * @csspart summary - The headline: conversion from first to last step, counts, median time to convert.
 * @csspart steps - The list of step labels laid over the chart.
 * @csspart step-label - One step label: a button that takes focus (arrow keys move between steps).
 * @csspart bars - With a breakdown: the group of buttons laid over the bars, one tab stop.
 * @csspart bar - One breakdown bar's button: arrow keys move from bar to bar; Enter or Space fires `funnel-step-click` with its group.
 * @csspart stuck-badge - The count of entities stuck past the step's dwell limit.
 * @csspart drop-badge - Marks the step with the largest drop-off in words ("▼ largest drop-off"), beside its red bar.
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

  /** With a breakdown, where each bar is drawn: `[step][group]`. */
  @state() private barBoxes: MarkBox[][] = [];

  /** The breakdown bar that takes Tab focus: a step (row) and group (column). */
  @state() private barFocus: GridPosition = { row: 0, column: 0 };

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

  /** Only the trends view has a time axis. */
  protected override showsTime(): boolean {
    return this.view === 'trends';
  }

  protected override chartMinHeight(vm: FunnelViewModel): number {
    if (this.view !== 'steps' || this.orientationFor(vm) !== 'horizontal') return 0;
    const groups = vm.breakdown?.length ?? 1;
    return vm.steps.length * Math.max(30, groups * 9 + 10) + 40;
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    super.willUpdate(changed as never);
    // Labels are placed again once the new layout is drawn.
    if (changed.has('orientation') || changed.has('view')) {
      this.labelBoxes = [];
      this.barBoxes = [];
    }
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
    const steps = this.view === 'steps' && this.viewModel;
    this.labelBoxes = steps ? this.placeLabels(view, this.viewModel!) : [];
    this.barBoxes = steps && this.viewModel!.breakdown ? this.placeBars(view, this.viewModel!) : [];
  }

  /** Where each breakdown bar is drawn, from the step, offset and value scales Vega laid out. */
  private placeBars(view: View, vm: FunnelViewModel): MarkBox[][] {
    const horizontal = this.orientationFor(vm) === 'horizontal';
    type Band = ((value: string) => number | undefined) & { bandwidth: () => number };
    let step: Band, offset: Band, value: (v: number) => number;
    try {
      step = view.scale(horizontal ? 'y' : 'x') as Band;
      offset = view.scale(horizontal ? 'yOffset' : 'xOffset') as Band;
      value = view.scale(horizontal ? 'x' : 'y') as (v: number) => number;
    } catch {
      return [];
    }
    if (!step?.bandwidth || !offset?.bandwidth || !value) return [];
    const padding = view.padding() as { left: number; top: number };
    const ox = view.origin()[0] + padding.left;
    const oy = view.origin()[1] + padding.top;
    const thick = offset.bandwidth();
    // At least 4 px along the value axis, so a bar of 0 still has a box to focus.
    return vm.steps.map((s) =>
      (vm.breakdown ?? []).map((g, gi) => {
        const across = (step(stepKey(s)) ?? 0) + (offset(seriesKey(gi)) ?? 0);
        const zero = value(0);
        const end = value(g.steps[s.index]?.count ?? 0);
        const length = Math.max(4, Math.abs(end - zero));
        return horizontal
          ? { left: ox + Math.min(zero, end), top: oy + across, width: length, height: thick }
          : { left: ox + across, top: oy + Math.min(zero, end - (zero - end < 4 ? 4 : 0)), width: thick, height: length };
      }),
    );
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
    return html`${this.renderStepLabels(vm)}${this.renderBars(vm)}`;
  }

  /**
   * With a breakdown, a button over each bar, so a keyboard reaches what a mouse clicks: one tab
   * stop after the step labels.
   */
  private renderBars(vm: FunnelViewModel): TemplateResult | typeof nothing {
    const groups = vm.breakdown;
    if (!groups || this.barBoxes.length !== vm.steps.length) return nothing;
    const locale = this.effectiveLocale;
    return html`<div part="bars" class="mark-buttons" role="group" aria-label=${message('breakdownBars', locale)}>
      ${vm.steps.map((s, row) =>
        groups.map((g, column) => {
          const box = this.barBoxes[row][column];
          const step = g.steps[s.index];
          if (!box || !step) return nothing;
          return markButton({
            part: 'bar',
            box,
            row,
            column,
            focused: row === this.barFocus.row && column === this.barFocus.column,
            name: `${groupName(g.value, true, locale)}, ${s.name}${this.stepFigures(step, locale)}`,
            click: () => this.fireStepClick(s.index, g.value),
            keydown: (e) => this.onBarKey(e, row, column, vm.steps.length, groups.length),
          });
        }),
      )}
    </div>`;
  }

  /**
   * The bars in drawn order (each step's groups, step after step): arrow keys move to the next or
   * previous bar, Home and End to the first and last.
   */
  private onBarKey(event: KeyboardEvent, row: number, column: number, steps: number, groups: number): void {
    const next = listMove(event.key, row * groups + column, steps * groups);
    if (next === undefined) return;
    event.preventDefault();
    this.barFocus = { row: Math.floor(next / groups), column: next % groups };
    focusAfterUpdate(this, `[part="bar"][data-row="${this.barFocus.row}"][data-column="${this.barFocus.column}"]`);
  }

  private renderStepLabels(vm: FunnelViewModel): TemplateResult {
    const locale = this.effectiveLocale;
    const horizontal = this.orientationFor(vm) === 'horizontal';
    return html`<ol part="steps" class=${horizontal ? 'horizontal' : 'vertical'} aria-label=${message('stepsLabel', locale)}>
      ${vm.steps.map((s, i) => {
        const box = this.labelBoxes[i];
        const stuck = s.stuck && s.stuck.count > 0 ? s.stuck : null;
        const stuckText = stuck ? `${formatNumber(stuck.count, locale)} ${message('stuckBadge', locale)}` : '';
        const stuckTitle = stuck ? `${stuckText}: ${message('stuckOver', locale)} ${formatDuration(stuck.maxDwellMs, locale)}` : '';
        // The label names the break point in words, so the red bar is never the only sign (and
        // grouped bars, which cannot all turn red, still show it).
        const worst = i === vm.largestDropOff;
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
            ${worst
              ? html`${srOnly(', ')}<span part="drop-badge"><span aria-hidden="true">▼</span> ${box.width < DROP_BADGE_TEXT_WIDTH
                    ? srOnly(message('largestDropOff', locale))
                    : message('largestDropOff', locale)}</span>`
              : nothing}
            ${stuck
              ? html`${srOnly(', ')}<span part="stuck-badge"><span aria-hidden="true">⚠</span> ${box.compact
                    ? html`${formatNumber(stuck.count, locale)}${srOnly(` ${message('stuckBadge', locale)}`)}`
                    : stuckText}</span>`
              : nothing}
            ${srOnly(this.stepFigures(s, locale))}
          </button>
        </li>`;
      })}
    </ol>`;
  }

  /** What a step label says to a screen reader after its visible text: ", Entities 3, …". */
  private stepFigures(s: FunnelStepResult, locale: string): string {
    const parts = [
      `${message('entities', locale)} ${formatNumber(s.count, locale)}`,
      `${message('fromFirst', locale)} ${formatPercent(s.conversionFromFirst, locale)}`,
    ];
    if (s.index > 0) parts.push(`${message('dropOff', locale)} ${formatNumber(s.dropOff, locale)} (${formatPercent(s.dropOffRate, locale)})`);
    return `, ${parts.join(', ')}`;
  }

  /**
   * The drawn funnel with its step names: Vega leaves their band empty for the HTML labels, so
   * the export writes them (and the drop-off and stuck badges) into the SVG where they are seen.
   */
  protected override async drawnSVG(vm: FunnelViewModel): Promise<string> {
    const svg = await super.drawnSVG(vm);
    if (this.view !== 'steps' || this.labelBoxes.length !== vm.steps.length) return svg;
    const tokens = readThemeTokens(this);
    const locale = this.effectiveLocale;
    const horizontal = this.orientationFor(vm) === 'horizontal';
    const labels = vm.steps.flatMap((s, i): SvgLabel[] => {
      const box = this.labelBoxes[i];
      // About 6 px a character at 11 px: cut what the box cannot hold, as the HTML label does.
      const fit = (text: string) => (text.length * 6 > box.width ? `${text.slice(0, Math.max(1, Math.floor(box.width / 6) - 1))}…` : text);
      const badges = [
        i === vm.largestDropOff ? { text: `▼ ${message('largestDropOff', locale)}`, color: tokens.alert } : null,
        s.stuck && s.stuck.count > 0 ? { text: `⚠ ${formatNumber(s.stuck.count, locale)} ${message('stuckBadge', locale)}`, color: tokens.text } : null,
      ].filter((b) => b !== null);
      const x = horizontal ? box.left + box.width - 4 : box.left + box.width / 2;
      const anchor: SvgLabel['anchor'] = horizontal ? 'end' : 'middle';
      const top = horizontal ? box.top + box.height / 2 - (badges.length * 14) / 2 : box.top + 10;
      return [
        { x, y: top, text: fit(stepKey(s)), anchor, color: tokens.muted, size: 11 },
        ...badges.map((b, k) => ({ x, y: top + 14 * (k + 1), text: fit(b.text), anchor, color: b.color, size: 10, weight: 600 })),
      ];
    });
    return svgWithLabels(svg, labels, tokens.font);
  }

  /** The PNG of {@link drawnSVG}, step names included. */
  protected override async drawnPNG(vm: FunnelViewModel, scale: number): Promise<Blob> {
    return this.view === 'steps' ? svgToPng(await this.drawnSVG(vm), scale) : super.drawnPNG(vm, scale);
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
    const detail: FunnelStepClickDetail = {
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
    };
    // A warehouse result carries counts only: its ids are fetched now, from where it says.
    const url = this.shownContract?.funnel.entitiesUrl;
    if (url && step.convertedIds === undefined) {
      // `{ converted, dropped }` from `GET <entitiesUrl>?step=&group=`; only strings are kept.
      const request = { url, params: { step: String(step.index), group: detail.group }, path: '/funnel/entitiesUrl' };
      emitWithFetchedIds(this, 'funnel-step-click', detail, request, (answer) => ({ convertedIds: idList(answer.converted), droppedIds: idList(answer.dropped) }));
      return;
    }
    emit<FunnelStepClickDetail>(this, 'funnel-step-click', detail);
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
