// The time-to-convert view as drawn (Vega in Node, headless): round ticks, and the median and
// mean labels clear of each other's lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as vl from 'vega-lite';
import * as vega from 'vega';
import { computeFunnel } from '../../src/analytics/index.js';
import type { FunnelContract, InlineContract } from '../../src/analytics/contract.js';
import { buildFunnelSpec, durationTicks } from '../../src/specs/funnel-spec.js';
import { buildVegaConfig, LIGHT_TOKENS } from '../../src/specs/theme.js';
import { prepareVegaLocale, vegaLocale, vegaNumberLocale } from '../../src/specs/format.js';
import { registerVegaFormats } from '../../src/elements/vega-formats.js';

await registerVegaFormats();

const D = 86_400_000;
const H = 3_600_000;

test('the Vega locale is read ahead one formatter per scheduled call, and is then the same locale', () => {
  const queue: Array<() => void> = [];
  const before = Intl.DateTimeFormat;
  let made = 0;
  // Count formatters made per call: each scheduled piece makes at most one.
  (Intl as { DateTimeFormat: unknown }).DateTimeFormat = new Proxy(before, { construct: (target, args) => (made++, Reflect.construct(target, args)) });
  try {
    prepareVegaLocale('zh-CN', (work) => queue.push(work));
    assert.equal(queue.length, 1, 'one piece at a time');
    assert.equal(made, 0, 'nothing read before the first call');
    let calls = 0;
    while (queue.length) {
      const before = made;
      queue.shift()!();
      calls++;
      assert.ok(made - before <= 1, `call ${calls} made ${made - before} date formatters`);
    }
    assert.equal(calls, 7);
    made = 0;
    const locale = vegaLocale('zh-CN');
    assert.equal(made, 0, 'every piece was ready');
    assert.equal(locale.time.shortMonths[2], '3月');
    assert.equal(locale.time.shortDays[1], '周一');
    assert.equal(locale.number.thousands, ',');
    assert.equal(locale.time.time, '%H:%M:%S');
  } finally {
    (Intl as { DateTimeFormat: unknown }).DateTimeFormat = before;
  }
  assert.deepEqual(vegaLocale('en').time.months.slice(0, 2), ['January', 'February']);
  // A chart without times reads the number marks alone: one call, no date formatter.
  const numbers: Array<() => void> = [];
  prepareVegaLocale('de', (work) => numbers.push(work), false);
  numbers.shift()!();
  assert.equal(numbers.length, 0);
  assert.deepEqual(vegaNumberLocale('de'), { decimal: ',', thousands: '.', grouping: [3], currency: ['', ''] });
  assert.equal(vegaLocale('en').time.time, '%-I:%M:%S %p');
});

