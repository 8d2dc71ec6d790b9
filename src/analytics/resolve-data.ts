/**
 * From a contract whose `data` is a URL to one whose data is inline, in two steps a Worker can
 * split between threads: {@link fetchBody} (the page: its fetch, headers, timeouts) and
 * {@link parseBody} (anywhere: JSON, CSV, Apache Arrow IPC or Parquet into columns).
 *
 * Each format's reader is imported only inside its branch, so a contract with inline or
 * pre-aggregated data never loads Arquero (CSV), Flechette (Arrow) or hyparquet (Parquet), and an
 * app's bundler splits them into chunks of their own.
 * @module
 */
import type { ArrowData, Cell, ColumnsData, Contract, FieldMap, InlineContract, RowsData, UrlData } from './contract.js';
import { ContractError } from './contract-error.js';
import { bigIntAsNumber, checkColumns } from './columns.js';
import { currentFetch, showUrl, type FetchLike } from './fetcher.js';
import { loadOnce } from './load-once.js';

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

/**
 * A fetched, not yet parsed `data.url`: plain bytes, so a page can transfer them to a Worker
 * without a copy, and the Worker parses them with {@link parseBody}.
 */
export interface FetchedBody {
  bytes: ArrayBuffer;
  format: UrlData['format'];
  /** The URL fetched, already redacted with {@link showUrl} (safe in error messages). */
  url: string;
}

/** Returns the contract with URL data fetched and parsed into inline rows or columns. */
export async function resolveData<C extends Contract>(contract: C, options: ResolveOptions = {}): Promise<InlineContract<C>> {
  const body = await fetchBody(contract, options);
  if (!body) return contract as InlineContract<C>;
  return { ...contract, data: await parseBody(body, contract.fields ?? {}, options.signal) };
}

/**
 * Fetches a contract's `data.url` into bytes; null when its data is not a URL. Throws a
 * {@link ContractError} at `/data/url` when the URL is bad or the fetch fails, and passes an
 * `AbortError` (or the signal's reason) through untouched, so a cancel is not reported as an error.
 */
export async function fetchBody(contract: Contract, options: ResolveOptions = {}): Promise<FetchedBody | null> {
  if (!contract.data || !('url' in contract.data)) return null;
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
  try {
    return { bytes: await untilAborted(readBytes(response), options.signal), format: data.format, url: showUrl(url) };
  } catch (error) {
    // A body that breaks off mid-way is reported as unreadable data, as it was before the split.
    if (options.signal?.aborted) throw error;
    throw readError(data.format, error);
  }
}

/**
 * A response's body as one ArrayBuffer. With a `Content-Length`, the bytes are read straight into
 * a buffer of that size (a BYOB reader): `arrayBuffer()` gathers chunks and copies them into ever
 * larger buffers, which took twice as long for 14 MB on localhost in Chromium (230 ms against
 * 115 ms, in a Worker). A body longer than announced (a compressed response announces its
 * encoded size) doubles the buffer; a shorter one is cut to what came. Without a length or a byte
 * stream, `arrayBuffer()`.
 */
