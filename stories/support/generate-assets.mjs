// Writes the static files under stories/assets/ (served at /story-assets/ by .storybook/main.ts
// staticDirs) for the `src` data-source story. Run again after a generator changes:
//   node stories/support/generate-assets.mjs
import { writeFile } from 'node:fs/promises';
import { generateDailyKpis } from '../../demo/data/sample-data.js';

const dir = new URL('../assets/', import.meta.url);
const rows = generateDailyKpis({ seed: 7 });
const columns = Object.keys(rows[0]);
const csv = [columns.join(','), ...rows.map((r) => columns.map((c) => r[c]).join(','))].join('\n') + '\n';
await writeFile(new URL('daily-kpis.csv', dir), csv);

// The contract fetched by `src`; its relative data.url resolves against the contract's own URL.
const contract = {
  version: 1,
  kind: 'kpi',
  title: 'Lead volume (contract from src, data from CSV)',
  data: { url: 'daily-kpis.csv', format: 'csv' },
  fields: { time: 'date', value: 'leads' },
  kpi: { metric: 'sum', unit: 'number', range: { from: '2026-03-06', to: '2026-04-04' }, compare: 'previous-period', target: 45000 },
};
await writeFile(new URL('lead-volume.kpi.json', dir), JSON.stringify(contract, null, 2) + '\n');
console.log(`wrote ${rows.length} rows to stories/assets/daily-kpis.csv and stories/assets/lead-volume.kpi.json`);
