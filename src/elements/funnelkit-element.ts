/**
 * The base every FunnelKit widget extends. It owns everything that is not the widget's own
 * analysis: reading the contract (property, `src`, inline script), validation, the loading /
 * empty / error / ready states, the Vega view (embed once, then update data through the view
 * API), theming, resizing, tooltips, the screen-reader table, events and clean-up.
 *
 * A widget supplies four things: its `kind`, a pure `compute` (analytics layer), a pure
 * `buildSpec` (specs layer), and `describe` (the accessible table of what is drawn).
 */
import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import embed, { type Result as EmbedResult, type VisualizationSpec } from 'vega-embed';
import type { View } from 'vega';
import type { Contract, InlineContract } from '../analytics/contract.js';
import { ContractError } from '../analytics/contract-error.js';
import { resolveData } from '../analytics/data.js';
import { validateContract } from '../analytics/validate-contract.js';
import { message } from '../specs/messages.js';
import type { SpecContext } from '../specs/spec-context.js';
import { buildVegaConfig } from '../specs/theme.js';
import { readThemeTokens } from './theme-tokens.js';
import { vegaLocale } from '../specs/format.js';
import type { Config } from 'vega-lite';
import { emit } from './emit.js';
import { baseStyles } from './funnelkit-element.styles.js';
import { createTooltip } from './tooltip.js';
import { registerVegaFormats } from './vega-formats.js';

/** What the element is doing. Reflected as the `state` attribute for styling and tests. */
export type WidgetState = 'idle' | 'loading' | 'empty' | 'error' | 'ready';

/** Detail of `funnelkit-error`. */
export interface FunnelKitErrorDetail {
  /** Human-readable problem, without the path. */
  message: string;
  /** JSON pointer into the contract, or `` when the problem is not in the contract (a failed fetch). */
  path: string;
  /** The underlying error. */
  error: unknown;
}

/** Detail of `funnelkit-render`. */
export interface FunnelKitRenderDetail {
  /** The Vega view now on screen (null for a widget state drawn without a chart). */
  view: View | null;
  /** Whether the view was created (`embed`) or only given new data (`update`). */
  mode: 'embed' | 'update';
}

/** Events every FunnelKit element fires. */
export interface FunnelKitEventMap {
  'funnelkit-error': CustomEvent<FunnelKitErrorDetail>;
  'funnelkit-render': CustomEvent<FunnelKitRenderDetail>;
}

/** A visually hidden table of what is drawn, for screen readers. */
export interface DataTableModel {
  columns: string[];
  rows: Array<Array<string | number>>;
}

/**
 * @attr src - URL of a contract JSON document. A newer `src` cancels the fetch of the older one.
 * @attr theme - `light` or `dark`; without it the widget follows `prefers-color-scheme`.
 * @attr renderer - `svg` (default) or `canvas`.
 * @attr locale - BCP 47 locale for the widget's own text and number formats; overrides the contract's.
 * @attr state - Reflects what the widget is doing: `idle`, `loading`, `empty`, `error` or `ready`.
 *
 * @fires funnelkit-render - A view is on screen (after first embed and after each data update).
 * @fires funnelkit-error - The contract or its data could not be used; the detail names the JSON path. The last good view stays.
 *
 * @csspart frame - The card around the widget.
 * @csspart title - The title line.
 * @csspart status - The loading, empty or error message.
 * @csspart chart - The box the Vega view is drawn into.
 * @csspart tooltip - The tooltip.
 *
 * @cssprop --fk-color-background - Card background.
 * @cssprop --fk-color-text - Main text colour.
 * @cssprop --fk-color-muted - Secondary text, axis labels.
 * @cssprop --fk-color-grid - Grid lines, borders.
 * @cssprop --fk-color-accent - The primary series colour.
 * @cssprop --fk-color-ghost - Ghosted parts (drop-off, comparison).
 * @cssprop --fk-color-alert - Alerts, errors, the worst drop-off.
 * @cssprop --fk-color-warning - Warnings.
 * @cssprop --fk-color-success - Good changes.
 * @cssprop --fk-series - Comma-separated categorical palette for breakdowns.
 * @cssprop --fk-font-family - Font for text and chart labels.
 * @cssprop --fk-radius - Corner radius of the card.
 * @cssprop --fk-border - Border of the card.
 * @cssprop --fk-height - Height of the chart area.
 */
export abstract class FunnelKitElement<C extends Contract = Contract, VM = unknown> extends LitElement {
  static override styles = [baseStyles];

