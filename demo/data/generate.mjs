#!/usr/bin/env node
// Writes sample data as JSON or CSV, to a file or stdout. See demo/data/README.md.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { generateCostPerLead, generateDailyKpis, generateEvents, generateLeadConversions } from './sample-data.js';

const USAGE = `Usage: node demo/data/generate.mjs [options]
  --kind b2b|app|leads|lead-to-cash|kpis|conversions|cost-per-lead
                              what to generate (default b2b)
  --events N                  approximate event rows for b2b/app/leads/lead-to-cash (default 10000)
  --days N                    days for kpis, conversions and cost-per-lead (default 90)
  --drop-day N                kpis, conversions: 0-based day whose conversion rate drops (default ~2/3 through)
  --seed N                    PRNG seed (default 1)
  --format json|csv           json: an array of row objects, one per line (default json)
  --time-format iso|ms        ts as ISO 8601 UTC string or epoch ms (default iso)
  --out FILE                  write here (directories are created); default stdout`;

const KINDS = ['b2b', 'app', 'leads', 'lead-to-cash', 'kpis', 'conversions', 'cost-per-lead'];

// Rows are serialized in slices: one string for a million rows would be hundreds of MB at once.
const SLICE = 20_000;

/** @param {string | undefined} value @param {string} name */
function integer(value, name) {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new RangeError(`--${name} must be an integer, got ${value}`);
  return n;
}

/** @param {Record<string, unknown>[]} rows */
function* jsonChunks(rows) {
  yield '[\n';
  for (let i = 0; i < rows.length; i += SLICE) {
    const end = Math.min(i + SLICE, rows.length);
    yield rows.slice(i, end).map((row) => JSON.stringify(row)).join(',\n') + (end < rows.length ? ',\n' : '\n');
  }
  yield ']\n';
}

/** @param {unknown} value */
function csvField(value) {
  if (value === null || value === undefined) return ''; // an empty cell, as CSV readers take a missing value
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** @param {Record<string, unknown>[]} rows */
function* csvChunks(rows) {
  const keys = Object.keys(rows[0] ?? {});
  yield keys.join(',') + '\n';
  for (let i = 0; i < rows.length; i += SLICE) {
    yield rows.slice(i, i + SLICE).map((row) => keys.map((key) => csvField(row[key])).join(',')).join('\n') + '\n';
  }
}

async function main() {
  const { values: args } = parseArgs({
    options: {
      kind: { type: 'string', default: 'b2b' },
      events: { type: 'string', default: '10000' },
      days: { type: 'string' },
      'drop-day': { type: 'string' },
      seed: { type: 'string', default: '1' },
      format: { type: 'string', default: 'json' },
      'time-format': { type: 'string', default: 'iso' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (args.help) return console.log(USAGE);
  if (!KINDS.includes(args.kind)) throw new RangeError(`--kind must be ${KINDS.slice(0, -1).join(', ')} or ${KINDS.at(-1)}, got ${args.kind}`);
  if (args.format !== 'json' && args.format !== 'csv') throw new RangeError(`--format must be json or csv, got ${args.format}`);

  const started = performance.now();
  const seed = integer(args.seed, 'seed');
  const days = integer(args.days, 'days');
  const dropDay = integer(args['drop-day'], 'drop-day');
  const timeFormat = /** @type {any} */ (args['time-format']);
  const rows = args.kind === 'kpis'
    ? generateDailyKpis({ seed, days, dropDay })
    : args.kind === 'conversions'
      ? generateLeadConversions({ seed, days, dropDay, timeFormat })
      : args.kind === 'cost-per-lead'
        ? generateCostPerLead({ seed, days })
        : generateEvents({ seed, events: integer(args.events, 'events'), kind: /** @type {any} */ (args.kind), timeFormat });
  const generated = performance.now();

  if (args.out) await mkdir(dirname(args.out), { recursive: true });
  const out = args.out ? createWriteStream(args.out) : process.stdout;
  let bytes = 0;
  for (const chunk of (args.format === 'csv' ? csvChunks : jsonChunks)(rows)) {
    bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  }
  if (args.out) {
    out.end();
    await once(out, 'finish');
  }
  const written = performance.now();

  // With stdout carrying the data, the summary goes to stderr so pipes stay clean.
  const log = args.out ? console.log : console.error;
  log(`${args.kind}: ${rows.length.toLocaleString('en')} rows, ${(bytes / 1e6).toFixed(1)} MB → ${args.out ?? 'stdout'}`
    + ` in ${Math.round(written - started)} ms (generate ${Math.round(generated - started)} ms, write ${Math.round(written - generated)} ms)`);
}

// `generate.mjs | head` closes the pipe early; that is not an error worth a stack trace.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  console.error(USAGE);
  process.exitCode = 1;
});
