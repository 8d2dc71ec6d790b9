/**
 * The base every FunnelKit widget extends: its public properties, states, events and markup.
 * Where the contract comes from is {@link ContractSource}'s job. This base draws no chart and
 * imports no Vega: widgets with a Vega view extend {@link VegaElement} (`vega-element.ts`), which
 * adds the view; `<kpi-card>` and `<kpi-grid>` draw their own markup on this base alone.
 *
 * A widget supplies its `kind`, a pure `buildSpec` (specs layer; null for no Vega chart) and
 * `describe` (the accessible table of what is drawn); the analytics layer's `computeView` turns
 * its contract into the view model.
 */
import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { TopLevelSpec } from 'vega-lite';
import type { View } from 'vega';
import type { Contract } from '../analytics/contract.js';
import { message, type MessageKey } from '../specs/messages.js';
import type { SpecContext } from '../specs/spec-context.js';
import { ContractAttribute, ContractSource } from './controllers/contract-source.js';
import { dataTable, type DataTableModel } from './data-table.js';
import { emit } from './emit.js';
import { csvText, exportFileName, svgToPng } from './export.js';
import { ExportMenu, exportMenuStyles, type ExportFormat } from './export-menu.js';
import { errorDetail, type DrawMode, type FunnelKitErrorDetail, type FunnelKitRenderDetail } from './events.js';
import { baseStyles } from './funnelkit-element.styles.js';
import { progressLine, statusLine, type ProgressStage } from './status-line.js';
import type { ComputeMode } from '../analytics/worker/pool.js';

export type { DrawMode, FunnelKitErrorDetail, FunnelKitRenderDetail, FunnelKitEventMap } from './events.js';
export type { DataTableModel } from './data-table.js';

/** What the element is doing. Reflected as the `state` attribute for styling and tests. */
export type WidgetState = 'idle' | 'loading' | 'empty' | 'error' | 'ready';

/** The file-name stem of each kind of widget, when its contract has no title. */
const KIND_WORD: Record<string, MessageKey> = { funnel: 'kindFunnel', cohort: 'kindCohort', anomaly: 'kindAnomaly', kpi: 'kindKpi' };

/** A load that takes longer than this shows what it is doing (loading data, computing, drawing). */
export const PROGRESS_AFTER_MS = 300;

/**
 * The base of every FunnelKit widget: where its contract comes from, its states, its events and
 * its card. Not a tag of its own.
 *
 * @attr src - URL of a contract JSON document. A newer `src` cancels the fetch of the older one.
 * @attr {string} contract - The contract as JSON text (the `contract` property takes it as an object).
 * @attr theme - `light` or `dark`; without it the widget follows `prefers-color-scheme`.
 * @attr renderer - `svg` (default) or `canvas`.
 * @attr locale - BCP 47 locale for the widget's own text and number formats; overrides the contract's.
 * @attr state - Reflects what the widget is doing: `idle`, `loading`, `empty`, `error` or `ready`.
 * @attr export-menu - Shows an "Export" button that downloads what is shown as PNG, SVG or CSV.
 * @attr timeout - Milliseconds to wait for `src` or the contract's data URL before giving up with an error (default 30000).
 *
 * @slot - The contract inline, as a child `<script type="application/json">{ "version": 1, "kind": … }</script>`: read when neither the `contract` property nor `src` is set. Nothing in this slot is displayed.
 *
 * @fires {CustomEvent<FunnelKitRenderDetail>} funnelkit-render - A view is on screen (after first embed and after each data update), or the contract has no data in range (`detail.state` is `empty`, `detail.view` null).
 * @fires {CustomEvent<FunnelKitErrorDetail>} funnelkit-error - The contract or its data could not be used, or a clicked mark's drill-down ids could not be fetched from the contract's `entitiesUrl`; the detail names the JSON path. The last good view stays.
 *
 * @csspart frame - The card around the widget.
 * @csspart title - The title line.
 * @csspart status - The loading, empty or error message.
 * @csspart export-menu - The "Export" button (with the `export-menu` attribute); it opens the export items.
 * @csspart export-item - One download in the export menu: PNG, SVG or CSV.
 *
 * @cssprop [--fk-color-background=#ffffff] - Card background (dark theme: #16191d).
 * @cssprop [--fk-color-text=#1f2933] - Main text colour (dark theme: #e6e8eb).
 * @cssprop [--fk-color-muted=#616e7c] - Secondary text, axis labels (dark theme: #9ba4ae).
 * @cssprop [--fk-color-grid=#e4e7eb] - Grid lines, borders (dark theme: #2e343b).
 * @cssprop [--fk-color-accent=#3e63dd] - The primary series colour (dark theme: #7c9cff).
 * @cssprop [--fk-color-ghost=#c9d3f5] - Ghosted parts: drop-off, comparison (dark theme: #2d3a66).
 * @cssprop [--fk-color-alert=#c5221f] - Alerts, errors, the worst drop-off (dark theme: #ff6b5e).
 * @cssprop [--fk-color-warning=#b7791f] - Warnings (dark theme: #ffc53d).
 * @cssprop [--fk-color-success=#137333] - Good changes (dark theme: #4cc38a).
 * @cssprop [--fk-series=#3e63dd, #12a594, #b7791f, #d6409f, #7c66dc, #2f9e44, #d9560b, #0090ff] - Comma-separated categorical palette for breakdowns and series (dark theme: #7c9cff, #3dd6c1, #ffc53d, #f17ac0, #a591ff, #5ad16b, #ff9a4d, #5eb1ff).
 * @cssprop [--fk-font-family=system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", sans-serif] - Font for text and chart labels.
 * @cssprop [--fk-radius=8px] - Corner radius of the card.
 * @cssprop [--fk-border=1px solid #e4e7eb] - Border of the card (default: 1px solid in the grid colour).
 * @cssprop [--fk-height=320px] - Height of the chart area.
 */
