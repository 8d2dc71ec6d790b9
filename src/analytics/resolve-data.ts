/**
 * From a contract whose `data` is a URL to one whose data is inline: fetching, then parsing JSON,
 * CSV (Arquero) or Apache Arrow IPC (Arquero) into columns. Runs inside {@link computeView}, so in
 * a Worker the parsing happens off the page's main thread too.
 * @module
 */
import { fromArrow, fromCSV, type ColumnTable } from 'arquero';
import type { Cell, ColumnsData, Contract, FieldMap, InlineContract, RowsData, UrlData } from './contract.js';
import { ContractError } from './contract-error.js';
import { checkColumns } from './columns.js';
import { currentFetch, showUrl, type FetchLike } from './fetcher.js';

export interface ResolveOptions {
  /** Cancels the fetch of `data.url`. */
  signal?: AbortSignal;
  /** Base for a relative `data.url` (the page, or the URL the contract came from). */
  baseUrl?: string | URL;
  /** The fetch to use; defaults to the page's ({@link setFetch}), else the global one. */
  fetch?: FetchLike;
  /** Request options for `data.url` (headers, credentials); the signal is added. */
  init?: RequestInit;
}

/** Returns the contract with URL data fetched and parsed into inline rows or columns. */
export async function resolveData<C extends Contract>(contract: C, options: ResolveOptions = {}): Promise<InlineContract<C>> {
  if (!contract.data || !('url' in contract.data)) return contract as InlineContract<C>;
  const data = contract.data as UrlData;
  const doFetch = options.fetch ?? currentFetch();
  let url: URL;
  try {
    url = new URL(data.url, options.baseUrl ?? globalThis.location?.href);
  } catch {
    throw new ContractError('/data/url', `expected a URL, absolute or relative to the page, got ${JSON.stringify(data.url)}`);
  }
  let response: Response;
  try {
    response = await doFetch(url, { ...options.init, signal: options.signal });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ContractError('/data/url', `could not fetch ${showUrl(url)}: ${(error as Error).message}`);
  }
  if (!response.ok) throw new ContractError('/data/url', `could not fetch ${showUrl(url)}: HTTP ${response.status}`);
  return { ...contract, data: await parseBody(response, data.format, contract.fields ?? {}, options.signal) };
}

/**
 * Settles with `promise`, or rejects with the signal's reason once it aborts: a body that never
 * ends must give way to a cancel or a timeout even where the fetch does not tie them together.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function parseBody(response: Response, format: UrlData['format'], fields: FieldMap, signal?: AbortSignal): Promise<RowsData | ColumnsData> {
  try {
    if (format === 'arrow') return tableToColumns(fromArrow(new Uint8Array(await untilAborted(response.arrayBuffer(), signal))));
    const text = await untilAborted(response.text(), signal);
    if (format === 'csv') return tableToColumns(fromCSV(text, { parse: csvParsers(fields) }));
    const json: unknown = JSON.parse(text);
    if (Array.isArray(json)) return { rows: json };
    if (json && typeof json === 'object' && 'rows' in json && Array.isArray(json.rows)) return { rows: json.rows };
    if (json && typeof json === 'object') {
      checkColumns(json as Record<string, unknown>, '/data/url');
      return { columns: json as ColumnsData['columns'] };
    }
    throw new Error('expected an array of rows or an object of columns');
  } catch (error) {
    if (error instanceof ContractError || signal?.aborted) throw error;
    throw new ContractError('/data/format', `could not read the ${format} at /data/url: ${(error as Error).message}`);
  }
}

/**
 * Arquero's CSV reader guesses types, and would read a date-only `2024-03-01` as UTC midnight and an
 * id like `007` as the number 7. Times stay text (or epoch numbers) so `timeZone` decides their
 * instant; ids and event names stay text.
 */
function csvParsers(fields: FieldMap): Record<string, (text: string) => Cell> {
  // Null prototypes: a column may be called `__proto__`.
  const parsers: Record<string, (text: string) => Cell> = Object.create(null);
  if (fields.time) parsers[fields.time] = (text) => (/^-?\d+$/.test(text) ? Number(text) : text);
  if (fields.entity) parsers[fields.entity] = String;
  if (fields.event) parsers[fields.event] = String;
  return parsers;
}

function tableToColumns(t: ColumnTable): ColumnsData {
  const columns: Record<string, Cell[]> = Object.create(null);
  for (const name of t.columnNames()) columns[name] = t.array(name) as unknown as Cell[];
  return { columns };
}
