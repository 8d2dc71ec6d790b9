/**
 * Where a widget's contract comes from, and the trip from there to a view model: the `contract`
 * property, else the `src` URL, else an inline `<script type="application/json">` child; then
 * validation, the kind check and {@link computeViewModel} (in a Worker when one can start). Only the
 * newest load reports back.
 * @module
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Contract } from '../../analytics/contract.js';
import { ContractError } from '../../analytics/contract-error.js';
import { untilAborted } from '../../analytics/resolve-data.js';
import type { ContractOf } from '../../analytics/registry.js';
import { validateContract } from '../../analytics/validate-contract.js';
import { nextTask } from '../../analytics/next-task.js';
import { currentFetch, showUrl } from '../../analytics/fetcher.js';
import { computeViewModel, warmUpFor, type ComputeMode, type ComputeStage } from '../../analytics/worker/pool.js';

/** A problem with where the contract comes from rather than what it says (no JSON path). */
export class SourceError extends Error {
  override name = 'SourceError';
}

/** The element that owns the source: its `contract` property and `src` attribute. */
export type ContractSourceHost = ReactiveControllerHost &
  HTMLElement & { contract?: unknown; src?: string; timeout?: number; fetchOptions?: RequestInit; compute?: ComputeMode };

/** What the host is told. Nothing is reported for a load that a newer one replaced. */
export interface ContractSourceOptions<C extends Contract, VM> {
  /** The kind the host's tag takes (read lazily: subclasses set it after the base constructor). */
  kind(): C['kind'];
  /** A load has started (or will, right after the update under way). */
  loading(): void;
  /** The load moved on to fetching the data or computing (for a progress indicator). */
  stage?(stage: ComputeStage): void;
  /** There is no source to read. */
  none(): void;
  /**
   * A load finished. `signal` aborts once a newer load starts or the host leaves the page, so
   * drawing that follows can drop a result that is already stale. What this throws is reported
   * through {@link failed}, like any other problem of the load.
   */
  loaded(contract: C, viewModel: VM, signal: AbortSignal): void | Promise<void>;
  /** The load failed: a {@link ContractError} (with a JSON path), a {@link SourceError} or other. */
  failed(error: unknown): void;
}

type Reader = (signal: AbortSignal) => Promise<{ raw: unknown; baseUrl?: string }>;

export class ContractSource<C extends Contract, VM> implements ReactiveController {
  // One controller per load. Its signal is also the load's generation: it aborts exactly when a
  // newer load starts or the host disconnects, which is when a result must be dropped.
  private abortController = new AbortController();
  private mutationObserver: MutationObserver | null = null;
  private started = false;
  private loadAfterUpdate = false;

  constructor(
    private readonly host: ContractSourceHost,
    private readonly options: ContractSourceOptions<C, VM>,
  ) {
    host.addController(this);
  }

  /** The signal of the newest load; aborted once it is superseded. */
  get signal(): AbortSignal {
    return this.abortController.signal;
  }

  /** The `contract` or `src` changed: read the source again when the update under way is done. */
  sourceChanged(): void {
    this.loadAfterUpdate = true;
  }

  hostConnected(): void {
    // Picks up an inline script added or edited after connection.
    this.mutationObserver = new MutationObserver(() => {
      if (this.host.contract === undefined && !this.host.src) void this.load();
    });
    this.mutationObserver.observe(this.host, { childList: true, subtree: true, characterData: true });
    if (this.started) void this.load();
  }

  hostDisconnected(): void {
    this.abortController.abort();
    this.mutationObserver?.disconnect();
  }

  hostUpdate(): void {
    // The first update reads whatever source there is, including an inline script. Loading is
    // reported here, inside the update, so its render already says so.
    if (!this.started) this.loadAfterUpdate = true;
    // A contract set as an object that needs a Worker starts one now, so it boots while this
    // update renders, not after.
    if (this.loadAfterUpdate) warmUpFor(this.host.contract, this.host.compute);
    if (this.loadAfterUpdate && this.reader() !== null) this.options.loading();
  }

  hostUpdated(): void {
    if (!this.loadAfterUpdate) return;
    this.started = true;
    this.loadAfterUpdate = false;
    void this.load();
  }