export abstract class FunnelKitElement<C extends Contract = Contract, VM = unknown> extends LitElement {
  static override styles = [baseStyles, exportMenuStyles];

  /**
   * The contract as an object. Takes precedence over `src` and an inline script. The `contract`
   * attribute takes it as JSON text; "[object Object]" there (an object set as an attribute before
   * the element was defined) is an error that says to set the property instead.
   */
  @property({ converter: { fromAttribute: (text: string | null) => (text === null ? undefined : new ContractAttribute(text)) } }) contract?: C;

  /**
   * Request options for `src` and `data.url` (headers, credentials), on top of the page-wide
   * fetch set with `setFetch()`: `el.fetchOptions = { credentials: 'include' }`.
   */
  @property({ attribute: false }) fetchOptions?: RequestInit;

  @property({ reflect: true }) src?: string;

  @property({ reflect: true }) theme?: 'light' | 'dark';

  @property({ reflect: true }) renderer: 'svg' | 'canvas' = 'svg';

  @property() locale?: string;

  @property({ reflect: true }) state: WidgetState = 'idle';

  @property({ type: Number }) timeout = 30_000;

  /**
   * Where the widget computes: `auto` (default) in a Worker of the page's small pool when one can
   * start, else on the page's thread; `main` always on the page's thread.
   */
  @property({ reflect: true }) compute: ComputeMode = 'auto';

  /** Shows the "Export" menu (PNG, SVG, CSV downloads of what is shown). */
  @property({ type: Boolean, reflect: true, attribute: 'export-menu' }) exportMenu = false;

  private readonly exporter = new ExportMenu(this);

  /** The last problem, or null. */
  @state() protected problem: FunnelKitErrorDetail | null = null;

  /** The view model on screen: the last good one, kept through errors. */
  @state() protected viewModel: VM | null = null;

  /** The validated contract behind {@link viewModel}. */
  protected shownContract: C | null = null;

  /** What a load that has taken over {@link PROGRESS_AFTER_MS} is doing; null while none has. */
  @state() protected progress: ProgressStage | null = null;
  private stage: ProgressStage = 'data';
  /** When the load under way entered each stage (performance.now()), for the render's `timings`. */
  private stageTimes: Partial<Record<ProgressStage, number>> | null = null;
  private progressTimer: ReturnType<typeof setTimeout> | undefined;

  private readonly source = new ContractSource<C, VM>(this, {
    kind: () => this.kind,
    loading: () => {
      this.state = 'loading';
      this.watchProgress();
      this.loadingStarted();
    },
    stage: (stage) => this.toStage(stage),
    // Without a source the last good view, if any, stays.
    none: () => {
      this.endProgress();
      if (this.viewModel === null) this.state = 'idle';
    },
    loaded: (contract, vm, signal) => this.show(contract, vm, signal),
    failed: (error) => this.fail(error),
  });

  /** The Vega view on screen, if any: always null on this base (see {@link VegaElement}). */
  get vegaView(): View | null {
    return null;
  }

  /** The tag's kind of contract: a `<kpi-card>` takes `kind: "kpi"`. */
  protected abstract readonly kind: C['kind'];

