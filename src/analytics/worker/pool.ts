/**
 * Computing off the page's main thread: one small pool of module Workers per page, shared by every
 * widget (50 widgets never start 50 Workers). A `data.url` is fetched by the Worker itself, with
 * the element's `fetchOptions`, so a big file's bytes never pass through the page's busy thread;
 * where the page fetches its own way (`setFetch()`, or a `fetch` the page wrapped) the page fetches
 * and hands the bytes over without copying. The Worker parses and computes, and sends the view
 * model back.
 *
 * A job whose signal aborts (a newer contract, the element removed) is dropped: taken off the queue,
 * or its Worker stopped mid-computation and replaced on demand. Where a Worker cannot start (a
 * `file://` page, a CSP without `worker-src`/`script-src` for it, a bundler that left the Worker
 * file out) the pool says why once and everything runs on the main thread instead.
 * @module
 */
import type { Contract, ContractKind, InlineContract, UrlData } from '../contract.js';
import { arrowColumns, type ArrowTableLike } from '../columns.js';
import { computeParsed, computeView, planView } from '../compute.js';
import { fetchIsNative } from '../fetcher.js';
import { fetchBody, parseBody, type FetchedBody, type ResolveOptions } from '../resolve-data.js';
import type { ContractOf, ViewModelOf } from '../registry.js';
import { receiveError, type ComputeReply, type RemoteBody, type WorkerRequest } from './protocol.js';

/** Where a widget computes: `auto` (a Worker when one can start) or `main` (always the page's thread). */
export type ComputeMode = 'auto' | 'main';

/** A long job's stage, for a progress indicator. */
export type ComputeStage = 'data' | 'compute';

export interface ComputeOptions extends ResolveOptions {
  mode?: ComputeMode;
  /** Told when the job moves to a stage. */
  stage?: (stage: ComputeStage) => void;
}

/**
 * The view model of `contract`, computed in a Worker of the page's pool when it can be, else here.
 * The contract is planned here first, so a contract error is reported before any download.
 */
export async function computeViewModel<K extends ContractKind>(kind: K, contract: ContractOf<K>, options: ComputeOptions = {}): Promise<ViewModelOf<K>> {
  const pool = options.mode === 'main' || inlineRows(contract) < ComputePool.mainThreadBelow ? null : ComputePool.shared();
  if (!pool) {
    options.stage?.('compute');
    return computeView(kind, contract, options);
  }
  planView(kind, contract);
  options.stage?.('data');
  const remote = remoteBody(contract, options);
  if (remote) {
    try {
      const computing = () => options.stage?.('compute');
      return (await pool.run(kind, { ...contract, data: { rows: [] } } as Contract, null, options.signal, remote, computing)) as ViewModelOf<K>;
    } catch (error) {
      if (!(error instanceof WorkerUnavailable)) throw error;
      return computeView(kind, contract, options);
    }
  }
  // The Worker loads its script while the data downloads, not after.
  pool.prestart();
  const body = await fetchBody(contract, options);
  const sent = handOver(contract, body);
  options.stage?.('compute');
  try {
    return (await pool.run(kind, sent, body, options.signal)) as ViewModelOf<K>;
  } catch (error) {
    if (!(error instanceof WorkerUnavailable)) throw error;
    // The bytes went nowhere (a Worker that never started); parse and compute here.
    const inline = body ? { ...sent, data: await parseBody(body, contract.fields ?? {}, options.signal) } : sent;
    return computeParsed(kind, inline as InlineContract<ContractOf<K>>, body ? { url: body.url } : undefined);
  }
}

/**
 * Starts the pool's first Worker for a contract that will need one, before it is even checked: the
 * Worker's script then loads while the page validates and plans (a first validation compiles
 * the schema's checks: tens of milliseconds). Anything that is not such a contract starts nothing.
 */
export function warmUpFor(raw: unknown, mode: ComputeMode = 'auto'): void {
  if (mode === 'main' || raw === null || typeof raw !== 'object') return;
  const data = (raw as { data?: unknown }).data;
  if (data === null || typeof data !== 'object' || inlineRows(raw as Contract) < ComputePool.mainThreadBelow) return;
  ComputePool.shared()?.prestart();
}

/**
 * The contract's `data.url` for the Worker to fetch, or null when the page must fetch it: the page
 * set its own fetch (or wrapped the browser's), or the URL or the request options cannot be handed
 * over (a bad URL is then reported by the page's fetch, with the usual path and message).
 */
function remoteBody(contract: Contract, options: ComputeOptions): RemoteBody | null {
  const data = contract.data as UrlData | undefined;
  if (!data || !('url' in data) || options.fetch || !fetchIsNative()) return null;
  let url: URL;
  try {
    url = new URL(data.url, options.baseUrl ?? globalThis.location?.href);
  } catch {
    return null;
  }
  const { signal: _signal, window: _window, headers, ...init } = options.init ?? {};
  if (init.body !== undefined && init.body !== null && typeof init.body !== 'string') return null;
  return { url: url.href, format: data.format, init: { ...init, headers: [...new Headers(headers).entries()] } };
}

