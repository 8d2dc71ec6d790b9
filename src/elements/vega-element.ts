/**
 * The base of the widgets drawn by Vega (`<funnel-chart>`, `<cohort-chart>`, `<anomaly-chart>`):
 * {@link FunnelKitElement} plus the chart box and the Vega view in it ({@link VegaView}: embed or
 * update, theme, resize, tooltip, finalize). Kept apart so that a widget without a Vega chart
 * (`<kpi-card>`) loads no Vega at all.
 * @module
 */
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import type { View } from 'vega';
import type { Contract } from '../analytics/contract.js';
import { ComputePool } from '../analytics/worker/pool.js';
import { prepareVegaLocale } from '../specs/format.js';
import { loadVega, VegaView } from './controllers/vega-view.js';
import { canvasToPng } from './export.js';
import type { DrawMode } from './events.js';
import { FunnelKitElement } from './funnelkit-element.js';
import { chartStyles } from './vega-element.styles.js';
import { styleProps } from './style-props.js';

/**
 * @csspart chart - The box the Vega view is drawn into.
 * @csspart skeleton - While a first view loads: a placeholder of the summary line and chart box.
 * @csspart tooltip - The tooltip.
 */
export abstract class VegaElement<C extends Contract = Contract, VM = unknown> extends FunnelKitElement<C, VM> {
  static override styles = [...FunnelKitElement.styles, chartStyles];

  private readonly vega = new VegaView(this, {
    spec: (context) => (this.viewModel === null ? null : this.buildSpec(this.viewModel, context)),
    locale: () => this.effectiveLocale,
    showsTime: () => this.showsTime(),
    offThread: () => this.compute !== 'main',
    drawable: () => this.state === 'ready' || (this.state === 'error' && this.vegaView !== null),
    signal: () => this.loadSignal,
    drawn: (view, mode) => {
      if (view) this.viewUpdated(view, mode);
      this.viewDrawn(view, mode);
    },
    failed: (error) => this.fail(error, true),
  });

  /**
   * Vega downloads while the data loads and computes, not after. The page's first `Intl`
   * formatters load ICU data (20-100 ms, once per renderer process): a compute Worker makes its
   * own first, while its data downloads, which spares the page; without one, the locale's date and
   * number formats are made here in idle moments, one formatter at a time, date formatters only
   * for a chart that shows times. The first chart comes sooner, and no one task holds the thread long.
   */
  protected override loadingStarted(): void {
    loadVega().catch(() => {});
    if (ComputePool.shared()?.alive) return;
    prepareVegaLocale(this.effectiveLocale, (work) => (globalThis.requestIdleCallback ?? setTimeout)(work), this.showsTime());
  }

  /**
   * Whether the chart as currently set up draws times (a time scale): only then are the locale's
   * month and day names read, which makes the page's first date formatter (20-70 ms).
   */
  protected showsTime(): boolean {
    return false;
  }

  /** The Vega view on screen, if any. */
  override get vegaView(): View | null {
    return this.vega.view;
  }

  /**
   * Interactive HTML laid over the chart, e.g. step labels that a keyboard can reach. Positioned
   * by the subclass, usually from the view's scales in {@link viewUpdated}.
   */
  protected renderOverlay(_vm: VM): TemplateResult | typeof nothing {
    return nothing;
  }

  /** The placeholder of what {@link renderSummary} shows above the chart: one summary line by default. */
  protected renderSkeletonHeader(): TemplateResult {
    return html`<div class="skeleton-line"><span>&nbsp;</span></div>`;
  }

  /** The least chart height, in CSS pixels, this view model needs to stay legible (0: any). */
  protected chartMinHeight(_vm: VM): number {
    return 0;
  }

  /** Called after each embed or data update, to wire widget-specific view listeners. */
  protected viewUpdated(_view: View, _mode: DrawMode): void {}

  /** The Vega view on screen, or an Error: the view model is shown but not yet drawn. */
  private drawnView(): View {
    const view = this.vegaView;
    if (!view) throw new Error(`<${this.localName}> cannot export: the chart is not drawn yet. Wait for funnelkit-render.`);
    return view;
  }

  protected override drawnSVG(_vm: VM): Promise<string> {
    return Promise.resolve().then(() => this.drawnView().toSVG());
  }

  protected override async drawnPNG(_vm: VM, scale: number): Promise<Blob> {
    const canvas = await this.drawnView().toCanvas(scale);
    return canvasToPng(canvas);
  }

  protected override requestRedraw(): void {
    this.vega.redraw(true);
  }

  protected override drawView(signal: AbortSignal): Promise<void> {
    return this.vega.draw(signal);
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    // When this update also started a load, the state is `loading` and the redraw is skipped:
    // the load draws with the new options.
    if (changed.has('theme') || changed.has('renderer') || changed.has('locale')) this.vega.redraw(true);
  }

  protected override renderContent(vm: VM | null): TemplateResult {
    const minHeight = vm !== null ? this.chartMinHeight(vm) : 0;
    // Loading a first view: a placeholder as tall as the summary line and chart box that replace
    // it, so the page does not jump when the view arrives.
    return html`
      ${vm !== null ? this.renderSummary(vm) : nothing}
      ${vm === null && this.state === 'loading'
        ? html`<div part="skeleton" aria-hidden="true">${this.renderSkeletonHeader()}<div class="skeleton-chart"></div></div>`
        : nothing}
      <div class="plot" ?hidden=${vm === null}>
        <div part="chart" ?hidden=${vm === null} aria-hidden="true" style=${styleProps({ 'min-height': minHeight ? `${minHeight}px` : null })}></div>
        ${vm !== null ? this.renderOverlay(vm) : nothing}
      </div>
      <div part="tooltip" hidden></div>
    `;
  }
}
