/**
 * The compute Worker: fetches (when the page leaves it to it) and parses data (JSON, CSV, Arrow, Parquet) and runs a kind's pipeline,
 * off the page's main thread. One of a small pool ({@link ComputePool}); it runs one job at a time
 * and knows nothing of elements. The page sends its job at once; the Worker says `{ ready: true }`
 * once loaded, so the page can tell a Worker that started from one a CSP or a missing file stopped.
 *
 * When it is free, it also turns a chart's Vega-Lite spec into its Vega runtime for the page (the
 * specs layer's `vegaRuntime`: Vega-Lite and Vega, loaded here the first time a chart is asked for).
 * @module
 */
/// <reference lib="webworker" />
import type { InlineContract } from '../contract.js';
import { loadOnce } from '../load-once.js';
import { fetchBody, parseBody, preloadReader } from '../resolve-data.js';
import { sendError, type CompileRequest, type ComputeReply, type ComputeRequest, type WorkerRequest } from './protocol.js';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const reply = (message: ComputeReply) => scope.postMessage(message);
// The pipelines and the contract validator, most of the Worker's code, load while a job's data
// downloads: this entry is small, so a Worker started for a URL begins fetching at once.
const loadPipelines = loadOnce(() => import('../compute.js'));
const loadCompiler = loadOnce(() => import('../../specs/vega-runtime.js'));

/**
 * Makes a number and a date formatter, once. A renderer process's first `Intl` formatter loads
 * ICU's data, 20-100 ms, and does it for every thread of the process: made here first, the
 * page's own first formatters (its summary, table and axis labels) then cost well under 1 ms,
 * and its thread never waits for them.
 */
let intlWarm = false;
function warmUpIntl(): void {
  if (intlWarm) return;
  intlWarm = true;
  new Intl.NumberFormat().formatToParts(1234.5);
  new Intl.DateTimeFormat(undefined, { month: 'short', weekday: 'short', hour: 'numeric' }).formatToParts(0);
}

async function compute({ id, kind, contract, remote, body: sent }: ComputeRequest): Promise<unknown> {
  let body = sent;
  if (remote) {
    // A URL the page left to this Worker: fetched here, so the bytes never pass the page's thread.
    const download = fetchBody({ ...contract, data: { url: remote.url, format: remote.format } }, { init: remote.init });
    // The format's reader and the pipelines load while the bytes download, not after.
    preloadReader(remote.format);
    loadPipelines().catch(() => {}); // a failed load is reported below, by the await
    warmUpIntl(); // while the bytes arrive
    body = await download;
    reply({ id, computing: true });
  }
  warmUpIntl(); // done already, unless the page sent the data along
  const inline = body ? { ...contract, data: await parseBody(body, contract.fields ?? {}) } : contract;
  const { computeParsed } = await loadPipelines();
  return computeParsed(kind, inline as InlineContract, body ? { url: body.url } : undefined);
}

async function compile({ compile: { spec, config } }: CompileRequest): Promise<unknown> {
  const { vegaRuntime } = await loadCompiler();
  return vegaRuntime(spec as Parameters<typeof vegaRuntime>[0], config);
}

scope.addEventListener('message', async (event: MessageEvent<WorkerRequest>) => {
  const { id } = event.data;
  try {
    // A result that cannot be cloned throws here, and is answered as an error.
    reply({ id, ok: true, result: await ('compile' in event.data ? compile(event.data) : compute(event.data)) });
  } catch (error) {
    reply({ id, ok: false, error: sendError(error) });
  }
});

reply({ ready: true });
