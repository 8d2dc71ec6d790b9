/**
 * The compute Worker: fetches (when the page leaves it to it) and parses data (JSON, CSV, Arrow, Parquet) and runs a kind's pipeline,
 * off the page's main thread. One of a small pool ({@link ComputePool}); it runs one job at a time
 * and knows nothing of elements. Says `{ ready: true }` once loaded, so the page can tell a Worker
 * that started from one a CSP or a missing file stopped.
 * @module
 */
/// <reference lib="webworker" />
import { computeParsed } from '../compute.js';
import type { InlineContract } from '../contract.js';
import { fetchBody, parseBody } from '../resolve-data.js';
import { sendError, type ComputeReply, type ComputeRequest } from './protocol.js';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const reply = (message: ComputeReply) => scope.postMessage(message);

scope.addEventListener('message', async (event: MessageEvent<ComputeRequest>) => {
  const { id, kind, contract, remote } = event.data;
  try {
    // A URL the page left to this Worker: fetched here, so the bytes never pass the page's thread.
    const body = remote ? await fetchBody({ ...contract, data: { url: remote.url, format: remote.format } }, { init: remote.init }) : event.data.body;
    if (remote) reply({ id, computing: true });
    const inline = body ? { ...contract, data: await parseBody(body, contract.fields ?? {}) } : contract;
    reply({ id, ok: true, viewModel: computeParsed(kind, inline as InlineContract, body ? { url: body.url } : undefined) });
  } catch (error) {
    reply({ id, ok: false, error: sendError(error) });
  }
});

reply({ ready: true });
