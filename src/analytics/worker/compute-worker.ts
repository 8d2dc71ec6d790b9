/**
 * The compute Worker: fetches (when the page leaves it to it) and parses data (JSON, CSV, Arrow, Parquet) and runs a kind's pipeline,
 * off the page's main thread. One of a small pool ({@link ComputePool}); it runs one job at a time
 * and knows nothing of elements. The page sends its job at once; the Worker says `{ ready: true }`
 * once loaded, so the page can tell a Worker that started from one a CSP or a missing file stopped.
 * @module
 */
/// <reference lib="webworker" />
import type { InlineContract } from '../contract.js';
import { loadOnce } from '../load-once.js';
import { fetchBody, parseBody, preloadReader } from '../resolve-data.js';
import { sendError, type ComputeReply, type ComputeRequest } from './protocol.js';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const reply = (message: ComputeReply) => scope.postMessage(message);
// The pipelines and the contract validator, most of the Worker's code, load while a job's data
// downloads: this entry is small, so a Worker started for a URL begins fetching at once.
const loadPipelines = loadOnce(() => import('../compute.js'));

scope.addEventListener('message', async (event: MessageEvent<ComputeRequest>) => {
  const { id, kind, contract, remote } = event.data;
  try {
    let body = event.data.body;
    if (remote) {
      // A URL the page left to this Worker: fetched here, so the bytes never pass the page's thread.
      const download = fetchBody({ ...contract, data: { url: remote.url, format: remote.format } }, { init: remote.init });
      // The format's reader and the pipelines load while the bytes download, not after.
      preloadReader(remote.format);
      loadPipelines().catch(() => {}); // a failed load is reported below, by the await
      body = await download;
      reply({ id, computing: true });
    }
    const inline = body ? { ...contract, data: await parseBody(body, contract.fields ?? {}) } : contract;
    const { computeParsed } = await loadPipelines();
    reply({ id, ok: true, viewModel: computeParsed(kind, inline as InlineContract, body ? { url: body.url } : undefined) });
  } catch (error) {
    reply({ id, ok: false, error: sendError(error) });
  }
});

reply({ ready: true });
