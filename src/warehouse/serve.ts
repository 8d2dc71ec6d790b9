/// <reference types="node" />
/**
 * The warehouse path over HTTP (Node only): `funnelkit serve` answers
 * `GET /contracts/<name>.json` with the contract `<dir>/<name>.json` computed inside DuckDB or ClickHouse, as
 * the pre-aggregated contract the widgets draw (`<funnel-chart src="…/contracts/b2b.json">`), and
 * a served funnel's or cohort's drill-down ids at `GET /contracts/<name>/entities`, the address
 * its `entitiesUrl` gives.
 *
 * Also the pieces `funnelkit compute` shares with it: opening the events (a DuckDB file, Parquet
 * files loaded into an in-memory DuckDB, or a ClickHouse server) and reading a contract file.
 * Each database's client is imported only when it is used: a ClickHouse user needs no DuckDB.
 * @module
 */
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, sep } from 'node:path';
import type { Contract } from '../analytics/contract.js';
import { ContractError } from '../analytics/contract-error.js';
import { runContract, runEntities, type WarehouseConnection } from './index.js';
import { quoteIdent, quoteLiteral } from './quote.js';

export { quoteLiteral } from './quote.js';

/** Where the events are: a DuckDB database file, a glob of Parquet files, or a ClickHouse server. */
export interface EventsSource {
  /** A DuckDB database file, opened read-only. */
  duckdb?: string;
  /** A Parquet file or glob (`events/*.parquet`), read into an in-memory DuckDB as table `events`. */
  parquet?: string;
  /**
   * A ClickHouse server's HTTP address (`http://host:8123`; user, password and database as the
   * `@clickhouse/client` URL takes them: `http://user:pass@host:8123/db`).
   */
  clickhouse?: string;
  /**
   * The events table when a contract names none in `data.table` (default `events`); with
   * `--duckdb` or `--clickhouse` it wins over `data.table`. Always quoted: any name is a name, never SQL.
   */
  table?: string;
  /**
   * Column ordering events at equal times; default DuckDB's `rowid` (insertion order). With
   * Parquet and a `rowOrder`, the files are read through a VIEW (nothing is copied); without
   * one they are copied into an in-memory TABLE, whose `rowid` is the files' row order.
   */
  rowOrder?: string;
  /** Let contracts' `data.sql` run (`--allow-sql`): only for contracts the operator wrote. */
  allowSql?: boolean;
}

/** The name of the in-memory table (or view) Parquet files are read into. */
export const PARQUET_TABLE = 'events';

/** An open events database: a connection for each computation, and how to close it. */
export interface EventsDatabase {
  /** Runs `work` with a connection (DuckDB: a new one each time; ClickHouse: the one client). */
  withConnection<T>(work: (connection: WarehouseConnection) => Promise<T>): Promise<T>;
  /** The table to read for a contract (see {@link EventsSource.table}). */
  tableFor(contract: unknown): string | string[] | undefined;
  rowOrder?: string;
  allowSql?: boolean;
  close(): void;
}

