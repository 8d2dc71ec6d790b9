/**
 * Drill-down on demand, shared by the widgets whose marks list entities: a pre-aggregated
 * contract (a warehouse result) carries counts only, and names in its `entitiesUrl` where the ids
 * behind a clicked mark are read (`funnelkit serve` answers there). The click event is fired once
 * they arrive, or without them, after a `funnelkit-error`, when they do not.
 * @module
 */
import { currentFetch, showUrl } from '../analytics/fetcher.js';
import { SourceError } from './controllers/contract-source.js';
import { emit } from './emit.js';
import { errorDetail, type FunnelKitErrorDetail } from './events.js';

/** The element asking: its contract's `src` (the URL is relative to it) and its `fetchOptions`. */
export interface DrillDownHost extends HTMLElement {
  src?: string;
  fetchOptions?: RequestInit;
}

/** Where the ids are: the contract's `entitiesUrl`, the query parameters naming the mark (null: left out), and the JSON path blamed on failure. */
export interface DrillDownRequest {
  url: string;
  params: Record<string, string | null>;
  /** `/funnel/entitiesUrl`, `/cohort/entitiesUrl`. */
  path: string;
}

/**
 * The answer of `request.url` (relative to the host's `src`, else the page), with its parameters
 * set, through the page's fetch ({@link currentFetch}) and the host's `fetchOptions`. A failed
 * request or a body that is not a JSON object is a {@link SourceError} naming the URL (its
 * query hidden).
 */
export async function fetchDrillDown(host: DrillDownHost, request: Omit<DrillDownRequest, 'path'>): Promise<Record<string, unknown>> {
  const target = new URL(request.url, host.src ? new URL(host.src, document.baseURI) : document.baseURI);
  for (const [name, value] of Object.entries(request.params)) if (value !== null) target.searchParams.set(name, value);
  let body: unknown;
  try {
    const response = await currentFetch()(target, { ...host.fetchOptions });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = await response.json();
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Error('the answer is not a JSON object');
  } catch (error) {
    throw new SourceError(`could not fetch the drill-down ids from ${showUrl(target)}: ${(error as Error).message}`);
  }
  return body as Record<string, unknown>;
}

/** The strings of a list from an answer (anything else is dropped; not a list: none). */
export function idList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];
}

/**
 * Fires `event` with `detail` once the ids are fetched, `ids(answer)` merged into it; when the
 * fetch fails, fires `funnelkit-error` at `request.path`, then `event` with `detail` as it is.
 */
export function emitWithFetchedIds<D extends object>(host: DrillDownHost, event: string, detail: D, request: DrillDownRequest, ids: (answer: Record<string, unknown>) => Partial<D>): void {
  void fetchDrillDown(host, request).then(
    (answer) => emit<D>(host, event, { ...detail, ...ids(answer) }),
    (error: unknown) => {
      emit<FunnelKitErrorDetail>(host, 'funnelkit-error', { ...errorDetail(error), path: request.path });
      emit<D>(host, event, detail);
    },
  );
}
