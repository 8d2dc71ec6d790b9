/**
 * The Vega view in a widget's `[part=chart]` box: embedded once, then given new datasets through
 * the view API while the spec's shape stays the same; themed from the host's tokens; drawn again
 * when the box is resized or the OS colour scheme flips; finalized when the host leaves.
 *
 * Vega (vega, vega-interpreter) is imported dynamically the first time a view is embedded
 * ({@link loadVega}): importing a widget module, computing its view model and rendering its status
 * line and data table never wait for Vega, and a page of KPI cards never loads it. Vega-Lite's
 * compile and Vega's parse run in a free Worker of the page's compute pool; only where none is
 * free does the page load Vega-Lite and run them itself ({@link loadCompiler}).
 * @module
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { View } from 'vega';
import type { Config, TopLevelSpec } from 'vega-lite';
import { loadOnce } from '../../analytics/load-once.js';
import { nextTask } from '../../analytics/next-task.js';
import { ComputePool } from '../../analytics/worker/pool.js';
import { vegaLocale, vegaNumberLocale } from '../../specs/format.js';
import type { SpecContext } from '../../specs/spec-context.js';
import { buildVegaConfig } from '../../specs/theme.js';
import type { Runtime } from '../../specs/vega-runtime.js';
import type { DrawMode } from '../events.js';
import { readThemeTokens } from '../theme-tokens.js';
import { createTooltip } from '../tooltip.js';
import { registerVegaFormats } from '../vega-formats.js';

export type { DrawMode };

/** The element drawn into: it renders `[part=frame]`, `[part=chart]` and `[part=tooltip]`. */
export type VegaViewHost = ReactiveControllerHost & HTMLElement & { readonly renderRoot: ParentNode; renderer: 'svg' | 'canvas' };

export interface VegaViewOptions {
  /** The spec to draw in this context, or null when there is no chart to show. */
  spec(context: SpecContext): TopLevelSpec | null;
  /** The locale labels and numbers are formatted in. */
  locale(): string;
  /** Whether the spec draws times (a time scale), so the view needs the locale's date names. */
  showsTime(): boolean;
  /** Whether a free compute Worker may compile the spec (false: `compute="main"`). */
  offThread(): boolean;
  /** Whether there is something on screen that a redraw should refresh. */
  drawable(): boolean;
  /** The signal of the host's newest load: a draw begun for an older one is dropped. */
  signal(): AbortSignal;
  /** A view is on screen (`view` null: the spec had no chart). */
  drawn(view: View | null, mode: DrawMode): void;
  /** A redraw the controller started itself failed. */
  failed(error: unknown): void;
}

/** Vega needs a little room to lay out axes; smaller boxes are drawn at this size and clipped. */
const MIN_WIDTH = 120;
const MIN_HEIGHT = 100;

/** How long a drag-resize must pause before the view is drawn again. */
const RESIZE_SETTLE_MS = 60;

/** What an embed needs from Vega on the page, once loaded. */
export interface VegaModules {
  vega: typeof import('vega');
  expressionInterpreter: typeof import('vega-interpreter').expressionInterpreter;
}

/**
 * Loads Vega (registering our Vega formats before any spec naming them is drawn) and
 * vega-interpreter. Vega's modules are evaluated in four tasks (its scales, its scenegraph, its
 * expression functions, the rest): evaluated together they were one task of 100 ms or more, in
 * which the page could not answer input. Each step's chunk is fetched when the step before has
 * run, a round trip each, while the data downloads and computes. Every widget shares the one
 * promise, so Vega is fetched once per page; a failed load (a chunk the network dropped) is
 * forgotten, so the next draw tries again instead of failing for good.
 */
export const loadVega: () => Promise<VegaModules> = loadOnce(async () => {
  // Vega's modules, bottom layer first, each step in its own task (see vega-stages/).
  await import('../vega-stages/scale.js');
  await nextTask();
  await import('../vega-stages/scenegraph.js');
  await nextTask();
  await import('../vega-stages/functions.js');
  await nextTask();
  const [vega, interpreter] = await Promise.all([import('vega'), import('vega-interpreter'), registerVegaFormats()]);
  return { vega, expressionInterpreter: interpreter.expressionInterpreter };
});

