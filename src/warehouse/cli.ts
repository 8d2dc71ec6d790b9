#!/usr/bin/env node
/// <reference types="node" />
/**
 * `funnelkit` (Node only): contracts computed inside DuckDB or ClickHouse from the command line.
 *
 *     funnelkit compute <contract.json> --duckdb <file.duckdb> [--table events] [--row-order <column>]
 *     funnelkit compute <contract.json> --parquet '<glob>' [--row-order <column>]
 *     funnelkit compute <contract.json> --clickhouse http://host:8123 [--table events] [--row-order <column>]
 *     funnelkit serve --duckdb <file> --contracts <dir> [--table events] [--port 8080] [--host 127.0.0.1]
 * @module
 */
import { realpathSync } from 'node:fs';
import process from 'node:process';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ContractError } from '../analytics/contract-error.js';
import { computeContract, openEvents, readContract, startServer, UsageError, type RunningServer } from './serve.js';

export { startServer, quoteLiteral, type ServerOptions, type RunningServer } from './serve.js';

export const USAGE = `Usage:
  funnelkit compute <contract.json> (--duckdb <file.duckdb> | --parquet '<glob>' | --clickhouse <url>) [options]
      Computes the contract inside the database and prints the pre-aggregated contract (JSON) to stdout.
  funnelkit serve (--duckdb <file.duckdb> | --parquet '<glob>' | --clickhouse <url>) --contracts <dir> [options]
      Serves GET /contracts/<name>.json: <dir>/<name>.json computed against the database,
      with ?from=&to= (ISO dates) overriding the range, ETag caching and CORS.

Options:
  --duckdb <file>       DuckDB database file holding the events (opened read-only)
  --parquet <glob>      Parquet file(s) holding the events, read as table "events"
  --clickhouse <url>    ClickHouse server (HTTP, e.g. http://localhost:8123; http://user:pass@host:8123/db)
  --table <name>        events table in the DuckDB file or ClickHouse database (default: the contract's
                        data.table, data.files or data.sql, else "events"); in ClickHouse a Distributed
                        table must be sharded by the contract's entity column
  --row-order <column>  column ordering events at equal times (default: the table's row order)
  --allow-sql           let contracts' data.sql run (only for contracts you wrote: it runs as SQL)
  --contracts <dir>     (serve) folder of contract files
  --port <n>            (serve) port, default 8080 (0: any free port)
  --host <addr>         (serve) address, default 127.0.0.1
  -h, --help            this text
`;

/** Where the CLI writes; the tests capture it. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** A started `serve`, for whoever called {@link main} (the entry point keeps it running). */
export let lastServer: RunningServer | undefined;

/**
 * Runs one command line (without `node` and the script) and resolves to the exit code: 0, or 1
 * with a one-line message on stderr (`path: message` for a contract error). `serve` resolves once
 * the server listens, and leaves it running.
 */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        duckdb: { type: 'string' },
        parquet: { type: 'string' },
        clickhouse: { type: 'string' },
        table: { type: 'string' },
        'row-order': { type: 'string' },
        'allow-sql': { type: 'boolean' },
        contracts: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.out(USAGE);
      return 0;
    }
    const [command, ...rest] = positionals;
    const source = { duckdb: values.duckdb, parquet: values.parquet, clickhouse: values.clickhouse, table: values.table, rowOrder: values['row-order'], allowSql: values['allow-sql'] };
    if (command === 'compute') {
      if (rest.length !== 1) throw new UsageError('compute takes one contract file: funnelkit compute <contract.json> --duckdb <file>');
      for (const only of ['contracts', 'port', 'host'] as const) if (values[only] !== undefined) throw new UsageError(`--${only} applies to serve`);
      let contract: unknown;
      try {
        contract = await readContract(rest[0]);
      } catch (error) {
        if (error instanceof ContractError) throw error;
        throw new UsageError(`cannot read ${rest[0]}: ${(error as Error).message}`);
      }
      const events = await openEvents(source);
      try {
        const result = await computeContract(events, contract);
        io.out(`${JSON.stringify(result, null, 2)}\n`);
      } finally {
        events.close();
      }
      return 0;
    }
    if (command === 'serve') {
      if (rest.length !== 0) throw new UsageError(`serve takes no file arguments, got ${JSON.stringify(rest[0])}`);
      if (values.contracts === undefined) throw new UsageError('serve needs --contracts <dir>');
      let port = 8080;
      if (values.port !== undefined) {
        port = Number(values.port);
        if (!/^\d+$/.test(values.port) || port > 65535) throw new UsageError(`--port expects a port number, got ${JSON.stringify(values.port)}`);
      }
      const server = await startServer({ ...source, contracts: values.contracts, port, host: values.host });
      lastServer = server;
      io.err(`funnelkit: serving ${values.contracts} at ${server.url}/contracts/<name>.json\n`);
      return 0;
    }
    throw new UsageError(command === undefined ? 'no command: try funnelkit --help' : `unknown command ${JSON.stringify(command)}: try funnelkit --help`);
  } catch (error) {
    io.err(`funnelkit: ${describe(error)}\n`);
    return 1;
  }
}

/** One line for an error: `path: message` for a contract error, the message otherwise. */
function describe(error: unknown): string {
  const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ');
  if (error instanceof ContractError) return oneLine(`${error.path || '/'}: ${error.detail}`);
  return oneLine(String((error as Error)?.message ?? error));
}

/** Whether this module is the program being run (also through npm's `.bin` symlink). */
function isEntry(): boolean {
  if (!process.argv[1]) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isEntry()) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    if (lastServer) {
      const stop = () => void lastServer?.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }
  });
}