/** Opens the events: the DuckDB file read-only, the Parquet files in an in-memory database, or a ClickHouse client. */
export async function openEvents(source: EventsSource): Promise<EventsDatabase> {
  const given = [source.duckdb, source.parquet, source.clickhouse].filter((s) => s !== undefined).length;
  if (given !== 1) throw new UsageError('give one of --duckdb <file>, --parquet <glob> or --clickhouse <url>');
  if (source.parquet !== undefined && source.table !== undefined) throw new UsageError(`--table applies to --duckdb and --clickhouse; Parquet files are read as table "${PARQUET_TABLE}"`);
  if (source.table !== undefined) quoteIdent(source.table); // an empty name or NUL is a usage error now
  const tableFor = (fixed: string | undefined) => (contract: unknown) => fixed ?? (ownSource(contract) ? undefined : 'events');
  if (source.clickhouse !== undefined) {
    let url: URL;
    try {
      url = new URL(source.clickhouse);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    } catch {
      throw new UsageError(`--clickhouse expects an http(s) URL such as http://localhost:8123, got ${JSON.stringify(source.clickhouse)}`);
    }
    const { createClient, ClickHouseLogLevel } = await import('@clickhouse/client');
    // Errors reach the caller as contract or usage errors, on one line: the client logs nothing.
    const client = createClient({ url: url.href, log: { level: ClickHouseLogLevel.OFF } });
    try {
      const ping = await client.ping();
      if (!ping.success) throw ping.error;
    } catch (error) {
      await client.close();
      throw new UsageError(`cannot reach ClickHouse at ${url.origin}: ${firstLine(error)}`);
    }
    return {
      withConnection: (work) => work(client),
      rowOrder: source.rowOrder,
      allowSql: false,
      tableFor: tableFor(source.table),
      close: () => void client.close(),
    };
  }
  const { DuckDBInstance } = await import('@duckdb/node-api');
  let instance: InstanceType<typeof DuckDBInstance>;
  if (source.duckdb !== undefined) {
    try {
      await stat(source.duckdb);
    } catch {
      throw new UsageError(`no such DuckDB file: ${source.duckdb}`);
    }
    instance = await DuckDBInstance.create(source.duckdb, { access_mode: 'READ_ONLY' });
  } else {
    instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const files = `read_parquet(${quoteLiteral(source.parquet!)})`;
      const kind = source.rowOrder === undefined ? 'TABLE' : 'VIEW';
      await connection.run(`CREATE ${kind} ${quoteIdent(PARQUET_TABLE)} AS SELECT * FROM ${files}`);
    } catch (error) {
      instance.closeSync();
      throw new UsageError(`cannot read the Parquet files ${JSON.stringify(source.parquet)}: ${firstLine(error)}`);
    } finally {
      connection.closeSync();
    }
  }
  return {
    async withConnection(work) {
      const connection = await instance.connect();
      try {
        return await work(connection);
      } finally {
        connection.closeSync();
      }
    },
    rowOrder: source.rowOrder,
    allowSql: source.allowSql,
    // A contract with its own source (data.table, data.files, data.sql) is read from it by runContract.
    tableFor: tableFor(source.parquet !== undefined ? PARQUET_TABLE : source.table),
    close: () => instance.closeSync(),
  };
}

/** Whether a contract names its own events (`data.table`, `data.files` or `data.sql`). */
function ownSource(contract: unknown): boolean {
  const data = (contract as { data?: unknown } | null)?.data;
  return !!data && typeof data === 'object' && ('table' in data || 'files' in data || 'sql' in data);
}

/** A bad command line or option: the CLI prints its message on one line and exits with 1. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The parsed contract file as runContract takes it (its schema check happens there). */
function forWarehouse(contract: unknown): Contract {
  if (contract === null || typeof contract !== 'object' || Array.isArray(contract)) throw new ContractError('', 'expected a contract object');
  return contract as Contract;
}

/** Reads and parses a contract file; bad JSON is a contract error at the document root. */
export async function readContract(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ContractError('', `not valid JSON: ${firstLine(error)}`);
  }
}

/** A range override from the query string (`from`, `to`): replaces those ends of `funnel.range`. */
export interface RangeOverride {
  from?: string;
  to?: string;
}

/** The contract with `from`/`to` replacing those ends of its kind's range (`funnel.range`, `cohort.range`…). */
function withRange(input: Contract, range: RangeOverride): Contract {
  const section = (input as unknown as Record<string, unknown>)[input.kind];
  if ((range.from === undefined && range.to === undefined) || !section || typeof section !== 'object') return input;
  const old = (section as { range?: unknown }).range;
  const base = old && typeof old === 'object' ? old : {};
  const next = { ...base, ...(range.from !== undefined ? { from: range.from } : {}), ...(range.to !== undefined ? { to: range.to } : {}) };
  return { ...input, [input.kind]: { ...section, range: next } } as Contract;
}

/** Computes one parsed contract against the events, with an optional range override. */
export async function computeContract(events: EventsDatabase, contract: unknown, range: RangeOverride = {}): Promise<Contract> {
  const input = withRange(forWarehouse(contract), range);
  return events.withConnection((connection) => runContract(input, connection, { table: events.tableFor(contract), rowOrder: events.rowOrder, allowSql: events.allowSql }));
}