  /** The contract as an object. Takes precedence over `src` and an inline script. */
  @property({ attribute: false }) contract?: unknown;

  @property({ reflect: true }) src?: string;

  @property({ reflect: true }) theme?: 'light' | 'dark';

  @property({ reflect: true }) renderer: 'svg' | 'canvas' = 'svg';

  @property() locale?: string;

  @property({ reflect: true }) state: WidgetState = 'idle';

  /** The last problem, or null. */
  @state() protected problem: FunnelKitErrorDetail | null = null;

  /** The view model on screen: the last good one, kept through errors. */
  @state() protected viewModel: VM | null = null;

  /** The validated contract behind {@link viewModel}. */
  protected shownContract: C | null = null;

  /** The Vega view on screen, if any. */
  get vegaView(): View | null {
    return this.embedded?.view ?? null;
  }

  /** The tag's kind of contract: a `<kpi-card>` takes `kind: "kpi"`. */
  protected abstract readonly kind: C['kind'];

  /** Analytics layer: contract with inline data in, plain view model out. May throw ContractError. */
  protected abstract compute(contract: InlineContract<C>): VM;

  /** Whether the view model has nothing to draw ("no data in this range"). */
  protected abstract isEmpty(vm: VM): boolean;

  /** Specs layer: view model to a Vega-Lite spec with named `datasets`, or null for no chart. */
  protected abstract buildSpec(vm: VM, context: SpecContext): VisualizationSpec | null;

  /** The visually hidden table of what is drawn. */
  protected abstract describe(vm: VM): DataTableModel;

  /** Content above the chart (a KPI figure, a legend). */
  protected renderSummary(_vm: VM): TemplateResult | typeof nothing {
    return nothing;
  }

  /**
   * Interactive HTML laid over the chart, e.g. step labels that a keyboard can reach. Positioned
   * by the subclass, usually from the view's scales in {@link viewUpdated}.
   */
  protected renderOverlay(_vm: VM): TemplateResult | typeof nothing {
    return nothing;
  }

  /** The least chart height, in CSS pixels, this view model needs to stay legible (0: any). */
  protected chartMinHeight(_vm: VM): number {
    return 0;
  }


  /** Called after each embed or data update, to wire widget-specific view listeners. */
  protected viewUpdated(_view: View, _mode: 'embed' | 'update'): void {}

  private started = false;
  private embedded: EmbedResult | null = null;
  private specKey = '';
  private generation = 0;
  private abortController: AbortController | null = null;
  private resizeObserver: ResizeObserver | null = null;
  private mutationObserver: MutationObserver | null = null;
  private colorScheme: MediaQueryList | null = null;
  private size = { width: 0, height: 0 };
  private resizeTimer: ReturnType<typeof setTimeout> | undefined;
  private reloadAfterUpdate = false;

  private readonly onSchemeChange = () => this.redraw(true);

  override connectedCallback(): void {
    super.connectedCallback();
    registerVegaFormats();
    this.resizeObserver = new ResizeObserver((entries) => this.onResize(entries));
    // Picks up an inline <script type="application/json"> added or edited after connection.
    this.mutationObserver = new MutationObserver(() => {
      if (this.contract === undefined && !this.src) void this.reload();
    });
    this.mutationObserver.observe(this, { childList: true, subtree: true, characterData: true });
    this.colorScheme = globalThis.matchMedia?.('(prefers-color-scheme: dark)') ?? null;
    this.colorScheme?.addEventListener('change', this.onSchemeChange);
    if (this.started) void this.reload();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.abortController?.abort();
    this.generation++;
    this.resizeObserver?.disconnect();
    this.mutationObserver?.disconnect();
    this.colorScheme?.removeEventListener('change', this.onSchemeChange);
    clearTimeout(this.resizeTimer);
    this.finalizeView();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('locale') && this.locale) this.setAttribute('lang', this.locale);
    // The first update reads whatever source there is, including an inline script. The loading
    // state is set here, inside this update, rather than by reload() after it.
    this.reloadAfterUpdate = changed.has('contract') || changed.has('src') || !this.started;
    if (this.reloadAfterUpdate && this.contractSource() !== null) this.state = 'loading';
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (this.reloadAfterUpdate) {
      this.started = true;
      this.reloadAfterUpdate = false;
      void this.reload();
    }
    else if (changed.has('theme') || changed.has('renderer') || changed.has('locale')) this.redraw(true);
    const chart = this.chartElement;
    if (chart && this.resizeObserver) this.resizeObserver.observe(chart);
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

