/**
 * The messages between the page and a compute Worker ({@link ComputePool}, `compute-worker.ts`).
 * Everything in them survives structured cloning: the contract with its data inline (rows, typed
 * columns) or as the fetched body's bytes, which are transferred, not copied; the view model back.
 * @module
 */
import type { Contract, ContractKind } from '../contract.js';
import { ContractError, type ContractIssue } from '../contract-error.js';
import type { FetchedBody } from '../resolve-data.js';

/** One job: compute the view model of `contract` (its data inline, or in `body` to parse first). */
export interface ComputeRequest {
  id: number;
  kind: ContractKind;
  contract: Contract;
  body: FetchedBody | null;
}

/** A problem, as a plain object; a contract error keeps its path and issues. */
export interface SentError {
  name: string;
  message: string;
  issues?: ContractIssue[];
}

/** The Worker's answers: it has started, or one job's view model or error. */
export type ComputeReply = { ready: true } | { id: number; ok: true; viewModel: unknown } | { id: number; ok: false; error: SentError };

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
