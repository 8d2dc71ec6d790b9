/**
 * The compute Worker: parses fetched data (JSON, CSV, Arrow, Parquet) and runs a kind's pipeline,
 * off the page's main thread. One of a small pool ({@link ComputePool}); it runs one job at a time
 * and knows nothing of elements. Says `{ ready: true }` once loaded, so the page can tell a Worker
 * that started from one a CSP or a missing file stopped.
 * @module
 */
/// <reference lib="webworker" />
import { computeParsed } from '../compute.js';
import type { InlineContract } from '../contract.js';
import { parseBody } from '../resolve-data.js';
import { sendError, type ComputeReply, type ComputeRequest } from './protocol.js';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const reply = (message: ComputeReply) => scope.postMessage(message);

scope.addEventListener('message', async (event: MessageEvent<ComputeRequest>) => {
  const { id, kind, contract, body } = event.data;
  try {
    const inline = body ? { ...contract, data: await parseBody(body, contract.fields ?? {}) } : contract;
    reply({ id, ok: true, viewModel: computeParsed(kind, inline as InlineContract, body ? { url: body.url } : undefined) });
  } catch (error) {
    reply({ id, ok: false, error: sendError(error) });
  }
});

reply({ ready: true });