test('duration ticks fall on round steps: whole days, weeks, hours', () => {
  // The defect: edges at 5.7, 30.4, 55 days. Now every 14 days.
  assert.deepEqual(durationTicks(5.7 * D, 55 * D, 6).map((t) => t / D), [14, 28, 42]);
  assert.deepEqual(durationTicks(5.7 * D, 55 * D, 12).map((t) => t / D), [10, 15, 20, 25, 30, 35, 40, 45, 50, 55]);
  assert.deepEqual(durationTicks(0, 10 * H, 6).map((t) => t / H), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(durationTicks(90_000, 600_000, 5).map((t) => t / 60_000), [2, 4, 6, 8, 10]);
  // Past the largest step, whole years.
  assert.deepEqual(durationTicks(0, 3000 * D, 2).map((t) => t / D), [0, 1825]);
});

/** A funnel whose lead → won times are `days` (one entity each). */
function timesFunnel(days: number[]) {
  const rows = days.flatMap((d, i) => [
    { id: `e${i}`, e: 'lead', t: new Date(Date.UTC(2026, 0, 1)).toISOString() },
    { id: `e${i}`, e: 'won', t: new Date(Date.UTC(2026, 0, 1) + d * D).toISOString() },
  ]);
  return computeFunnel({
    version: 1,
    kind: 'funnel',
    data: { rows },
    fields: { entity: 'id', time: 't', event: 'e' },
    funnel: { steps: [{ event: 'lead' }, { event: 'won' }], window: '90d' },
  } as InlineContract<FunnelContract>);
}

/** A scenegraph mark: its kind, role and items (a group item holds marks in turn). */
interface Mark {
  marktype: string;
  role: string;
  items: Array<{ x: number; text?: string; bounds: { x1: number; x2: number; y1: number; y2: number }; items?: Mark[] }>;
}

/** The drawn scene: each text's box and each rule's x. */
async function drawn(days: number[], width = 600) {
  const spec = buildFunnelSpec(timesFunnel(days), { width, height: 320, locale: 'en', tokens: LIGHT_TOKENS }, { view: 'time-to-convert', metric: 'count', orientation: 'vertical' });
  const compiled = vl.compile(spec as vl.TopLevelSpec, { config: { ...buildVegaConfig(LIGHT_TOKENS), locale: vegaLocale('en') } as vl.Config }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  await view.runAsync();
  const texts: Array<{ text: string; x1: number; x2: number; y1: number; y2: number }> = [];
  const rules: Array<{ x: number; y1: number; y2: number }> = [];
  const ticks: string[] = [];
  const walk = (mark: Mark, orient = '') => {
    for (const item of mark.items) {
      const side = mark.role === 'axis' ? String((item as { orient?: string }).orient) : orient;
      if (mark.marktype === 'rule' && mark.role === 'mark') rules.push({ x: item.x, y1: item.bounds.y1, y2: item.bounds.y2 });
      if (mark.marktype === 'text' && mark.role === 'mark') texts.push({ text: String(item.text), ...item.bounds });
      if (mark.marktype === 'text' && mark.role === 'axis-label' && side === 'bottom') ticks.push(String(item.text));
      for (const child of item.items ?? []) walk(child, side);
    }
  };
  walk((view.scenegraph() as unknown as { root: Mark }).root);
  view.finalize();
  return { texts, rules, ticks };
}

/** The texts that a line other than their own runs through. */
function crossings({ texts, rules }: Awaited<ReturnType<typeof drawn>>): string[] {
  return texts.flatMap((t, i) =>
    rules.filter((r, j) => j !== i && r.x >= t.x1 && r.x <= t.x2 && r.y1 < t.y2 && r.y2 > t.y1).map((r) => `${t.text} × line at ${r.x}`),
  );
}

test('time to convert: neither line runs through the other line\'s label, and the ticks are round', async () => {
  // Skewed right: the mean (17.3 days) is right of the median (3 days), close enough that the
  // median's label, reading rightwards, crossed the mean's line.
  const scene = await drawn([1, 2, 2, 3, 3, 3, 4, 5, 60, 90]);
  assert.deepEqual(scene.texts.map((t) => t.text), ['Median 3 days', 'Mean 17.3 days']);
  assert.equal(scene.rules.length, 2);
  assert.deepEqual(crossings(scene), []);
  // Each label starts at its own line.
  scene.texts.forEach((t, i) => assert.ok(Math.abs(t.x1 - 4 - scene.rules[i].x) < 1, `${t.text} starts at its line`));
  assert.ok(scene.ticks.length >= 3, `ticks: ${scene.ticks}`);
  for (const tick of scene.ticks) assert.match(tick, /^(0|\d+ (days?|hr|min))$/, `tick "${tick}" is a whole unit`);
  // Skewed left, the mean comes first and takes the first row.
  const left = await drawn([1, 40, 41, 42, 42, 43]);
  assert.deepEqual(left.texts.map((t) => t.text.split(' ')[0]), ['Mean', 'Median']);
  assert.deepEqual(crossings(left), []);
  // Near the right edge a label reads leftwards, still inside the plot.
  const late = await drawn([1, 2, 86, 88, 89, 89, 89]);
  assert.deepEqual(crossings(late), []);
  assert.ok(late.texts[1].x2 <= late.rules[1].x, 'the last label reads leftwards');
});
