import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contractIssues, validateContract } from '../../src/analytics/validate-contract.js';
import { ContractError } from '../../src/analytics/contract-error.js';
import { computeKpi } from '../../src/analytics/index.js';
import type { KpiContract } from '../../src/analytics/contract.js';

const funnel = (section: unknown, extra: Record<string, unknown> = {}) => ({
  version: 1,
  kind: 'funnel',
  data: { rows: [] },
  fields: { entity: 'person', time: 'ts', event: 'event' },
  funnel: section,
  ...extra,
});

test('a valid contract passes and is returned as is', () => {
  const c = funnel({ steps: [{ event: 'signup' }, { event: 'pay', where: { plan: ['pro', 'team'] } }], window: '14d' });
  assert.equal(validateContract(c), c);
  assert.deepEqual(contractIssues(c), []);
});

test('a wrong type names the JSON path, the expectation and the value', () => {
  const issues = contractIssues(funnel({ steps: [{ event: 'a' }, { event: 'b' }, { event: 42 }] }));
  assert.deepEqual(issues[0], { path: '/funnel/steps/2/event', message: 'expected a string, got 42' });
});

test('validateContract throws a ContractError carrying the path', () => {
  assert.throws(
    () => validateContract(funnel({ steps: [{ event: 'a' }] }, { version: 2 })),
    (e: unknown) => e instanceof ContractError && e.path === '/version' && e.message === '/version: expected 1, got 2',
  );
});

test('missing sections, unknown properties and bad enums are reported at their paths', () => {
  assert.deepEqual(contractIssues({ version: 1, kind: 'kpi', data: { rows: [] }, fields: {} })[0], { path: '/kpi', message: 'is required but missing' });
  assert.deepEqual(contractIssues(funnel({ stepz: [] })).find((i) => i.path === '/funnel/stepz'), {
    path: '/funnel/stepz',
    message: 'unknown property; did you mean "steps"?',
  });
  assert.deepEqual(contractIssues(funnel({ steps: [{ event: 'a' }] }, { kind: 'pie' }))[0], {
    path: '/kind',
    message: 'expected one of "funnel", "cohort", "anomaly", "kpi", got "pie"',
  });
});

test('data must be exactly one of rows, columns, arrow, url with format, or a warehouse source', () => {
  assert.deepEqual(contractIssues(funnel({ steps: [{ event: 'a' }] }, { data: {} }))[0], {
    path: '/data',
    message: 'expected "rows", or "columns", or "arrow", or "url" and "format", or "table", or "files" and "format", or "sql"',
  });
  assert.match(contractIssues(funnel({ steps: [{ event: 'a' }] }, { data: { rows: [], columns: {} } }))[0].message, /only one of/);
  assert.deepEqual(contractIssues(funnel({ steps: [{ event: 'a' }] }, { data: { url: 'x.csv', format: 'xml' } }))[0], {
    path: '/data/format',
    message: 'expected one of "json", "csv", "arrow", "parquet", got "xml"',
  });
});

test('durations and timestamps explain their format', () => {
  assert.deepEqual(contractIssues(funnel({ steps: [{ event: 'a' }], window: '14 days' }))[0], {
    path: '/funnel/window',
    message: 'expected a duration: 30s, 5m, 2h, 14d, 2w, or milliseconds, got "14 days"',
  });
  assert.deepEqual(contractIssues(funnel({ steps: [{ event: 'a' }], range: { from: 'yesterday' } }))[0], {
    path: '/funnel/range/from',
    message: 'expected ISO 8601 string or epoch milliseconds, got "yesterday"',
  });
});

test('a step is an event step or an aggregate step, not neither', () => {
  assert.deepEqual(contractIssues(funnel({ steps: [{}] }))[0], { path: '/funnel/steps/0', message: 'expected "event", or "name" and "count"' });
});

const kpi = (data: KpiContract['data'], extra: Partial<KpiContract> = {}): KpiContract => ({
  version: 1,
  kind: 'kpi',
  data,
  fields: { time: 'date', value: 'leads' },
  kpi: { range: { from: '2026-03-01', to: '2026-03-02' } },
  ...extra,
});

test('columns of unequal length name the column at fault', () => {
  assert.throws(
    () => computeKpi(kpi({ columns: { date: ['2026-03-01', '2026-03-02'], leads: [1] } }) as never),
    (e: unknown) => e instanceof ContractError && e.path === '/data/columns/leads' && /expected 2 values/.test(e.message),
  );
});

test('a field naming a missing column lists the columns there are', () => {
  assert.throws(
    () => computeKpi(kpi({ rows: [{ day: '2026-03-01', leads: 1 }] }) as never),
    (e: unknown) => e instanceof ContractError && e.path === '/fields/time' && /column "date" not found.*"day", "leads"/.test(e.message),
  );
});

test('a bad timestamp or a non-number value names its row', () => {
  assert.throws(
    () => computeKpi(kpi({ rows: [{ date: '2026-03-01', leads: 1 }, { date: 'soon', leads: 2 }] }) as never),
    (e: unknown) => e instanceof ContractError && e.path === '/data/rows/1/date',
  );
  assert.throws(
    () => computeKpi(kpi({ rows: [{ date: '2026-03-01', leads: 'many' }] }) as never),
    (e: unknown) => e instanceof ContractError && e.path === '/data/rows/0/leads' && e.detail === 'expected a number, got "many"',
  );
  assert.throws(
    () => computeKpi(kpi({ rows: [{ date: '2026-03-01', leads: 1 }] }, { timeZone: 'Mars/Olympus' }) as never),
    (e: unknown) => e instanceof ContractError && e.path === '/timeZone',
  );
});

test('rows with different keys become one table with every column', () => {
  const vm = computeKpi(
    kpi({ rows: [{ date: '2026-03-01' }, { date: '2026-03-01', leads: 5 }, { date: '2026-03-02', leads: 7 }] }, { kpi: { range: { from: '2026-03-01', to: '2026-03-01' } } }) as never,
  );
  assert.equal(vm.kpis[0].value, 5);
});