  /** Re-reads the contract from its source and recomputes. Never throws. */
  async reload(): Promise<void> {
    const generation = ++this.generation;
    this.abortController?.abort();
    const abort = (this.abortController = new AbortController());
    try {
      const source = this.contractSource();
      if (source === null) {
        this.state = this.viewModel ? this.state : 'idle';
        return;
      }
      this.state = 'loading';
      const { raw, baseUrl } = await source(abort.signal);
      const contract = validateContract(raw) as C;
      if (contract.kind !== this.kind) {
        throw new ContractError('/kind', `expected "${this.kind}" for <${this.localName}>, got "${contract.kind}"`);
      }
      const inline = await resolveData(contract, { signal: abort.signal, baseUrl });
      const vm = await this.runComputation(inline);
      if (generation !== this.generation) return;
      this.shownContract = contract;
      this.viewModel = vm;
      this.problem = null;
      this.state = this.isEmpty(vm) ? 'empty' : 'ready';
      await this.updateComplete;
      if (this.state === 'ready') await this.drawChart(generation);
    } catch (error) {
      if (generation !== this.generation || abort.signal.aborted) return;
      this.fail(error);
    }
  }

  /**
   * The one async boundary around the analytics layer. Moving computation to a Worker changes
   * this method and nothing else.
   */
  protected async runComputation(contract: InlineContract<C>): Promise<VM> {
    await Promise.resolve();
    return this.compute(contract);
  }

  private contractSource(): ((signal: AbortSignal) => Promise<{ raw: unknown; baseUrl?: string }>) | null {
    if (this.contract !== undefined && this.contract !== null) {
      const raw = this.contract;
      return async () => ({ raw });
    }
    if (this.src) {
      const url = new URL(this.src, document.baseURI).href;
      return async (signal) => {
        let response: Response;
        try {
          response = await fetch(url, { signal });
        } catch (error) {
          if ((error as Error).name === 'AbortError') throw error;
          throw new SourceError(`could not fetch src ${url}: ${(error as Error).message}`);
        }
        if (!response.ok) throw new SourceError(`could not fetch src ${url}: HTTP ${response.status}`);
        try {
          return { raw: await response.json(), baseUrl: url };
        } catch (error) {
          throw new SourceError(`src ${url} is not valid JSON: ${(error as Error).message}`);
        }
      };
    }
    const script = this.querySelector<HTMLScriptElement>(':scope > script[type="application/json"]');
    if (script) {
      return async () => {
        try {
          return { raw: JSON.parse(script.textContent ?? '') };
        } catch (error) {
          throw new SourceError(`the inline <script type="application/json"> is not valid JSON: ${(error as Error).message}`);
        }
      };
    }
    return null;
  }

  private fail(error: unknown): void {
    const detail: FunnelKitErrorDetail =
      error instanceof ContractError
        ? { message: error.detail, path: error.path, error }
        : { message: (error as Error)?.message ?? String(error), path: '', error };
    this.problem = detail;
    this.state = 'error';
    emit(this, 'funnelkit-error', detail);
  }