/**
 * Vega-Lite and the compile-and-parse steps, for a chart the page compiles itself (no free
 * Worker). Loaded after {@link loadVega}, so Vega's own modules are already evaluated, in steps.
 */
export const loadCompiler: () => Promise<typeof import('../../specs/vega-runtime.js')> = loadOnce(() => import('../../specs/vega-runtime.js'));

export class VegaView implements ReactiveController {
  private embedded: View | null = null;
  /** The spec minus its data (plus renderer, locale, tokens): while it holds, data updates suffice. */
  private specKey = '';
  private size = { width: 0, height: 0 };
  /** The chart box's size as the ResizeObserver last saw it, and which box that was. */
  private observed: { chart: Element; width: number; height: number } | null = null;
  private resizeObserver: ResizeObserver | null = null;
  private resizeTimer: ReturnType<typeof setTimeout> | undefined;
  private colorScheme: MediaQueryList | null = null;
  private readonly onSchemeChange = () => this.redraw(true);

  constructor(
    private readonly host: VegaViewHost,
    private readonly options: VegaViewOptions,
  ) {
    host.addController(this);
  }

  /** The Vega view on screen, or null. */
  get view(): View | null {
    return this.embedded;
  }

  hostConnected(): void {
    this.resizeObserver = new ResizeObserver((entries) => this.onResize(entries));
    this.colorScheme = globalThis.matchMedia?.('(prefers-color-scheme: dark)') ?? null;
    this.colorScheme?.addEventListener('change', this.onSchemeChange);
  }

  hostUpdated(): void {
    // The chart box can be rendered anew; observing the same box again is a no-op.
    const chart = this.part('chart');
    if (chart) this.resizeObserver?.observe(chart);
  }

  hostDisconnected(): void {
    this.resizeObserver?.disconnect();
    this.colorScheme?.removeEventListener('change', this.onSchemeChange);
    clearTimeout(this.resizeTimer);
    this.finalize();
  }

