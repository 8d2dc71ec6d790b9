/**
 * The messages between the page and a compute Worker ({@link ComputePool}, `compute-worker.ts`).
 * Everything in them survives structured cloning: the contract with its data inline (rows, typed
 * columns) or as the fetched body's bytes, which are transferred, not copied; the view model back.
 * A chart's Vega-Lite spec and Vega config go the same way, and its Vega runtime comes back.
 * @module
 */
import type { Contract, ContractKind, UrlData } from '../contract.js';
import { ContractError, type ContractIssue } from '../contract-error.js';
import type { FetchedBody } from '../resolve-data.js';

/**
 * A `data.url` the Worker fetches itself: an absolute URL and the request options as plain data
 * (headers as pairs; no signal: a cancelled job's Worker is stopped, and its fetch with it).
 */
export interface RemoteBody {
  url: string;
  format: UrlData['format'];
  init: RequestInit & { headers: Array<[string, string]> };
}

/**
 * One job: compute the view model of `contract`, its data inline, in `body` (bytes the page
 * fetched) or at `remote` (for the Worker to fetch), to parse first.
 */
export interface ComputeRequest {
  id: number;
  kind: ContractKind;
  contract: Contract;
  body: FetchedBody | null;
  remote?: RemoteBody;
}

/** One chart to compile: a Vega-Lite spec (its data inline) and its Vega config, as plain data. */
export interface CompileRequest {
  id: number;
  compile: { spec: object; config: object };
}

/** What the page sends a Worker. */
export type WorkerRequest = ComputeRequest | CompileRequest;

/** A problem, as a plain object; a contract error keeps its path and issues. */
export interface SentError {
  name: string;
  message: string;
  issues?: ContractIssue[];
}

/**
 * The Worker's answers: it has started; a job's data arrived and it computes now; a job's result
 * (a view model, or a chart's Vega runtime) or error.
 */
export type ComputeReply =
  | { ready: true }
  | { id: number; computing: true }
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: SentError };

/** An error as it crosses to the page. */
export function sendError(error: unknown): SentError {
  if (error instanceof ContractError) return { name: error.name, message: error.message, issues: error.issues };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** The error again on the page side: a {@link ContractError} with its path, else an Error of the same name. */
export function receiveError(sent: SentError): Error {
  if (sent.name === 'ContractError' && sent.issues?.length) {
    const [first] = sent.issues;
    return new ContractError(first.path, first.message, sent.issues);
  }
  const error = new Error(sent.message);
  error.name = sent.name;
  return error;
}
