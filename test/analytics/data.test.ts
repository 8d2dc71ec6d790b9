import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveData } from '../../src/analytics/index.js';
import { computeFunnel } from '../../src/analytics/index.js';
import type { FunnelContract } from '../../src/analytics/contract.js';

const csvFetch = (text: string) => (async () => new Response(text, { headers: { 'content-type': 'text/csv' } })) as unknown as typeof fetch;

const contract = (extra: Partial<FunnelContract> = {}): FunnelContract => ({
  version: 1,
  kind: 'funnel',
  timeZone: 'America/New_York',
  data: { url: 'https://example.test/events.csv', format: 'csv' },
  fields: { entity: 'lead', time: 'ts', event: 'event' },
  funnel: { steps: [{ event: 'lead' }, { event: 'won' }], range: { from: '2024-03-10', to: '2024-03-10' } },
  ...extra,
});

test('CSV dates and ids keep their text, so the contract time zone decides the instant', async () => {
  const csv = 'lead,ts,event\n007,2024-03-10,lead\n007,2024-03-10T09:00:00,won\n008,1710046800000,lead\n';
  const inline = await resolveData(contract(), { fetch: csvFetch(csv) });
  assert.ok('columns' in inline.data);
  const cols = inline.data.columns;
  assert.deepEqual(cols.lead, ['007', '007', '008']);
  assert.deepEqual(cols.ts, ['2024-03-10', '2024-03-10T09:00:00', 1710046800000]);
  // 2024-03-10 is midnight in New York (05:00Z). Read as UTC midnight it would fall on 9 March
  // local time and outside the range, and lead 007 would not be counted.
  // Lead 008's epoch 1710046800000 is 2024-03-10T05:00Z, also inside the New York day.
  const view = computeFunnel(inline);
  assert.deepEqual(view.steps.map((s) => s.count), [2, 1]);
});

test('the same CSV read in UTC puts a New York evening on the next day', async () => {
  const csv = 'lead,ts,event\n1,2024-03-09T20:00:00-05:00,lead\n2,2024-03-10,lead\n';
  const inline = await resolveData(contract({ timeZone: 'UTC' }), { fetch: csvFetch(csv) });
  // 20:00 in New York on 9 March is 01:00Z on 10 March: inside the UTC day.
  assert.deepEqual(computeFunnel(inline).steps.map((s) => s.count), [2, 0]);
});

test('a failed fetch names /data/url', async () => {
  const failing = (async () => new Response('nope', { status: 404 })) as unknown as typeof fetch;
  await assert.rejects(resolveData(contract(), { fetch: failing }), /\/data\/url: could not fetch https:\/\/example.test\/events.csv: HTTP 404/);
});