  private get chartElement(): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>('[part="chart"]');
  }

  private measure(chart: HTMLElement): { width: number; height: number } {
    const box = chart.getBoundingClientRect();
    return { width: Math.max(120, Math.floor(box.width)), height: Math.max(100, Math.floor(box.height)) };
  }

  /** Embeds the view, or, when only data changed, swaps the datasets through the view API. */
  private async drawChart(generation: number, forceEmbed = false): Promise<void> {
    const chart = this.chartElement;
    const vm = this.viewModel;
    if (!chart || vm === null) return;
    const tokens = readThemeTokens(this);
    this.size = this.measure(chart);
    const spec = this.buildSpec(vm, { ...this.size, locale: this.effectiveLocale, tokens });
    if (!spec) {
      this.finalizeView();
      emit(this, 'funnelkit-render', { view: null, mode: 'embed' });
      return;
    }
    const { datasets, width: _w, height: _h, ...shape } = spec as Record<string, unknown> & { datasets?: Record<string, object[]> };
    const key = JSON.stringify(shape) + this.renderer + this.effectiveLocale + JSON.stringify(tokens);
    let mode: 'embed' | 'update' = 'update';
    if (!forceEmbed && this.embedded && key === this.specKey && datasets) {
      const view = this.embedded.view;
      for (const [name, values] of Object.entries(datasets)) view.data(name, values);
      await view.width(this.size.width).height(this.size.height).runAsync();
    } else {
      mode = 'embed';
      const target = document.createElement('div');
      const result = await embed(target, spec, {
        renderer: this.renderer,
        actions: false,
        config: { ...buildVegaConfig(tokens), locale: vegaLocale(this.effectiveLocale) } as Config,
        tooltip: createTooltip(this.frameElement!, this.tooltipElement!),
        defaultStyle: false,
      });
      if (generation !== this.generation) {
        result.finalize();
        return;
      }
      this.finalizeView();
      chart.replaceChildren(target);
      this.embedded = result;
      this.specKey = key;
    }
    this.viewUpdated(this.embedded!.view, mode);
    emit(this, 'funnelkit-render', { view: this.embedded!.view, mode });
  }

  private get frameElement(): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>('[part="frame"]');
  }

  private get tooltipElement(): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>('[part="tooltip"]');
  }

  /** Draws the current view model again with a fresh embed (a display option changed). */
  protected requestRedraw(): void {
    this.redraw(true);
  }

  /** Draws the current view model again: a new theme or renderer needs a fresh embed. */
  private redraw(forceEmbed: boolean): void {
    if (this.state !== 'ready' && !(this.state === 'error' && this.embedded)) return;
    const generation = this.generation;
    void this.updateComplete
      .then(() => this.drawChart(generation, forceEmbed))
      .catch((error) => this.fail(error));
  }

  private onResize(entries: ResizeObserverEntry[]): void {
    const box = entries[entries.length - 1]?.contentRect;
    if (!box || !this.embedded) return;
    const width = Math.max(120, Math.floor(box.width));
    const height = Math.max(100, Math.floor(box.height));
    if (width === this.size.width && height === this.size.height) return;
    // Coalesce a drag-resize into one redraw; a timer, not rAF, so hidden tabs catch up too.
    clearTimeout(this.resizeTimer);
    this.resizeTimer = setTimeout(() => this.redraw(false), 60);
  }

  private finalizeView(): void {
    this.embedded?.finalize();
    this.embedded = null;
    this.specKey = '';
  }

  protected override render(): TemplateResult {
    const locale = this.effectiveLocale;
    const vm = this.viewModel;
    const title = this.shownContract?.title;
    const showChart = vm !== null && this.state !== 'empty';
    const minHeight = vm !== null ? this.chartMinHeight(vm) : 0;
    return html`
      <div part="frame" aria-busy=${this.state === 'loading' ? 'true' : 'false'}>
        ${title ? html`<h3 part="title">${title}</h3>` : nothing}
        ${this.renderStatus(locale)}
        ${vm !== null && this.state !== 'empty' ? this.renderSummary(vm) : nothing}
        <div class="plot" ?hidden=${!showChart}>
          <div part="chart" ?hidden=${!showChart} aria-hidden="true" style=${minHeight ? `min-height: ${minHeight}px` : ''}></div>
          ${vm !== null && showChart ? this.renderOverlay(vm) : nothing}
        </div>
        <div part="tooltip" hidden></div>
        ${vm !== null && showChart ? this.renderTable(this.describe(vm), locale, title) : nothing}
      </div>
    `;
  }

  private renderStatus(locale: string): TemplateResult | typeof nothing {
    switch (this.state) {
      case 'loading':
        return html`<div part="status" role="status" data-state="loading">${message('loading', locale)}</div>`;
      case 'empty':
        return html`<div part="status" role="status" data-state="empty">${message('empty', locale)}</div>`;
      case 'error': {
        const p = this.problem!;
        return html`<div part="status" role="alert" data-state="error">
          <strong>${message('error', locale)}:</strong> ${p.message}
          ${p.path ? html`<br />${message('errorAt', locale)} <code>${p.path}</code>` : nothing}
          ${this.viewModel !== null ? html`<br />${message('keptLastView', locale)}` : nothing}
        </div>`;
      }
      default:
        return nothing;
    }
  }

  private renderTable(model: DataTableModel, locale: string, title?: string): TemplateResult {
    return html`
      <div class="visually-hidden"><table>
        <caption>${title ?? message('dataTable', locale)}</caption>
        <thead><tr>${model.columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
        <tbody>${model.rows.map((r) => html`<tr>${r.map((cell) => html`<td>${cell}</td>`)}</tr>`)}</tbody>
      </table></div>
    `;
  }
}

/** A problem with where the contract comes from rather than what it says (no JSON path). */
class SourceError extends Error {
  override name = 'SourceError';
}

declare global {
  // Typed `addEventListener('funnelkit-error', …)` on any element.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface HTMLElementEventMap extends FunnelKitEventMap {}
}
