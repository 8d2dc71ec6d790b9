// The lead-to-cash sample data (demo/data/lead-to-cash.js): the B2B funnel's events untouched,
// and leads, losses, invoices, collections and spend that add up the way DOMAIN.md says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { B2B_STAGES, COST_PER_LEAD, generateB2BFunnel, generateEvents, generateLeadToCash, LEAD_SOURCES } from '../../demo/data/sample-data.js';

const DAY = 86_400_000;
const rows = generateLeadToCash({ seed: 1, entities: 4000, timeFormat: 'ms' });
const STAGES = new Set<string>(B2B_STAGES.map((s) => s.event));
const of = (event: string) => rows.filter((r) => r.event === event);
const sum = (list: Array<{ amount: number | null }>) => list.reduce((a, r) => a + (r.amount ?? 0), 0);

test('the funnel events are generateB2BFunnel\'s, draw for draw, with the lead source added', () => {
  const funnel = generateB2BFunnel({ seed: 1, entities: 4000, timeFormat: 'ms' });
  const stages = rows.filter((r) => STAGES.has(r.event)).map(({ source, ...r }) => {
    assert.ok(LEAD_SOURCES.includes(source!), `source ${source}`);
    return r;
  });
  assert.deepEqual(stages, funnel);
});

test('same seed, same rows; another seed, other rows; every row has every column, sorted by ts', () => {
  const small = (seed: number) => JSON.stringify(generateLeadToCash({ seed, entities: 300 }));
  assert.equal(small(3), small(3));
  assert.notEqual(small(3), small(4));
  const keys = JSON.stringify(Object.keys(rows[0]));
  assert.ok(rows.every((r) => JSON.stringify(Object.keys(r)) === keys));
  assert.deepEqual(Object.keys(rows[0]), ['entity', 'event', 'ts', 'region', 'customerType', 'industry', 'tier', 'rep', 'amount', 'source']);
  assert.ok(rows.every((r, i) => i === 0 || Number(rows[i - 1].ts) <= Number(r.ts)));
});

test('leads: one before each opportunity, ~13% convert, flat volume to the end of the window', () => {
  const firstLead = new Map<string, number>();
  for (const r of of('lead')) if (!firstLead.has(r.entity!)) firstLead.set(r.entity!, Number(r.ts));
  for (const r of of('opportunity_identified')) assert.ok(firstLead.get(r.entity!)! < Number(r.ts), r.entity!);
  assert.equal(of('lead').length, firstLead.size, 'one lead per entity');
  // Leads inside the window (5 Jan – 4 Jul 2026) and their conversion to opportunities.
  const start = Date.UTC(2026, 0, 5);
  const inWindow = of('lead').filter((r) => Number(r.ts) >= start);
  const converted = inWindow.filter((r) => r.entity!.startsWith('opp-')).length / inWindow.length;
  assert.ok(converted > 0.11 && converted < 0.15, `lead → opportunity ${converted}`);
  // The last 30 days get as many leads as the 30 before (±8%): leads of later opportunities are there.
  const end = start + 180 * DAY;
  const last = inWindow.filter((r) => Number(r.ts) >= end - 30 * DAY).length;
  const before = inWindow.filter((r) => Number(r.ts) >= end - 60 * DAY && Number(r.ts) < end - 30 * DAY).length;
  assert.ok(Math.abs(last / before - 1) < 0.08, `last 30 days ${last} vs ${before}`);
});

test('every opportunity ends signed or lost, once, after its last stage; win rate ~12%', () => {
  const lost = new Map(of('lost').map((r) => [r.entity, Number(r.ts)]));
  const signed = new Set(of('signed').map((r) => r.entity));
  assert.equal(lost.size, of('lost').length);
  assert.equal(lost.size + signed.size, 4000);
  const lastStage = new Map<string, number>();
  for (const r of rows) if (STAGES.has(r.event)) lastStage.set(r.entity!, Number(r.ts));
  for (const [entity, ts] of lost) {
    assert.ok(!signed.has(entity));
    assert.ok(ts > lastStage.get(entity!)!, entity!);
  }
  const winRate = signed.size / 4000;
  assert.ok(winRate > 0.1 && winRate < 0.15, `win rate ${winRate}`);
});

test('invoices add up to the deal; collections never exceed them; some late, some partial, ~90% collected', () => {
  const deal = new Map(of('signed').map((r) => [r.entity, r]));
  const invoices = of('invoice').filter((r) => deal.has(r.entity));
  const billed = new Map<string, number>();
  for (const r of invoices) billed.set(r.entity!, (billed.get(r.entity!) ?? 0) + r.amount!);
  assert.equal(billed.size, deal.size, 'every signed deal is billed');
  for (const [entity, amount] of billed) assert.ok(Math.abs(amount - deal.get(entity)!.amount!) <= 2, `${entity}: ${amount}`);
  assert.ok(invoices.every((r) => Number(r.ts) > Number(deal.get(r.entity)!.ts)));

  const paid = new Map<string, number>();
  for (const r of of('collected')) paid.set(r.entity!, (paid.get(r.entity!) ?? 0) + r.amount!);
  for (const [entity, amount] of paid) if (deal.has(entity)) assert.ok(amount <= billed.get(entity)!, entity);
  const ratio = [...paid].filter(([e]) => deal.has(e)).reduce((a, [, v]) => a + v, 0) / sum(invoices);
  assert.ok(ratio > 0.82 && ratio < 0.97, `collected / invoiced, all time ${ratio}`);

  // Late: a payment more than 90 days after the deal's last invoice before it.
  const lastInvoice = (r: (typeof rows)[number]) =>
    Math.max(...invoices.filter((i) => i.entity === r.entity && Number(i.ts) < Number(r.ts)).map((i) => Number(i.ts)));
  const ofDeals = of('collected').filter((r) => deal.has(r.entity));
  assert.ok(ofDeals.some((r) => Number(r.ts) - lastInvoice(r) > 90 * DAY), 'late payments');
  assert.ok(ofDeals.some((r) => r.amount! % 100 === 0 && !invoices.some((i) => i.entity === r.entity && i.amount === r.amount)), 'partial payments');
  // Deals signed before the window are still being paid in it.
  assert.ok(of('collected').some((r) => r.entity!.startsWith('prior-')));
});

test('cost: one row per lead source per day, ≈ ¥50–70 per lead, ¥2,000–5,000 per signed deal', () => {
  const cost = of('cost');
  assert.equal(cost.length, 180 * LEAD_SOURCES.length);
  assert.ok(cost.every((r) => r.entity === null && r.amount! > 0 && Object.hasOwn(COST_PER_LEAD, r.source!)));
  const start = Date.UTC(2026, 0, 5);
  const leads = of('lead').filter((r) => Number(r.ts) >= start).length;
  const perLead = sum(cost) / leads;
  const perDeal = sum(cost) / of('signed').length;
  assert.ok(perLead > 50 && perLead < 70, `cost per lead ${perLead}`);
  assert.ok(perDeal > 2000 && perDeal < 5000, `cost per signed deal ${perDeal}`);
});

test('generateEvents sizes lead-to-cash too, the cost rows counted', () => {
  for (const events of [5_000, 100_000]) {
    const n = generateEvents({ kind: 'lead-to-cash', events, seed: 9 }).length;
    assert.ok(Math.abs(n / events - 1) <= 0.15, `${events}: got ${n}`);
  }
});