export interface ServerOptions extends EventsSource {
  /** The folder of contracts: `<contracts>/<name>.json` is served at `/contracts/<name>.json`. */
  contracts: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1 (only this machine); `0.0.0.0` to serve the network. */
  host?: string;
  /** Most computed answers kept in memory (default 256), oldest dropped first. */
  cacheSize?: number;
}

export interface RunningServer {
  /** `http://host:port` */
  url: string;
  close(): Promise<void>;
}

const NAME = /^\/contracts\/([A-Za-z0-9_-][A-Za-z0-9._-]*)\.json$/;
const ENTITIES = /^\/contracts\/([A-Za-z0-9_-][A-Za-z0-9._-]*)\/entities$/;

/** Where a served funnel's or cohort's drill-down ids are: relative to `/contracts/<name>.json`, with its range. */
function entitiesPath(name: string, range: RangeOverride): string {
  const query = new URLSearchParams();
  if (range.from !== undefined) query.set('from', range.from);
  if (range.to !== undefined) query.set('to', range.to);
  const q = query.toString();
  return `./${encodeURIComponent(name)}/entities${q ? `?${q}` : ''}`;
}

interface Answer {
  body: string;
  etag: string;
}

/**
 * Starts the endpoint. Each answer is cached in memory by contract name, range query and the
 * contract file's modification time and size (an edited contract is recomputed; new rows in the
 * database are not seen until the server restarts or the contract file changes), and carries an
 * `ETag`; a request whose `If-None-Match` matches gets 304. Every answer allows any origin (CORS).
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  let dir: string;
  try {
    dir = await realpath(options.contracts);
    if (!(await stat(dir)).isDirectory()) throw new Error();
  } catch {
    throw new UsageError(`no such contracts folder: ${options.contracts}`);
  }
  const events = await openEvents(options);
  const cacheSize = options.cacheSize ?? 256;
  const cache = new Map<string, Promise<Answer>>();

  const answer = async (name: string, range: RangeOverride): Promise<Answer> => {
    const file = await contractFile(dir, name);
    const info = await stat(file);
    const key = JSON.stringify([name, range.from ?? null, range.to ?? null, info.mtimeMs, info.size]);
    let pending = cache.get(key);
    if (pending) {
      cache.delete(key); // re-inserted below: most recently used last
    } else {
      pending = (async () => {
        const contract = await readContract(file);
        const computed = await computeContract(events, contract, range);
        // A funnel's or cohort's drill-down ids are a second query, at ./<name>/entities (same range).
        if (computed.kind === 'funnel') computed.funnel.entitiesUrl = entitiesPath(name, range);
        else if (computed.kind === 'cohort') computed.cohort.entitiesUrl = entitiesPath(name, range);
        const body = JSON.stringify(computed);
        return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
      })();
      pending.catch(() => cache.delete(key));
    }
    cache.set(key, pending);
    while (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
    return pending;
  };

  /**
   * A drill-down list, computed by a second query (not cached: on demand): a funnel step's
   * `{ converted, dropped }` (`?step=&group=`), or a cohort cell's `{ ids }`
   * (`?cohort=&period=&group=`).
   */
  const entities = async (name: string, range: RangeOverride, query: URLSearchParams): Promise<Answer> => {
    const file = await contractFile(dir, name);
    const contract = withRange(forWarehouse(await readContract(file)), range);
    const group = query.get('group');
    const options = { table: events.tableFor(contract), rowOrder: events.rowOrder, allowSql: events.allowSql };
    let lists: (connection: WarehouseConnection) => Promise<unknown>;
    if (contract.kind === 'funnel') {
      const step = query.get('step') ?? '';
      if (!/^\d{1,3}$/.test(step)) throw new BadRequest(`expected ?step=<a step index>, got ${JSON.stringify(step)}`);
      lists = async (connection) => {
        const list = async (outcome: 'converted' | 'dropped') => (await runEntities(contract, connection, { step: Number(step), outcome, group }, options)).ids;
        return { converted: await list('converted'), dropped: await list('dropped') };
      };
    } else if (contract.kind === 'cohort') {
      const cohort = query.get('cohort') ?? '';
      const period = query.get('period') ?? '';
      if (cohort === '' || !/^\d{1,3}$/.test(period)) throw new BadRequest(`expected ?cohort=<a cohort row's label>&period=<a period index>, got ${JSON.stringify({ cohort, period })}`);
      lists = (connection) => runEntities(contract, connection, { cohort, period: Number(period), group }, options);
    } else {
      throw new ContractError('/kind', `drill-down ids are served for funnel and cohort contracts, got ${JSON.stringify(contract.kind)}`);
    }
    try {
      const body = JSON.stringify(await events.withConnection(lists));
      return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    } catch (error) {
      // A step or period past the contract's, a label naming no cohort, a group without a breakdown.
      if ((error instanceof RangeError || error instanceof TypeError) && /^(step|outcome|cohort|period|group): /.test(error.message)) throw new BadRequest(error.message);
      throw error;
    }
  };

  const server = createServer((request, response) => {
    handle(request, response, answer, entities).catch((error) => {
      // Only reached if writing the response itself failed.
      if (!response.headersSent) sendError(response, 500, 'internal error', null);
      else response.destroy(error as Error);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => resolve());
  }).catch((error) => {
    events.close();
    throw new UsageError(`cannot listen on ${options.host ?? '127.0.0.1'}:${options.port ?? 8080}: ${firstLine(error)}`);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          events.close();
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

class NotFound extends Error {}

/** A drill-down request without the parameters its contract's kind reads, or with bad ones: 400. */
class BadRequest extends Error {}

/** `<dir>/<name>.json`, resolved, inside `dir` and a file; else {@link NotFound}. */
async function contractFile(dir: string, name: string): Promise<string> {
  try {
    const real = await realpath(join(dir, `${name}.json`));
    if (!real.startsWith(dir + sep)) throw new Error('outside');
    if (!(await stat(real)).isFile()) throw new Error('not a file');
    return real;
  } catch {
    throw new NotFound(`no contract named ${JSON.stringify(name)}`);
  }
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, OPTIONS',
  'access-control-allow-headers': 'If-None-Match, Content-Type',
  'access-control-expose-headers': 'ETag',
  'access-control-max-age': '86400',
};

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  answer: (name: string, range: RangeOverride) => Promise<Answer>,
  entities: (name: string, range: RangeOverride, query: URLSearchParams) => Promise<Answer>,
): Promise<void> {
  for (const [k, v] of Object.entries(CORS)) response.setHeader(k, v);
  if (request.method === 'OPTIONS') {
    response.writeHead(204).end();
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD, OPTIONS');
    sendError(response, 405, `method ${request.method} not allowed`, null);
    return;
  }
  const url = new URL(request.url ?? '/', 'http://localhost');
  const match = NAME.exec(url.pathname);
  const drill = ENTITIES.exec(url.pathname);
  if (!match && !drill) {
    sendError(response, 404, 'not found: contracts are served at /contracts/<name>.json, drill-down ids at /contracts/<name>/entities', null);
    return;
  }
  const range: RangeOverride = {};
  const from = url.searchParams.get('from');
  const to = url.searchParams.get('to');
  if (from !== null && from !== '') range.from = from;
  if (to !== null && to !== '') range.to = to;
  let result: Answer;
  try {
    if (drill) result = await entities(drill[1], range, url.searchParams);
    else result = await answer(match![1], range);
  } catch (error) {
    if (error instanceof NotFound) sendError(response, 404, error.message, null);
    else if (error instanceof BadRequest) sendError(response, 400, error.message, null);
    else if (error instanceof ContractError) sendError(response, 400, error.detail, error.path);
    else {
      console.error(`funnelkit serve: ${url.pathname}: ${(error as Error)?.stack ?? error}`);
      sendError(response, 500, 'internal error computing the contract', null);
    }
    return;
  }
  response.setHeader('etag', result.etag);
  response.setHeader('cache-control', 'no-cache');
  if (matchesEtag(request.headers['if-none-match'], result.etag)) {
    response.writeHead(304).end();
    return;
  }
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(result.body) });
  response.end(request.method === 'HEAD' ? undefined : result.body);
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}

function sendError(response: ServerResponse, status: number, message: string, path: string | null): void {
  const body = JSON.stringify({ error: { message, path } });
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  response.end(body);
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0];
}