/**
 * How many rows a contract holds inline: its rows, its columns' length, its Arrow table's. URL data
 * counts as unbounded (it is parsed in the Worker whatever its size); no data (pre-aggregated) as 0.
 */
function inlineRows(contract: Contract): number {
  const data = contract.data as { url?: unknown; rows?: unknown[]; columns?: Record<string, ArrayLike<unknown>>; arrow?: { numRows?: number } } | undefined;
  if (!data) return 0;
  if (data.url !== undefined) return Infinity;
  if (Array.isArray(data.rows)) return data.rows.length;
  if (data.columns && typeof data.columns === 'object') return Number(Object.values(data.columns)[0]?.length) || 0;
  if (data.arrow) return data.arrow.numRows ?? Infinity;
  return 0;
}

/**
 * What crosses to the Worker: the contract without its URL (the body goes along) and with a
 * handed-over Arrow table as its columns (a table's methods cannot be cloned; its numeric columns
 * are typed arrays, copied as memory, never as JSON).
 */
function handOver(contract: Contract, body: FetchedBody | null): Contract {
  const data = contract.data as { arrow?: ArrowTableLike } | undefined;
  if (data?.arrow) return { ...contract, data: { columns: arrowColumns(data.arrow) } } as Contract;
  if (body) return { ...contract, data: { rows: [] } } as Contract;
  return contract;
}

/** A Worker could not start here, or could not be sent this job: the job runs on the main thread. */
export class WorkerUnavailable extends Error {
  override name = 'WorkerUnavailable';
}

interface Job {
  request: WorkerRequest;
  transfer: Transferable[];
  signal?: AbortSignal;
  /** Told when a Worker that fetched the job's data starts computing. */
  computing?: () => void;
  /** Posted to its Worker already. */
  sent?: boolean;
  resolve(result: unknown): void;
  reject(error: unknown): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job: Job | null;
}

/** The URL of the Worker script next to this module (the bundle's `compute-worker.js` in one-tag use). */
const workerUrl = () => new URL('./compute-worker.js', import.meta.url);

/** The page's pool of compute Workers, started lazily, at most one per core (and at most 4). */
export class ComputePool {
  private static instance: ComputePool | null = null;

  /** The page's pool; null where Workers are known not to run (none defined, or one failed to start). */
  static shared(): ComputePool | null {
    if (typeof Worker === 'undefined') return null;
    ComputePool.instance ??= new ComputePool(workerUrl, Math.max(1, Math.min(globalThis.navigator?.hardwareConcurrency || 2, 4)));
    return ComputePool.instance.unavailable ? null : ComputePool.instance;
  }

  /**
   * Inline data with fewer rows than this is computed on the main thread: a few milliseconds of
   * work, less than starting a Worker or copying the rows to one (a pre-aggregated contract has none).
   */
  static mainThreadBelow = 20_000;

  /** Why Workers do not run on this page, once one failed to start (then all jobs run on the main thread). */
  unavailable: string | null = null;
  /** How many charts this pool's Workers have compiled. */
  compiled = 0;
  /** Why this pool's Workers cannot compile charts, once one said so. */
  noCompiler: string | null = null;
  /** How many Workers this pool has started, replacements included. */
  started = 0;

  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;

  constructor(
    private readonly url: () => URL,
    /** The most Workers alive at once. */
    readonly size: number,
  ) {}

  /** Workers alive now. */
  get alive(): number {
    return this.slots.length;
  }

  /** Starts a first Worker ahead of any job, so its script loads meanwhile. */
  prestart(): void {
    if (!this.unavailable && this.slots.length === 0) this.start();
  }

