import { css, html, nothing, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { View } from 'vega';
import type { AlertInterval, AnomalyContract, AnomalyViewModel, RuleState } from '../analytics/index.js';
import { isSplit, seriesName, stateLabel } from '../specs/anomaly-format.js';
import { anomalyMinHeight, BAR_MARK, buildAnomalySpec, hasBrush, HIT_MARK } from '../specs/anomaly-spec.js';
import type { AnomalyLayout } from '../specs/anomaly-data.js';
import { wallTime } from '../specs/format.js';
import { alertLine, anomalyTable, pointLabels, ruleStatesNow, stateChanges, summarySentence } from '../specs/anomaly-text.js';
import { message } from '../specs/messages.js';
import type { SpecContext } from '../specs/spec-context.js';
import { emit } from './emit.js';
import type { AnomalyPointClickDetail, AnomalyStateChangeDetail, DrawMode } from './events.js';
import type { DataTableModel } from './funnelkit-element.js';
import { focusAfterUpdate } from './roving-focus.js';
import { styleProps } from './style-props.js';
import { readThemeTokens } from './theme-tokens.js';
import { VegaElement } from './vega-element.js';

export type { AnomalyPointClickDetail, AnomalyStateChangeDetail, AnomalyRuleStateChange } from './events.js';

/** A point's hit target on screen, in the plot box's pixels. */
interface PointBox {
  si: number;
  pi: number;
  /** Where it is drawn (wall-clock ms), to zoom around. */
  t: number;
  left: number;
  top: number;
}

type SceneNode = { items?: SceneNode[]; marktype?: string; name?: string; x?: number; y?: number; width?: number; datum?: { si?: number; pi?: number; t?: number } };

/**
 * A metric over time checked against Grafana-style alert rules (threshold steps and bounds,
 * changes against an earlier point, baseline bands): the series as a line, area or bars with
 * null values as gaps, thresholds as lines or shaded steps, breaching points by severity and
 * alert intervals shaded behind; several series overlaid or as small multiples; an overview strip
 * to brush the time axis. Above it, the current state as a badge and the latest alerts.
 *
 * Keyboard: the chart's points are one tab stop (arrow keys move between points and series,
 * Home and End to a series' ends, Enter or Space clicks, `+` and `-` zoom around the point, `0`
 * or Escape resets the zoom); each listed alert is a button that clicks its peak point.
 *
 * @summary Alert rules on a time series, Grafana-style.
 * @tagname anomaly-chart
 *
 * @attr layout - `overlay` (series drawn over each other) or `multiples` (one panel per series); overrides the contract's `display.layout`.
 *
 * @fires {CustomEvent<AnomalyPointClickDetail>} anomaly-point-click - A point was clicked, or focused and activated with Enter or Space, or an alert's button pressed (its peak point); detail has the series, period, start, value and every rule's evaluation.
 * @fires {CustomEvent<AnomalyStateChangeDetail>} anomaly-state-change - After a render in which some rule's current state differs from the previous render's (on the first render: some rule is not normal); detail has the overall state, the previous one and the changes.
 *
 * @csspart state - The current state badge (`data-state`: `normal`, `pending`, `alerting`, `recovering` or `nodata`; `data-severity` while firing).
 * @csspart alerts - The list of the most recent alerts.
 * @csspart alert - One recent alert: a button that clicks its peak point.
 * @csspart legend - What the series and marks mean.
 * @csspart points - The layer of point buttons over the chart.
 * @csspart point - One point's button: it takes focus (arrow keys move).
 * @csspart reset-zoom - Resets a zoomed time axis.
 */
export class AnomalyChart extends VegaElement<AnomalyContract, AnomalyViewModel> {
  static override styles = [
    ...VegaElement.styles,
    css`
      /* The badge, the latest alerts beneath it. */
      .summary { display: flex; flex-direction: column; align-items: flex-start; gap: 4px; font-size: 13px; }
      /* Badges: each state's token toward the text colour on its tint, 4.5:1 in both themes. */
      [part='state'], .severity { font-weight: 600; padding: 2px 8px; border-radius: 999px; white-space: nowrap; }
      [part='state'] { color: color-mix(in srgb, var(--_fk-color-success) 70%, var(--_fk-color-text)); background: color-mix(in srgb, var(--_fk-color-success) 14%, transparent); }
      [part='state'][data-state='pending'], [data-severity='warning'] { color: var(--_fk-color-text); background: color-mix(in srgb, var(--_fk-color-warning) 30%, transparent); }
      [data-severity='critical'] { color: color-mix(in srgb, var(--_fk-color-alert) 70%, var(--_fk-color-text)); background: color-mix(in srgb, var(--_fk-color-alert) 14%, transparent); }
      [part='state'][data-state='recovering'] { color: var(--_fk-color-text); background: color-mix(in srgb, var(--_fk-color-warning) 12%, transparent); outline: 1px dashed var(--_fk-color-muted); }
      [part='state'][data-state='nodata'] { color: var(--_fk-color-text); background: color-mix(in srgb, var(--_fk-color-grid) 70%, transparent); }
      [part='alerts'] { display: flex; flex-direction: column; gap: 2px; margin: 0; padding: 0; list-style: none; color: var(--_fk-color-muted); }
      [part='alert'] { display: inline-flex; flex-wrap: wrap; align-items: center; gap: 2px 6px; min-height: 24px; padding: 1px 2px; font: inherit; font-size: 12px; color: var(--_fk-color-text); text-align: left; background: none; border: 0; border-radius: 4px; cursor: pointer; }
      [part='alert'] .severity { font-size: 11px; padding: 0 6px; }
      [part='alert'] .muted { color: var(--_fk-color-muted); }
      [part='alert']:hover .name { text-decoration: underline; }
      .skeleton-alert { min-height: 24px; font-size: 12px; }
      .skeleton-line.severity span, .skeleton-alert span { font-size: inherit; width: 160px; }
      .skeleton-legend span { font-size: 11px; }
      [part='legend'] { display: flex; flex-wrap: wrap; gap: 2px 12px; font-size: 11px; color: var(--_fk-color-muted); }
      .key { display: inline-flex; align-items: center; gap: 4px; }
      .swatch { display: inline-block; width: 14px; height: 0; border-top: 2px solid var(--swatch, var(--_fk-color-accent)); }
      .swatch.band { height: 8px; border: 0; background: color-mix(in srgb, var(--_fk-color-accent) 20%, transparent); }
      .swatch.expected { border-top: 1px dashed var(--_fk-color-accent); }
      .swatch.threshold { border-top: 1.5px dashed var(--_fk-color-muted); }
      .swatch.dot { width: 8px; height: 8px; border: 0; border-radius: 50%; background: var(--_fk-color-warning); }
      .swatch.dot.critical { background: var(--_fk-color-alert); }
      .swatch.period { height: 10px; border: 0; background: color-mix(in srgb, var(--_fk-color-alert) 18%, transparent); }
      [part='points'] { position: absolute; inset: 0; pointer-events: none; }
      /* Over the Vega marks, which keep the pointer (tooltip, click, brush): the buttons are for focus. */
      [part='point'] { position: absolute; width: 16px; height: 16px; margin: -8px 0 0 -8px; padding: 0; background: none; border: 0; border-radius: 50%; pointer-events: none; }
      [part='point']:focus-visible { outline: 2px solid var(--_fk-color-text); outline-offset: 1px; box-shadow: 0 0 0 2px var(--_fk-color-background) inset; }
      [part='reset-zoom'] { position: absolute; top: 0; right: 0; font: 11px var(--_fk-font-family); color: var(--_fk-color-text); background: var(--_fk-color-background); border: 1px solid var(--_fk-color-muted); border-radius: 4px; padding: 1px 6px; cursor: pointer; }
      [part='alert']:focus-visible, [part='reset-zoom']:focus-visible { outline: 2px solid var(--_fk-color-accent); outline-offset: 1px; }
    `,
  ];

  /** Overlay the series or draw one panel each; unset: the contract's `display.layout`. */
  @property({ reflect: true }) layout?: AnomalyLayout;

  /** Where each drawn point sits over the chart, from the view's scenegraph. */
  @state() private pointBoxes: PointBox[] = [];

  /** The point that takes Tab focus (roving tabindex). */
  @state() private focusAt: { si: number; pi: number } | null = null;

  @state() private zoomed = false;

  /** The series colours in force (the theme's palette), for the legend. */
  @state() private seriesColors: string[] = [];

  /** Each rule's state per series at the last render, and the overall one: null before the first. */
  private previousStates: Map<string, RuleState> | null = null;
  private previousState: RuleState | null = null;
  private placeTimer: ReturnType<typeof setTimeout> | undefined;
  private labels: { vm: AnomalyViewModel; locale: string; text: string[][] } | null = null;

  protected readonly kind = 'anomaly' as const;

  protected isEmpty(vm: AnomalyViewModel): boolean {
    return vm.series.every((s) => s.points.length === 0);
  }

  protected buildSpec(vm: AnomalyViewModel, context: SpecContext) {
    return buildAnomalySpec(vm, context, { layout: this.layout });
  }

  /** The series runs along a time axis. */
  protected override showsTime(): boolean {
    return true;
  }

  protected override chartMinHeight(vm: AnomalyViewModel): number {
    return anomalyMinHeight(vm, this.layout);
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    super.updated(changed as never);
    if (changed.has('layout')) this.requestRedraw();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.placeTimer);
  }

  protected override viewUpdated(view: View, mode: DrawMode): void {
    if (mode === 'embed') {
      view.addEventListener('click', (_event, item) => {
        const node = item as (SceneNode & { mark?: { name?: string } }) | null;
        const name = node?.mark?.name ?? '';
        const d = node?.datum;
        if ((name.startsWith(`${HIT_MARK}_`) || name.startsWith(`${BAR_MARK}_`)) && typeof d?.si === 'number' && typeof d.pi === 'number') this.firePointClick(d.si, d.pi);
      });
      view.addSignalListener('zoom', () => this.zoomChanged(view));
      if (this.viewModel && hasBrush(this.viewModel)) {
        view.addSignalListener('brush', () => {
          // A brush takes over from a keyboard zoom.
          if (view.signal('zoom') !== null && Object.keys(view.signal('brush') ?? {}).length) void view.signal('zoom', null).runAsync();
          this.zoomChanged(view);
        });
      }
      this.zoomed = false;
    }
    this.seriesColors = readThemeTokens(this).series;
    this.placePoints(view);
  }

  private zoomChanged(view: View): void {
    const brush = this.viewModel && hasBrush(this.viewModel) ? (view.signal('brush') as object | null) : null;
    this.zoomed = view.signal('zoom') !== null || Object.keys(brush ?? {}).length > 0;
    // After the run that moved the scales has laid out the marks.
    clearTimeout(this.placeTimer);
    this.placeTimer = setTimeout(() => this.placePoints(view), 0);
  }

  /** Positions the point buttons on the hit marks Vega laid out, leaving out those zoomed off the plot. */
  private placePoints(view: View): void {
    if (view !== this.vegaView) return;
    const svg = this.renderRoot.querySelector('[part="chart"] svg, [part="chart"] canvas');
    const plot = this.renderRoot.querySelector('.plot');
    if (!svg || !plot) return;
    const offset = svg.getBoundingClientRect();
    const box = plot.getBoundingClientRect();
    // origin() is measured inside the padding.
    const padding = view.padding() as { left: number; top: number };
    const ox = view.origin()[0] + padding.left;
    const oy = view.origin()[1] + padding.top;
    const boxes: PointBox[] = [];
    const visit = (node: SceneNode, x: number, y: number, width: number) => {
      for (const mark of node.items ?? []) {
        if (mark.marktype === 'group') {
          for (const g of mark.items ?? []) visit(g, x + (g.x ?? 0), y + (g.y ?? 0), g.width ?? width);
        } else if (mark.name?.startsWith(`${HIT_MARK}_`)) {
          for (const item of mark.items ?? []) {
            const d = item.datum;
            if (typeof d?.si !== 'number' || typeof d.pi !== 'number' || (item.x ?? 0) < -0.5 || (item.x ?? 0) > width + 0.5) continue;
            boxes.push({ si: d.si, pi: d.pi, t: d.t ?? 0, left: offset.left - box.left + ox + x + (item.x ?? 0), top: offset.top - box.top + oy + y + (item.y ?? 0) });
          }
        }
      }
    };
    visit((view.scenegraph() as unknown as { root: SceneNode }).root.items?.[0] ?? {}, 0, 0, view.width());
    boxes.sort((a, b) => a.si - b.si || a.pi - b.pi);
    this.pointBoxes = boxes;
    if (!this.focusAt || !boxes.some((b) => b.si === this.focusAt!.si && b.pi === this.focusAt!.pi)) this.focusAt = boxes[0] ? { si: boxes[0].si, pi: boxes[0].pi } : null;
  }

  protected override viewDrawn(view: View | null, mode: DrawMode): void {
    super.viewDrawn(view, mode);
    const vm = this.viewModel;
    if (!vm) return;
    const changes = stateChanges(vm, this.previousStates);
    const previousState = this.previousState;
    this.previousStates = ruleStatesNow(vm);
    this.previousState = vm.state;
    if (changes.length) emit<AnomalyStateChangeDetail>(this, 'anomaly-state-change', { state: vm.state, previousState, changes });
  }

  /** The badge, one alert line and the legend line, with the metrics of the real ones. */
  protected override renderSkeletonHeader(): TemplateResult {
    return html`<div class="summary">
        <span class="severity skeleton-line"><span>&nbsp;</span></span>
        <span class="skeleton-alert skeleton-line"><span>&nbsp;</span></span>
      </div>
      <div class="skeleton-legend skeleton-line"><span>&nbsp;</span></div>`;
  }

  protected override renderSummary(vm: AnomalyViewModel): TemplateResult {
    const locale = this.effectiveLocale;
    return html`
      <div class="summary">
        <span part="state" data-state=${vm.state} data-severity=${vm.state === 'alerting' || vm.state === 'recovering' ? (vm.severity ?? nothing) : nothing}
          >${stateLabel(vm.state, vm.severity, locale)}</span
        >
        <ul part="alerts" aria-label=${message('recentAlerts', locale)}>
          ${vm.alerts.length === 0 ? html`<li>${message('alertsNone', locale)}</li>` : vm.alerts.slice(0, 3).map((a) => this.renderAlert(vm, a, locale))}
        </ul>
      </div>
      <p class="visually-hidden" role="status">${summarySentence(vm, this.heading(), locale)}</p>
      ${this.renderLegend(vm, locale)}
    `;
  }

  private renderAlert(vm: AnomalyViewModel, alert: AlertInterval, locale: string): TemplateResult {
    const line = alertLine(vm, alert, locale);
    return html`<li>
      <button part="alert" type="button" @click=${() => this.fireAlertClick(alert)}>
        <span class="severity" data-severity=${alert.severity}>${line.severity}</span>
        <span class="name">${line.name}</span>
        ${line.series !== null ? html`<span class="muted">${line.series}</span>` : nothing}
        <span>${line.range}</span>
        <span class="muted">${line.peak}</span>
      </button>
    </li>`;
  }

  /** What the colours and marks mean: the series (when several), band, threshold, severities, alert periods. */
  private renderLegend(vm: AnomalyViewModel, locale: string): TemplateResult {
    const key = (swatch: string, text: string, color?: string) =>
      html`<span class="key"><span class="swatch ${swatch}" style=${styleProps({ '--swatch': color })}></span>${text}</span>`;
    const severities = new Set(vm.series.flatMap((s) => s.points.flatMap((p) => p.rules.filter((e) => e.breach).map((e) => e.severity))));
    const thresholds = vm.display.thresholds !== 'off' && vm.rules.some((r) => r.type === 'threshold');
    const bands = vm.rules.some((r) => r.type === 'band');
    return html`<div part="legend" aria-hidden="true">
      ${isSplit(vm) ? vm.series.map((s, i) => key('', seriesName(vm, s, locale), this.seriesColors[i % Math.max(1, this.seriesColors.length)])) : nothing}
      ${bands ? html`${key('band', message('band', locale))}${key('expected', message('expected', locale))}` : nothing}
      ${thresholds ? key('threshold', message('threshold', locale)) : nothing}
      ${severities.has('warning') ? key('dot', message('stateWarning', locale)) : nothing}
      ${severities.has('critical') ? key('dot critical', message('stateCritical', locale)) : nothing}
      ${vm.alerts.length ? key('period', message('alertPeriod', locale)) : nothing}
    </div>`;
  }

  protected override renderOverlay(vm: AnomalyViewModel): TemplateResult | typeof nothing {
    const locale = this.effectiveLocale;
    const reset = this.zoomed ? html`<button part="reset-zoom" type="button" @click=${() => this.resetZoom()}>${message('resetZoom', locale)}</button>` : nothing;
    if (!this.pointBoxes.length) return reset;
    const focus = this.focusAt;
    // Computed once per view model and locale, not on every arrow key.
    if (this.labels?.vm !== vm || this.labels.locale !== locale) this.labels = { vm, locale, text: pointLabels(vm, locale) };
    const labels = this.labels.text;
    return html`<div part="points" role="group" aria-label=${message('chartPoints', locale)}>
        ${repeat(
          this.pointBoxes,
          (b) => `${b.si}:${b.pi}`,
          (b) => html`<button
            part="point"
            type="button"
            data-series=${b.si}
            data-index=${b.pi}
            tabindex=${focus && focus.si === b.si && focus.pi === b.pi ? 0 : -1}
            style=${styleProps({ left: `${b.left}px`, top: `${b.top}px` })}
            @click=${() => this.firePointClick(b.si, b.pi)}
            @keydown=${(e: KeyboardEvent) => this.onPointKey(e, b)}
          >
            <span class="visually-hidden">${labels[b.si]?.[b.pi] ?? ''}</span>
          </button>`,
        )}
      </div>
      ${reset}`;
  }

  /** Arrow keys move along a series (left, right) and between series (up, down); Home and End to its ends; `+`, `-`, `0` zoom. */
  private onPointKey(event: KeyboardEvent, at: PointBox): void {
    const boxes = this.pointBoxes;
    const row = boxes.filter((b) => b.si === at.si);
    const i = row.indexOf(at);
    let next: PointBox | undefined;
    const series = [...new Set(boxes.map((b) => b.si))];
    const other = (step: 1 | -1) => {
      const si = series[series.indexOf(at.si) + step];
      const candidates = boxes.filter((b) => b.si === si);
      return candidates.reduce<PointBox | undefined>((best, b) => (!best || Math.abs(b.pi - at.pi) < Math.abs(best.pi - at.pi) ? b : best), undefined);
    };
    switch (event.key) {
      case 'ArrowRight': next = row[i + 1]; break;
      case 'ArrowLeft': next = row[i - 1]; break;
      case 'Home': next = row[0]; break;
      case 'End': next = row[row.length - 1]; break;
      case 'ArrowDown': next = other(1); break;
      case 'ArrowUp': next = other(-1); break;
      case '+': case '=': this.zoomAround(at.t, 0.5); break;
      case '-': case '_': this.zoomAround(at.t, 2); break;
      case '0': case 'Escape': if (this.zoomed) this.resetZoom(); else return; break;
      default: return;
    }
    event.preventDefault();
    if (!next) return;
    this.focusAt = { si: next.si, pi: next.pi };
    focusAfterUpdate(this, `[part="point"][data-series="${next.si}"][data-index="${next.pi}"]`);
  }

  /** Zooms the time axis by `factor` around `center` (wall-clock ms), to no fewer than three periods; out to the whole range resets. */
  private zoomAround(center: number, factor: number): void {
    const view = this.vegaView;
    const vm = this.viewModel;
    if (!view || !vm) return;
    const walls = vm.series.flatMap((s) => s.points.map((p) => wallTime(p.period)));
    const [lo, hi] = [Math.min(...walls), Math.max(...walls)];
    const periods = Math.max(...vm.series.map((s) => s.points.length));
    if (!(hi > lo) || periods < 2) return;
    const brush = hasBrush(vm) ? (view.signal('brush') as { t?: unknown[] } | null)?.t : undefined;
    const current = (view.signal('zoom') as number[] | null) ?? (brush?.length === 2 ? brush.map(Number) : [lo, hi]);
    const span = Math.max(((hi - lo) / (periods - 1)) * 2, (current[1] - current[0]) * factor);
    const from = Math.max(lo, Math.min(hi - span, center - span / 2));
    void view.signal('zoom', span >= hi - lo ? null : [from, from + span]).runAsync();
  }

  private resetZoom(): void {
    const view = this.vegaView;
    if (!view) return;
    // A brush lives in the view's own state: drawing the view anew clears it.
    if (this.viewModel && hasBrush(this.viewModel) && Object.keys((view.signal('brush') as object | null) ?? {}).length) this.requestRedraw();
    else void view.signal('zoom', null).runAsync();
    this.zoomed = false;
  }

  private firePointClick(si: number, pi: number): void {
    const series = this.viewModel?.series[si];
    const point = series?.points[pi];
    if (!series || !point) return;
    emit<AnomalyPointClickDetail>(this, 'anomaly-point-click', { series: series.key, period: point.period, start: point.start, value: point.value, rules: point.rules });
  }

  private fireAlertClick(alert: AlertInterval): void {
    const vm = this.viewModel;
    const si = vm?.series.findIndex((s) => s.key === alert.series) ?? -1;
    const pi = si >= 0 ? vm!.series[si].points.findIndex((p) => p.period === alert.peak.period) : -1;
    if (pi >= 0) this.firePointClick(si, pi);
  }

  protected describe(vm: AnomalyViewModel): DataTableModel {
    return anomalyTable(vm, this.effectiveLocale);
  }
}

declare global {
  interface HTMLElementEventMap {
    'anomaly-point-click': CustomEvent<AnomalyPointClickDetail>;
    'anomaly-state-change': CustomEvent<AnomalyStateChangeDetail>;
  }
}