export async function readBytes(response: Response): Promise<ArrayBuffer> {
  const announced = Number(response.headers.get('content-length'));
  let reader: ReadableStreamBYOBReader | undefined;
  if (response.body && Number.isSafeInteger(announced) && announced > 0) {
    try {
      reader = response.body.getReader({ mode: 'byob' });
    } catch {
      // Not a byte stream: read it the ordinary way.
    }
  }
  if (!reader) return response.arrayBuffer();
  let buffer = new ArrayBuffer(announced);
  let filled = 0;
  for (;;) {
    // Once the buffer is full, a small read tells the end from bytes beyond the announced length.
    const full = filled === buffer.byteLength;
    const view = full ? new Uint8Array(64 * 1024) : new Uint8Array(buffer, filled, buffer.byteLength - filled);
    // The view's buffer is transferred to the stream and comes back in `value`.
    const { done, value } = await reader.read(view);
    if (!full && value) buffer = value.buffer as ArrayBuffer;
    if (done || !value) break;
    if (full) {
      const bigger = new Uint8Array(Math.max(buffer.byteLength * 2, filled + value.byteLength));
      bigger.set(new Uint8Array(buffer));
      bigger.set(value, filled);
      buffer = bigger.buffer;
    }
    filled += value.byteLength;
  }
  return filled === buffer.byteLength ? buffer : buffer.slice(0, filled);
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

/**
 * Parses fetched bytes into inline data: rows (JSON arrays), columns (JSON columns, CSV, Parquet;
 * numeric Parquet columns become typed arrays) or an Arrow table (`data.arrow`); no row objects
 * are made but for JSON rows. A body that is not valid data
 * of its format is a {@link ContractError} at `/data/format`; bad cells are left to the executors,
 * which name them.
 */
export async function parseBody(body: FetchedBody, fields: FieldMap, signal?: AbortSignal): Promise<RowsData | ColumnsData | ArrowData> {
  try {
    return await untilAborted(parseFormat(body, fields), signal);
  } catch (error) {
    if (error instanceof ContractError || signal?.aborted) throw error;
    throw readError(body.format, error);
  }
}

/** The error for a body that cannot be read as its format; the path is the format that was wrong. */
function readError(format: UrlData['format'], error: unknown): ContractError {
  return new ContractError('/data/format', `could not read the ${format} at /data/url: ${(error as Error).message}`);
}

/** The reader of each format that needs one, imported only when that format is met. */
const READERS = {
  arrow: loadOnce(() => import('@uwdata/flechette')),
  parquet: loadOnce(() => import('hyparquet')),
  csv: loadOnce(() => import('arquero')),
};

/**
 * Starts loading a format's reader without waiting for it, so it is ready when the bytes are: the
 * compute Worker calls this as its download begins. A reader that fails to load fails again, with
 * its message, when the body is parsed.
 */
export function preloadReader(format: UrlData['format']): void {
  if (format in READERS) READERS[format as keyof typeof READERS]().catch(() => {});
}

/** One branch per format, each loading its reader only when it is needed. */
async function parseFormat(body: FetchedBody, fields: FieldMap): Promise<RowsData | ColumnsData | ArrowData> {
  switch (body.format) {
    case 'arrow':
      return parseArrow(body.bytes);
    case 'parquet':
      return parseParquet(body.bytes);
    case 'csv':
      return parseCsv(new TextDecoder().decode(body.bytes), fields);
    default:
      return parseJson(new TextDecoder().decode(body.bytes));
  }
}

/** JSON: an array of rows, `{ rows: [...] }`, or an object of equal-length columns. */
function parseJson(text: string): RowsData | ColumnsData {
  const json: unknown = JSON.parse(text);
  if (Array.isArray(json)) return { rows: json };
  if (json && typeof json === 'object' && 'rows' in json && Array.isArray(json.rows)) return { rows: json.rows };
  if (json && typeof json === 'object') {
    checkColumns(json as Record<string, unknown>, '/data/url');
    return { columns: json as ColumnsData['columns'] };
  }
  throw new Error('expected an array of rows or an object of columns');
}

/**
 * CSV through Arquero's reader. Arquero guesses types, and would read a date-only `2024-03-01`
 * as UTC midnight and an id like `007` as the number 7, so times stay text (or epoch numbers)
 * for `timeZone` to decide their instant, and ids and event names stay text.
 */
async function parseCsv(text: string, fields: FieldMap): Promise<ColumnsData> {
  const { fromCSV } = await READERS.csv();
  const table = fromCSV(text, { parse: csvParsers(fields) });
  const columns: Record<string, Cell[]> = Object.create(null);
  for (const name of table.columnNames()) columns[name] = table.array(name) as unknown as Cell[];
  return { columns };
}

/** Parsers for the columns in the entity, time and event roles (see {@link parseCsv}). */
function csvParsers(fields: FieldMap): Record<string, (text: string) => Cell> {
  // Null prototypes: a column may be called `__proto__`.
  const parsers: Record<string, (text: string) => Cell> = Object.create(null);
  if (fields.time) parsers[fields.time] = (text) => (/^-?\d+$/.test(text) ? Number(text) : text);
  if (fields.entity) parsers[fields.entity] = String;
  if (fields.event) parsers[fields.event] = String;
  return parsers;
}

/**
 * Arrow IPC (file or stream) through Flechette, as the table itself (`data.arrow`, as a host hands
 * one over): numeric columns without nulls are read as typed arrays over the IPC buffer, and
 * dictionary columns as their codes, so no row objects are made. Flechette's defaults are what
 * the executors want: timestamps and dates as epoch-ms numbers (`useDate: false`), 64-bit
 * integers as numbers (`useBigInt: false`, throwing when one does not fit a double). They are
 * spelled out so a change of default upstream cannot change them.
 */
async function parseArrow(bytes: ArrayBuffer): Promise<ArrowData> {
  const { tableFromIPC } = await READERS.arrow();
  return { arrow: tableFromIPC(new Uint8Array(bytes), { useDate: false, useBigInt: false, useBigIntTimestamp: false }) };
}

/**
 * Parquet through hyparquet, read column by column (no row objects): each column's chunks, one
 * per row group, are joined into one array, and a column of numbers without nulls becomes a
 * typed array, as Flechette reads Arrow.
 *
 * Compression: hyparquet reads uncompressed and Snappy pages itself, the codecs nearly every
 * writer uses by default; GZip, ZSTD, Brotli and LZ4 files fail here with hyparquet's message at
 * `/data/format` (they would need the `hyparquet-compressors` package, which is not bundled).
 */
async function parseParquet(bytes: ArrayBuffer): Promise<ColumnsData> {
  const { parquetMetadata, parquetRead, parquetSchema } = await READERS.parquet();
  const metadata = parquetMetadata(bytes, { parsers: PARQUET_PARSERS });
  const length = Number(metadata.num_rows);
  const names = parquetSchema(metadata).children.map((child) => child.element.name);
  const chunks = new Map<string, Array<{ rowStart: number; data: ArrayLike<unknown> }>>(names.map((name) => [name, []]));
  await parquetRead({
    file: bytes,
    metadata,
    parsers: PARQUET_PARSERS,
    onChunk: ({ columnName, columnData, rowStart }) => chunks.get(columnName)?.push({ rowStart, data: columnData }),
  });
  const columns: Record<string, ArrayLike<unknown>> = Object.create(null);
  for (const [name, parts] of chunks) columns[name] = joinChunks(parts, length, name);
  return { columns: columns as ColumnsData['columns'] };
}

/**
 * Timestamps as epoch-ms numbers, not Dates (as Flechette reads Arrow), so the executors take
 * them on their fast path; a DATE column is its UTC midnight, as an Arrow date is.
 */
const PARQUET_PARSERS = {
  timestampFromMilliseconds: (millis: bigint) => Number(millis),
  timestampFromMicroseconds: (micros: bigint) => Number(micros / 1000n),
  timestampFromNanoseconds: (nanos: bigint) => Number(nanos / 1000000n),
  dateFromDays: (days: number) => days * 86400000,
};

type Chunk = { rowStart: number; data: ArrayLike<unknown> };

/**
 * One column from its row-group chunks, in one pass. Chunks of one typed-array type (a required
 * numeric column) are copied block by block, or used as they are when there is one. Otherwise a
 * column holding only numbers (hyparquet's nullable integers and timestamps, 64-bit integers that
 * fit a double) becomes a Float64Array: an eighth of the memory of boxed values at a million
 * rows, and what the Arrow path gives for the same column. Anything else (strings, nulls) is a
 * plain array. A 64-bit integer beyond 2^53 is an error naming the column and row.
 */
function joinChunks(parts: Chunk[], length: number, name: string): ArrayLike<unknown> {
  parts.sort((a, b) => a.rowStart - b.rowStart);
  const first = parts[0]?.data;
  const bigInts = first instanceof BigInt64Array || first instanceof BigUint64Array;
  if (first && ArrayBuffer.isView(first) && !bigInts && parts.every((p) => p.data.constructor === first.constructor)) {
    if (parts.length === 1 && parts[0].rowStart === 0 && first.length === length) return first;
    type Typed = Float64Array & { subarray(start: number, end: number): Float64Array };
    const out = new (first.constructor as new (n: number) => Typed)(length);
    for (const { rowStart, data } of parts) out.set((data as Typed).subarray(0, Math.min(data.length, length - rowStart)), rowStart);
    return out;
  }
  const numbers = new Float64Array(length);
  let values: unknown[] | null = null;
  for (const { rowStart, data } of parts) {
    const end = Math.min(length, rowStart + data.length);
    for (let i = rowStart; i < end; i++) {
      let v = data[i - rowStart];
      if (typeof v === 'bigint') v = bigIntAsNumber(v, name, i);
      if (values) values[i] = v;
      else if (typeof v === 'number') numbers[i] = v;
      else {
        // The first value that is not a number: the column is a plain array after all.
        values = Array.from(numbers.subarray(0, i)) as unknown[];
        values.length = length;
        values[i] = v;
      }
    }
  }
  return values ?? numbers;
}