  /** Whether the view model has nothing to draw ("no data in this range"). */
  protected abstract isEmpty(vm: VM): boolean;

  /** Specs layer: view model to a Vega-Lite spec with named `datasets`, or null for no chart. */
  protected abstract buildSpec(vm: VM, context: SpecContext): TopLevelSpec | null;

  /** The visually hidden table of what is drawn. */
  protected abstract describe(vm: VM): DataTableModel;

  /** Content above the chart (a KPI figure, a legend). */
  protected renderSummary(_vm: VM): TemplateResult | typeof nothing {
    return nothing;
  }

  /**
   * What the widget shows of a view model between the status line and the data table (`vm` null:
   * nothing to show). By default {@link renderSummary}; {@link VegaElement} adds the chart box.
   */
  protected renderContent(vm: VM | null): TemplateResult | typeof nothing {
    return vm !== null ? this.renderSummary(vm) : nothing;
  }

  /** The title line: the contract's title by default. */
  protected heading(): string | undefined {
    return this.shownContract?.title;
  }

  /** The caption of the visually hidden table: the title, else a generic name. */
  protected caption(_vm: VM): string {
    return this.heading() ?? message('dataTable', this.effectiveLocale);
  }

  /**
   * Checks a freshly computed view model before it is shown; what this throws is reported like
   * any other problem of the load (a `ContractError` names its JSON path), and the last good view stays.
   */
  protected checkView(_vm: VM): void {}

  /**
   * Puts the view model on screen once it is rendered; {@link VegaElement} draws its Vega view.
   * This base has nothing more to draw: it tells the host with `view` null.
   */
  protected async drawView(_signal: AbortSignal): Promise<void> {
    this.viewDrawn(null, this.drawnOnce ? 'update' : 'embed');
  }

  /** Draws the current view model again with a fresh embed (a display option changed). */
  protected requestRedraw(): void {
    this.requestUpdate();
  }

  private drawnOnce = false;

  /**
   * A view is on screen (`view` null: none drawn by Vega). A view drawn after a failed draw (a
   * resize, a theme switch) ends that error; an error about a newer contract stays, over the
   * last good view.
   */
  protected viewDrawn(view: View | null, mode: DrawMode): void {
    this.endProgress();
    if (this.state === 'error' && this.drawFailed) this.recover();
    this.drawnOnce = true;
    this.rendered({ view, mode, state: 'ready' });
  }

  /** Fires `funnelkit-render`, with the stage timings of the load it ends (none for a redraw). */
  private rendered(detail: FunnelKitRenderDetail): void {
    const at = this.stageTimes;
    this.stageTimes = null;
    if (at?.data !== undefined && at.draw !== undefined) {
      const compute = at.compute ?? at.draw;
      detail.timings = { dataMs: compute - at.data, computeMs: at.draw - compute, drawMs: performance.now() - at.draw };
    }
    emit<FunnelKitRenderDetail>(this, 'funnelkit-render', detail);
  }

  /** The locale in force: attribute, then contract, then the page. */
  protected get effectiveLocale(): string {
    const candidate = this.locale || this.shownContract?.locale || document.documentElement.lang || navigator.language || 'en';
    try {
      return Intl.getCanonicalLocales(candidate)[0] ?? 'en';
    } catch {
      return 'en';
    }
  }

  /** The signal of the newest load; aborted once a newer one starts or the element leaves. */
  protected get loadSignal(): AbortSignal {
    return this.source.signal;
  }

  /** Re-reads the contract from its source and recomputes. Never throws. */
  reload(): Promise<void> {
    return this.source.load();
  }

  /** The view model on screen, or an Error saying why there is nothing to export. */
  private exportable(): VM {
    if (this.viewModel === null || this.state === 'empty') {
      const why = this.state === 'empty' ? 'it shows no data in range' : `nothing is shown yet (state "${this.state}")`;
      throw new Error(`<${this.localName}> cannot export: ${why}. Set a contract and wait for funnelkit-render.`);
    }
    return this.viewModel;
  }

  /**
   * What is drawn, as SVG text: the Vega view's SVG in a chart widget, the cards (label, figure,
   * change, sparkline) in a KPI widget. Rejects when nothing is shown yet.
   */
  async toSVG(): Promise<string> {
    return this.drawnSVG(this.exportable());
  }

  /**
   * What is drawn, as a PNG image `scale` times its CSS size (2 by default, for sharp text).
   * Rejects when nothing is shown yet.
   */
  async toPNG(scale = 2): Promise<Blob> {
    return this.drawnPNG(this.exportable(), scale);
  }