  /**
   * Draws the host's current spec: a new embed when its shape, theme, renderer or locale changed
   * (or `forceEmbed`), else new datasets and size through the view API. The first embed waits for
   * Vega to load ({@link loadVega}). An embed that finishes after `signal` aborted is thrown away,
   * and one whose signal aborted while Vega loaded is not begun.
   */
  async draw(signal: AbortSignal, forceEmbed = false): Promise<void> {
    if (forceEmbed || !this.embedded) {
      // An embed is the page's longest work: it is cut into tasks. First the host's status and
      // data table paint; then the spec is built and compiled (in a free Worker, or here:
      // Vega-Lite's compile and Vega's parse), and Vega builds the view, runs and renders it,
      // each step in a task of its own.
      await nextTask();
      if (signal.aborted) return;
    }
    const chart = this.part('chart');
    if (!chart) return;
    const tokens = readThemeTokens(this.host);
    const locale = this.options.locale();
    // A data update reuses the size the ResizeObserver reported for this box (a change of size
    // redraws through it), rather than forcing a layout in the middle of the update.
    const known = !forceEmbed && this.embedded && this.observed?.chart === chart ? this.observed : null;
    this.size = known ? { width: known.width, height: known.height } : fitSize(chart.getBoundingClientRect());
    const spec = this.options.spec({ ...this.size, locale, tokens });
    if (!spec) {
      this.finalize();
      this.options.drawn(null, 'embed');
      return;
    }
    const { datasets, width: _w, height: _h, ...shape } = spec as unknown as Record<string, unknown> & { datasets?: Record<string, object[]> };
    const key = JSON.stringify(shape) + this.host.renderer + locale + JSON.stringify(tokens);
    let mode: DrawMode = 'update';
    if (!forceEmbed && this.embedded && key === this.specKey && datasets) {
      const view = this.embedded;
      for (const [name, values] of Object.entries(datasets)) view.data(name, values);
      await view.width(this.size.width).height(this.size.height).runAsync();
    } else {
      mode = 'embed';
      // A chart without times gets no time locale: it would make date formatters it never uses.
      const config = { ...buildVegaConfig(tokens), locale: this.options.showsTime() ? vegaLocale(locale) : { number: vegaNumberLocale(locale) } } as Config;
      // A free Worker compiles while the page finishes loading Vega.
      const pool = this.options.offThread() ? ComputePool.shared() : null;
      const offThread = pool ? pool.compile<Runtime>(spec, config).catch(() => null) : null;
      const { vega, expressionInterpreter } = await loadVega();
      // A Worker's failure is compiled again here, which reports it the page's way.
      const runtime = (await offThread) ?? (await this.compileHere(spec, config, signal));
      await nextTask();
      if (signal.aborted || !runtime) return;
      const target = document.createElement('div');
      const view = new vega.View(runtime, {
        renderer: this.host.renderer,
        // Expressions parsed to ASTs and interpreted, not compiled with `Function`: no
        // `unsafe-eval` under a Content-Security-Policy.
        expr: expressionInterpreter,
        logLevel: vega.Warn,
      });
      view.tooltip(createTooltip(this.part('frame')!, this.part('tooltip')!));
      view.hover();
      // The dataflow runs (scales, layout, text measured) before the view has a renderer, so
      // nothing is drawn yet; then, a task later, the renderer draws what it laid out.
      try {
        for (const step of [() => view.runAsync(), () => view.initialize(target).runAsync()]) {
          await nextTask();
          if (!signal.aborted) await step();
          if (signal.aborted) {
            view.finalize();
            return;
          }
        }
      } catch (error) {
        view.finalize();
        throw error;
      }
      this.finalize();
      chart.replaceChildren(target);
      this.embedded = view;
      this.specKey = key;
    }
    this.options.drawn(this.embedded!, mode);
  }

  /** The spec's Vega runtime, compiled and parsed on the page, each step a task; null if `signal` aborted meanwhile. */
  private async compileHere(spec: TopLevelSpec, config: Config, signal: AbortSignal): Promise<Runtime | null> {
    const { compileVegaLite, parseVega } = await loadCompiler();
    await nextTask();
    if (signal.aborted) return null;
    const compiled = compileVegaLite(spec, config);
    await nextTask();
    return signal.aborted ? null : parseVega(compiled);
  }

  /** Draws again after the host's pending update, if there is anything drawn to refresh. */
  redraw(forceEmbed: boolean): void {
    if (!this.options.drawable()) return;
    const signal = this.options.signal();
    void this.host.updateComplete
      .then(() => this.draw(signal, forceEmbed))
      .catch((error) => this.options.failed(error));
  }

  /** Releases the view (timers, listeners, the scenegraph). */
  finalize(): void {
    this.embedded?.finalize();
    this.embedded = null;
    this.specKey = '';
  }

  private onResize(entries: ResizeObserverEntry[]): void {
    const entry = entries[entries.length - 1];
    const box = entry?.contentRect;
    if (!box) return;
    const { width, height } = fitSize(box);
    this.observed = { chart: entry.target, width, height };
    if (!this.embedded) return;
    if (width === this.size.width && height === this.size.height) return;
    // Coalesce a drag-resize into one redraw; a timer, not rAF, so hidden tabs catch up too.
    clearTimeout(this.resizeTimer);
    this.resizeTimer = setTimeout(() => this.redraw(false), RESIZE_SETTLE_MS);
  }

  private part(name: 'frame' | 'chart' | 'tooltip'): HTMLElement | null {
    return this.host.renderRoot.querySelector<HTMLElement>(`[part="${name}"]`);
  }
}

function fitSize(box: { width: number; height: number }): { width: number; height: number } {
  return { width: Math.max(MIN_WIDTH, Math.floor(box.width)), height: Math.max(MIN_HEIGHT, Math.floor(box.height)) };
}