  /** Runs one job; rejects with the signal's reason once it aborts, and with {@link WorkerUnavailable} if no Worker can start. */
  run(kind: ContractKind, contract: Contract, body: FetchedBody | null, signal?: AbortSignal, remote?: RemoteBody, computing?: () => void): Promise<unknown> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.unavailable) return Promise.reject(new WorkerUnavailable(this.unavailable));
    return new Promise((resolve, reject) => {
      const job: Job = {
        request: { id: this.nextId++, kind, contract, body, ...(remote ? { remote } : {}) },
        transfer: body ? [body.bytes] : [],
        signal,
        computing,
        resolve,
        reject,
      };
      signal?.addEventListener('abort', () => this.cancel(job), { once: true });
      this.queue.push(job);
      this.pump();
    });
  }

  /**
   * Turns a chart's Vega-Lite spec into its Vega runtime (`vegaRuntime` of the specs layer) in a
   * Worker that is started and free, so the page's thread does not spend the compile and parse.
   * It never waits: with no free Worker (none started, all computing) it rejects at once with
   * {@link WorkerUnavailable}, and the page compiles the chart itself. Nor is it cancelled: the
   * work is short, and stopping the Worker would throw its loaded Vega away.
   */
  compile<Runtime>(spec: object, config: object): Promise<Runtime> {
    const why = this.unavailable ?? this.noCompiler;
    const slot = why ? undefined : this.slots.find((s) => s.ready && s.job === null);
    if (!slot) return Promise.reject(new WorkerUnavailable(why ?? 'no free Worker'));
    return new Promise((resolve, reject) => {
      const failed = (error: unknown) => {
        // A Worker script without Vega-Lite (the self-contained one) is not asked again.
        if ((error as Error).name === 'CompilerUnavailable') this.noCompiler = (error as Error).message;
        reject(error);
      };
      const compiled = (runtime: unknown) => {
        this.compiled++;
        resolve(runtime as Runtime);
      };
      slot.job = { request: { id: this.nextId++, compile: { spec, config } }, transfer: [], resolve: compiled, reject: failed };
      this.send(slot, slot.job);
    });
  }

  /** Gives queued jobs to idle Workers, starting Workers up to {@link size}. */
  private pump(): void {
    while (this.queue.length) {
      let slot = this.slots.find((s) => s.job === null);
      if (!slot && this.slots.length < this.size) slot = this.start() ?? undefined;
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.job = job;
      // A job without bytes to hand over is sent at once, even to a Worker still loading its
      // script: it gets the message as soon as it runs, without waiting for its "ready" to cross
      // the page's (busy) thread and back. Bytes wait for "ready": sent to a Worker that then
      // fails to start, they would be lost to the main-thread fallback.
      if (slot.ready || job.transfer.length === 0) this.send(slot, job);
    }
  }

  /**
   * Posts a job to its Worker. Data that structured cloning cannot copy (a Symbol or a function in
   * a cell) stays on the page: that job alone runs on the main thread, which names the bad cell.
   */
  private send(slot: Slot, job: Job): void {
    job.sent = true;
    try {
      slot.worker.postMessage(job.request, job.transfer);
    } catch (error) {
      slot.job = null;
      job.reject(new WorkerUnavailable(`the contract cannot be sent to a Worker: ${(error as Error).message}`));
      this.pump();
    }
  }

  /** A new Worker, or null (and every job sent to the main thread) when none can start. */
  private start(): Slot | null {
    let worker: Worker;
    try {
      worker = new Worker(this.scriptUrl(), { type: 'module', name: 'funnelkit-compute' });
    } catch (error) {
      this.giveUp(`a Worker could not start: ${(error as Error).message}`);
      return null;
    }
    this.started++;
    const slot: Slot = { worker, ready: false, job: null };
    worker.addEventListener('message', (event: MessageEvent<ComputeReply>) => this.answer(slot, event.data));
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      if (!slot.ready) this.giveUp(`the compute Worker script did not load (${event.message || 'blocked, or not found'})`);
      else this.crash(slot, new Error(`the compute Worker failed: ${event.message}`));
    });
    this.slots.push(slot);
    return slot;
  }

  /**
   * The script to start: the Worker file itself when it is on the page's origin, else a `blob:`
   * module that imports it (a page may not start a Worker from another origin, such as a CDN,
   * but a module may import one from there).
   */
  private scriptUrl(): URL | string {
    const url = this.url();
    if (typeof location === 'undefined' || url.origin === location.origin) return url;
    return URL.createObjectURL(new Blob([`import ${JSON.stringify(url.href)};`], { type: 'text/javascript' }));
  }

  private answer(slot: Slot, message: ComputeReply): void {
    if ('ready' in message) {
      slot.ready = true;
      if (slot.job && !slot.job.sent) this.send(slot, slot.job);
      return;
    }
    const job = slot.job;
    if (!job || job.request.id !== message.id) return;
    if ('computing' in message) return job.computing?.();
    slot.job = null;
    if (message.ok) job.resolve(message.result);
    else job.reject(receiveError(message.error));
    this.pump();
  }

  /** Drops a job: off the queue, or its Worker stopped (it is busy computing what nobody wants). */
  private cancel(job: Job): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) this.queue.splice(queued, 1);
    const slot = this.slots.find((s) => s.job === job);
    if (slot) this.retire(slot);
    job.reject(job.signal?.reason ?? new DOMException('The operation was aborted.', 'AbortError'));
    this.pump();
  }

  /** A Worker died mid-job: that job fails, the Worker is replaced when needed. */
  private crash(slot: Slot, error: Error): void {
    const job = slot.job;
    this.retire(slot);
    job?.reject(error);
    this.pump();
  }

  private retire(slot: Slot): void {
    slot.worker.terminate();
    this.slots.splice(this.slots.indexOf(slot), 1);
  }

  /** No Worker can run here: every job, queued or started, goes to the main thread. */
  private giveUp(reason: string): void {
    if (!this.unavailable) console.warn(`FunnelKit: computing on the main thread: ${reason}`);
    this.unavailable = reason;
    const jobs = [...this.slots.map((s) => s.job).filter((j): j is Job => j !== null), ...this.queue.splice(0)];
    for (const slot of [...this.slots]) this.retire(slot);
    for (const job of jobs) job.reject(new WorkerUnavailable(reason));
  }
}