  /** Reads the source and computes its view model, cancelling any older load. Never throws. */
  async load(): Promise<void> {
    this.abortController.abort();
    this.abortController = new AbortController();
    const { signal } = this.abortController;
    // A response that never ends must not leave the widget loading for ever.
    const timeoutMs = this.host.timeout ?? 30_000;
    const timer = AbortSignal.timeout(timeoutMs);
    const waiting = AbortSignal.any([signal, timer]);
    try {
      const read = this.reader();
      if (read === null) {
        this.options.none();
        return;
      }
      this.options.loading();
      const { raw, baseUrl } = await read(waiting);
      warmUpFor(raw, this.host.compute);
      // The loading state paints (and a Worker starts) before the contract is checked and
      // planned: a first check compiles the schema's code, tens of milliseconds. (A load replaced
      // meanwhile still checks, then stops at the compute, whose signal has aborted.)
      await nextTask();
      const contract = validateContract(raw) as C;
      const kind = this.options.kind();
      if (contract.kind !== kind) {
        throw new ContractError('/kind', `expected "${kind}" for <${this.host.localName}>, got "${contract.kind}"`);
      }
      const viewModel = await computeViewModel(kind, contract as ContractOf<C['kind']>, {
        signal: waiting,
        baseUrl,
        init: this.host.fetchOptions,
        mode: this.host.compute,
        stage: (stage) => {
          if (!signal.aborted) this.options.stage?.(stage);
        },
      });
      if (signal.aborted) return;
      await this.options.loaded(contract, viewModel as VM, signal);
    } catch (error) {
      if (signal.aborted) return;
      this.options.failed(timer.aborted ? new SourceError(`the contract or its data did not arrive within ${timeoutMs / 1000} s (the timeout attribute sets the limit)`) : error);
    }
  }

  /** How to read the source in force, or null when there is none. */
  private reader(): Reader | null {
    const { contract, src } = this.host;
    if (contract instanceof ContractAttribute) return async () => ({ raw: contract.parse() });
    if (contract !== undefined && contract !== null) return async () => ({ raw: contract });
    if (src) return fetchContract(src, this.host.fetchOptions);
    const script = this.host.querySelector<HTMLScriptElement>(':scope > script[type="application/json"]');
    return script ? async () => ({ raw: parseInline(script) }) : null;
  }
}

/**
 * A `contract` attribute: JSON text, parsed when the contract is read. "[object Object]" is what a
 * framework writes when it sets an object on an element not yet defined (React 19, Vue without
 * `.prop`): that is an error naming the cure, not a silent empty card.
 */
export class ContractAttribute {
  constructor(readonly text: string) {}

  parse(): unknown {
    if (/^\[object \w+\]$/.test(this.text.trim())) {
      throw new SourceError(
        `the contract attribute holds "${this.text.trim()}": an object was set as an attribute, which happens when the element is not defined yet. Set contract as a property (element.contract = {…}; Vue: :contract.prop; React: the funnelkit/react components, or import the widget before rendering), or give JSON text`,
      );
    }
    try {
      return JSON.parse(this.text);
    } catch (error) {
      throw new SourceError(`the contract attribute is not JSON: ${(error as Error).message}`);
    }
  }
}

function fetchContract(src: string, init: RequestInit | undefined): Reader {
  return async (signal) => {
    const url = new URL(src, document.baseURI).href;
    let response: Response;
    try {
      response = await currentFetch()(url, { ...init, signal });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new SourceError(`could not fetch src ${showUrl(url)}: ${(error as Error).message}`);
    }
    if (!response.ok) throw new SourceError(`could not fetch src ${showUrl(url)}: HTTP ${response.status}`);
    try {
      return { raw: await untilAborted(response.json(), signal), baseUrl: url };
    } catch (error) {
      if (signal.aborted) throw error;
      throw new SourceError(`src ${url} is not valid JSON: ${(error as Error).message}`);
    }
  };
}

function parseInline(script: HTMLScriptElement): unknown {
  try {
    return JSON.parse(script.textContent ?? '');
  } catch (error) {
    throw new SourceError(`the inline <script type="application/json"> is not valid JSON: ${(error as Error).message}`);
  }
}
