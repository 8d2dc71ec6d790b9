// The widgets' words: complete catalogues for en, zh-CN and zh-TW, the locale fallback rules, and
// page-wide overrides and new languages through registerMessages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { message, offsetLabel, registerMessages } from '../../src/specs/messages.js';
import { en, type MessageKey } from '../../src/specs/messages/en.js';
import { zhCN } from '../../src/specs/messages/zh-CN.js';
import { zhTW } from '../../src/specs/messages/zh-TW.js';
import { builtInLocale } from '../../src/analytics/locale.js';
import { formatKpiFigures } from '../../src/analytics/kpi/format.js';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('zh-CN and zh-TW are complete: every key, non-empty, using only placeholders English fills', () => {
  for (const [name, catalogue] of Object.entries({ 'zh-CN': zhCN, 'zh-TW': zhTW })) {
    assert.deepEqual(Object.keys(catalogue).sort(), Object.keys(en).sort(), name);
    for (const key of Object.keys(en) as MessageKey[]) {
      assert.ok(catalogue[key].length > 0, `${name}.${key}`);
      // A translation may leave a figure out ("较上期" for "vs previous {n} days"), never invent one.
      for (const p of placeholders(catalogue[key])) assert.ok(placeholders(en[key]).includes(p), `${name}.${key}: {${p}}`);
    }
  }
});

test('zh-TW is Traditional Chinese, not a copy of zh-CN', () => {
  assert.equal(message('loading', 'zh-TW'), '載入中…');
  assert.equal(message('empty', 'zh-TW'), '此範圍內沒有資料');
  assert.equal(message('conversionRate', 'zh-TW'), '轉換率');
  assert.equal(message('conversionRate', 'zh-CN'), '转化率');
  const same = (Object.keys(en) as MessageKey[]).filter((k) => zhTW[k] === zhCN[k] && /[\u4e00-\u9fff]/.test(zhCN[k]) && /[们这个时间数据设计统计类别围转较线点计问为应当从员该]/.test(zhCN[k]));
  assert.deepEqual(same, [], 'strings with Simplified-only characters left unconverted');
});

test('locale fallback: zh-HK and zh-MO read zh-TW, zh-SG and zh-Hans read zh-CN, unknown languages read English', () => {
  const cases: Array<[string, string]> = [
    ['zh-TW', 'zh-TW'],
    ['zh-HK', 'zh-TW'],
    ['zh-MO', 'zh-TW'],
    ['zh-Hant', 'zh-TW'],
    ['zh-Hant-SG', 'zh-TW'],
    ['zh-CN', 'zh-CN'],
    ['zh-SG', 'zh-CN'],
    ['zh-Hans-HK', 'zh-CN'],
    ['zh', 'zh-CN'],
    ['en-GB', 'en'],
    ['ja', 'en'],
    ['fr-CA', 'en'],
  ];
  for (const [locale, expected] of cases) assert.equal(builtInLocale(locale), expected, locale);
  assert.equal(message('loading', 'zh-HK'), '載入中…');
  assert.equal(message('loading', 'zh-SG'), '加载中…');
  assert.equal(message('loading', 'ja'), 'Loading…');
  assert.equal(offsetLabel('week', 3, 'zh-TW'), '第3週');
  assert.equal(offsetLabel('week', 3, 'en'), 'Week 3');
});

test('registerMessages adds a language, keys it leaves out read English, and it overrides a built-in one', () => {
  registerMessages('fr', { loading: 'Chargement…', empty: 'Aucune donnée sur cette période' });
  assert.equal(message('loading', 'fr'), 'Chargement…');
  assert.equal(message('loading', 'fr-CA'), 'Chargement…', 'a region reads its language');
  assert.equal(message('error', 'fr'), en.error);
  registerMessages('fr-CA', { loading: 'Chargement en cours…' });
  assert.equal(message('loading', 'fr-CA'), 'Chargement en cours…');
  assert.equal(message('empty', 'fr-CA'), 'Aucune donnée sur cette période');
  // An override of zh-TW reaches zh-HK, which reads zh-TW; other keys stay Traditional.
  registerMessages('zh-TW', { empty: '沒有資料' });
  assert.equal(message('empty', 'zh-HK'), '沒有資料');
  assert.equal(message('loading', 'zh-HK'), '載入中…');
  registerMessages('zh-TW', { empty: zhTW.empty });
});

test('a KPI delta of a rate is in percentage points in each language', () => {
  const kpi = { value: 0.25, previous: 0.23, delta: 0.02, deltaPct: 8.7, target: null, attainment: null, format: { style: 'percent' as const } };
  const delta = (locale: string) => formatKpiFigures(kpi as never, locale).delta;
  assert.equal(delta('en'), '+2 pp');
  assert.equal(delta('zh-CN'), '+2 个百分点');
  assert.equal(delta('zh-HK'), '+2 個百分點');
});