  /**
   * The table of what is shown (the same as the visually hidden table, in the widget's locale) as
   * CSV: a UTF-8 byte-order mark, the header row, then one line per row, quoted as RFC 4180
   * says. Throws when nothing is shown yet.
   */
  toCSV(): string {
    return csvText(this.describe(this.exportable()));
  }

  /**
   * The name of a download in `format`: the contract's title (else the widget's kind, in its
   * locale) and today's date, `Deals-2026-03-20.csv`, without characters file names cannot hold.
   */
  exportFileName(format: ExportFormat): string {
    const locale = this.effectiveLocale;
    const kind = String(this.shownContract?.kind ?? this.kind);
    const fallback = KIND_WORD[kind] ? message(KIND_WORD[kind], locale) : kind;
    return exportFileName(this.shownContract?.title, fallback, format);
  }

  /** {@link toSVG} of a view model on screen; the drawing widgets say how. */
  protected async drawnSVG(_vm: VM): Promise<string> {
    throw new Error(`<${this.localName}> cannot export: it has no drawing`);
  }

  /** {@link toPNG} of a view model on screen: by default its SVG drawn into a canvas. */
  protected async drawnPNG(vm: VM, scale: number): Promise<Blob> {
    return svgToPng(await this.drawnSVG(vm), scale);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('locale') && this.locale) this.setAttribute('lang', this.locale);
    if (changed.has('contract') || changed.has('src')) this.source.sourceChanged();
  }

  /** A load started (a chart widget starts fetching its drawing code meanwhile). */
  protected loadingStarted(): void {}

  /** A load started: after {@link PROGRESS_AFTER_MS} without a view, its stage is shown (over the last view). */
  private watchProgress(): void {
    clearTimeout(this.progressTimer);
    this.stage = 'data';
    this.stageTimes = { data: performance.now() };
    this.progressTimer = setTimeout(() => (this.progress = this.stage), PROGRESS_AFTER_MS);
  }

  private toStage(stage: ProgressStage): void {
    this.stage = stage;
    if (this.stageTimes) this.stageTimes[stage] ??= performance.now();
    if (this.progress !== null) this.progress = stage;
  }

  private endProgress(): void {
    clearTimeout(this.progressTimer);
    this.progress = null;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.endProgress();
  }

  private async show(contract: C, vm: VM, signal: AbortSignal): Promise<void> {
    this.toStage('draw');
    this.checkView(vm);
    this.shownContract = contract;
    this.viewModel = vm;
    this.recover();
    this.state = this.isEmpty(vm) ? 'empty' : 'ready';
    await this.updateComplete;
    if (this.state === 'empty') {
      this.endProgress();
      this.rendered({ view: null, mode: 'embed', state: 'empty' });
    } else await this.drawView(signal).catch((error) => this.fail(error, true));
  }

  /** Whether the problem shown came from drawing rather than from the contract or its data. */
  private drawFailed = false;

  /** Shows the problem and fires `funnelkit-error`; `drawing`: it came from drawing the view. */
  protected fail(error: unknown, drawing = false): void {
    this.endProgress();
    this.stageTimes = null;
    this.problem = errorDetail(error);
    this.drawFailed = drawing;
    this.state = 'error';
    emit(this, 'funnelkit-error', this.problem);
  }

  private recover(): void {
    this.problem = null;
    this.drawFailed = false;
    if (this.state === 'error') this.state = 'ready';
  }

  /** Whether the element has a contract, a `src` or an inline script to read. */
  private hasSource(): boolean {
    return (this.contract !== undefined && this.contract !== null) || !!this.src || this.querySelector(':scope > script[type="application/json"]') !== null;
  }

  protected override render(): TemplateResult {
    const locale = this.effectiveLocale;
    const vm = this.state === 'empty' ? null : this.viewModel;
    const title = this.heading();
    return html`
      <div part="frame" aria-busy=${this.state === 'loading' ? 'true' : 'false'}>
        ${title ? html`<h3 part="title">${title}</h3>` : nothing}
        ${this.state === 'idle' && !this.hasSource()
          ? html`<div part="status" role="status" data-state="idle">${message('noContract', locale)}</div>`
          : this.progress !== null && this.state !== 'error'
            ? progressLine(this.progress, locale)
            : statusLine(this.state, this.problem, this.viewModel !== null, locale)}
        ${this.renderContent(vm)}
        ${vm !== null && this.exportMenu ? this.exporter.render(locale) : nothing}
        ${vm !== null ? dataTable(this.describe(vm), this.caption(vm)) : nothing}
      </div>
    `;
  }
}
