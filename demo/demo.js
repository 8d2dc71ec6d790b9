// The demo page's own script. The widgets come from ../dist/funnelkit.bundle.js (loaded by the
// page); this module only generates the sample data, turns it into contracts and sets them on the
// widgets. Switching the language rebuilds the contracts (titles, step labels, segment names) and
// sets each widget's `locale`; switching the theme sets each widget's `theme`.
//
// All text reaches the DOM through textContent or attributes, never innerHTML.
import {
  B2B_STAGES,
  generateAppFunnel,
  generateLeadSources,
  generateLeadToCash,
  toColumns,
} from './data/sample-data.js';
import { anomalyContracts } from './anomaly.js';
import { kpiContract, kpiPeriod } from './kpis.js';

const LOCALES = /** @type {const} */ (['en', 'zh-CN']);
/** @typedef {typeof LOCALES[number]} Locale */
/** @typedef {'light' | 'dark'} Theme */

/** The sales team works on Beijing time: days, weeks and months are cut there. */
const TIME_ZONE = 'Asia/Shanghai';
const TAGS = ['kpi-grid', 'funnel-chart', 'anomaly-chart', 'cohort-chart'];
const LOG_LIMIT = 100;

const TEXT = {
  en: {
    pageTitle: 'FunnelKit · Sales analytics',
    product: 'Sales analytics',
    language: 'Language',
    darkMode: 'Dark mode',
    heading: 'Lead-to-cash overview',
    rangeNote: (/** @type {string} */ range) => `KPI data ${range} · days cut in ${TIME_ZONE}`,
    sampleData: 'Sample data',
    kpiSection: 'Key metrics · last 30 days vs the 30 before',
    pipelineSection: 'Pipeline',
    growthSection: 'Growth and repurchase',
    monitoringSection: 'Monitoring',
    logSection: 'Widget events',
    logHint:
      'funnelkit-render and funnelkit-error events, heard by one listener on document: they bubble out of every widget and cross its shadow root.',
    logEmpty: 'No events yet.',
    breakContract: 'Send a broken contract',
    restoreContract: 'Restore the contract',
    clearLog: 'Clear',
    notDefined: (/** @type {string} */ tag) => `<${tag}> is not registered (yet): is dist/funnelkit.bundle.js built and up to date?`,
    definedLater: (/** @type {string} */ tag) => `<${tag}> registered`,
    footer: 'Data is generated in the browser by demo/data/sample-data.js; every figure on this page is computed by the widgets.',
    cdnLink: 'One-tag demo →',
    kpiGrid: 'The seven lead-to-cash factors',
    b2bFunnel: 'Opportunity funnel by region',
    funnelView: 'View',
    viewSteps: 'Steps',
    viewTimeToConvert: 'Time to convert',
    viewTrends: 'Conversion over time',
    stepClick: (/** @type {string} */ step, /** @type {string} */ count, /** @type {string} */ ids) => `${step}: ${count} reached · e.g. ${ids}`,
    appFunnel: 'App funnel by device',
    cohort: 'Repurchased by month N, by lead source',
    cellClick: (/** @type {string} */ cell, /** @type {string} */ count, /** @type {string} */ ids) => `${cell}: ${count} · e.g. ${ids}`,
  },
  'zh-CN': {
    pageTitle: 'FunnelKit · 销售分析',
    product: '销售分析',
    language: '语言',
    darkMode: '深色模式',
    heading: '从线索到回款 · 总览',
    rangeNote: (/** @type {string} */ range) => `KPI 数据 ${range} · 按 ${TIME_ZONE} 时区切分日期`,
    sampleData: '示例数据',
    kpiSection: '核心指标 · 近 30 天对比前 30 天',
    pipelineSection: '销售漏斗',
    growthSection: '增长与复购',
    monitoringSection: '监控告警',
    logSection: '组件事件',
    logHint: 'document 上的一个监听器接收 funnelkit-render 和 funnelkit-error 事件：它们从每个组件冒泡而出，并穿过其 shadow root。',
    logEmpty: '暂无事件。',
    breakContract: '发送一个错误的契约',
    restoreContract: '恢复契约',
    clearLog: '清空',
    notDefined: (/** @type {string} */ tag) => `<${tag}> 尚未注册：dist/funnelkit.bundle.js 是否已构建且为最新？`,
    definedLater: (/** @type {string} */ tag) => `<${tag}> 已注册`,
    footer: '数据由 demo/data/sample-data.js 在浏览器中生成；页面上的每个数字都由组件计算得出。',
    cdnLink: '单标签示例 →',
    kpiGrid: '从线索到回款七要素',
    b2bFunnel: '商机漏斗 · 按区域',
    funnelView: '视图',
    viewSteps: '步骤',
    viewTimeToConvert: '转化时长',
    viewTrends: '转化趋势',
    stepClick: (/** @type {string} */ step, /** @type {string} */ count, /** @type {string} */ ids) => `${step}：${count} 个到达 · 例如 ${ids}`,
    appFunnel: 'App 转化漏斗 · 按设备',
    cohort: '累计复购同期群 · 按线索来源',
    cellClick: (/** @type {string} */ cell, /** @type {string} */ count, /** @type {string} */ ids) => `${cell}：${count} · 例如 ${ids}`,
  },
};

/** Funnel step labels per locale, keyed by the generators' event names. */
const B2B_STEP_LABELS = {
  opportunity_identified: { en: 'Opportunity identified', 'zh-CN': '商机识别' },
  requirement_confirmed: { en: 'Requirement confirmed', 'zh-CN': '需求确认' },
  solution_design: { en: 'Solution design', 'zh-CN': '方案设计' },
  poc: { en: 'Technical validation (POC)', 'zh-CN': '技术验证' },
  negotiation: { en: 'Commercial negotiation', 'zh-CN': '商务谈判' },
  signed: { en: 'Signed', 'zh-CN': '签约' },
};
const APP_STEPS = [
  { event: 'visit', en: 'Visit', 'zh-CN': '访问' },
  { event: 'register', en: 'Register', 'zh-CN': '注册' },
  { event: 'order', en: 'Order', 'zh-CN': '下单' },
  { event: 'repurchase', en: 'Repurchase', 'zh-CN': '复购' },
];

/** Segment values as each locale shows them; a value missing here is shown as it is in the data. */
const SEGMENT_LABELS = {
  en: {
    region: {},
    device: { web: 'Web' },
    source: {},
  },
  'zh-CN': {
    region: {
      'East China': '华东',
      'South China': '华南',
      'North China': '华北',
      Europe: '欧洲',
      'Asia-Pacific': '亚太',
      'Middle East': '中东',
      Africa: '非洲',
      'Latin America': '拉美',
    },
    device: { web: '网页' },
    source: {
      website: '官网',
      referral: '转介绍',
      webinar: '网络研讨会',
      'social media': '社交媒体',
      'paid search': '付费搜索',
      'trade show': '展会',
      partner: '合作伙伴',
      'LinkedIn/WeChat': '领英/微信',
      events: '线下活动',
      'bought lead list': '购买名单',
      'email campaign': '邮件营销',
      'whitepaper download': '白皮书下载',
    },
  },
};

// ---------------------------------------------------------------------------------------------
// Data: generated once; contracts for a locale reuse it.

// Lead to cash: the B2B funnel's stage events plus leads, lost deals, invoices, collections and
// marketing spend per lead source. 10,000 opportunities (about 120k rows) sign some 200 deals a
// month, enough for output per deal and the collection ratio to say something. The KPI grid reads
// every row; the funnel only the stage events, so that invoices and payments running on into
// 2027 do not count as time a deal has been stuck in its stage.
const leadToCash = generateLeadToCash({ entities: 10_000 });
const kpiData = { columns: toColumns(leadToCash) };
const STAGE_EVENTS = new Set(B2B_STAGES.map((s) => s.event));
const b2bColumns = toColumns(leadToCash.filter((r) => STAGE_EVENTS.has(r.event)));
const appColumns = toColumns(generateAppFunnel());

// Repurchase needs enough customers per monthly cohort, and per lead source (the widget's own
// group picker, from the contract's breakdown): 100k leads give about 4,700 customers. Only
// customers' events go into the cohort contract, so the cohorts read "of the customers acquired
// that month, the share who bought again by N months on".
// The generator lays months out in UTC; leads from the last hours of 31 Dec UTC fall in January
// 2027 in Beijing and would make a cohort of a handful, so acquisition stops at the end of 2026.
const ACQUIRED_BEFORE = Date.parse('2027-01-01T00:00:00+08:00');
const leadRows = generateLeadSources({ entities: 100_000 });
const acquired = new Set(
  leadRows.filter((r) => r.event === 'lead' && Date.parse(String(r.ts)) < ACQUIRED_BEFORE).map((r) => r.entity),
);
const customers = new Set(leadRows.filter((r) => r.event === 'order' && acquired.has(r.entity)).map((r) => r.entity));
const customerRows = leadRows.filter((r) => customers.has(r.entity));
const customerColumns = toColumns(customerRows);

/** @type {Map<string, Record<string, unknown[]>>} */
const labelledColumns = new Map();
/**
 * The columns with one segment column shown in the locale's words (华东 for East China).
 * @param {Record<string, unknown[]>} columns
 * @param {'region' | 'device' | 'source'} field
 * @param {Locale} locale
 * @param {string} cacheKey
 */
function withSegmentLabels(columns, field, locale, cacheKey) {
  const key = `${cacheKey}|${locale}`;
  let result = labelledColumns.get(key);
  if (!result) {
    /** @type {Record<string, string>} */
    const labels = SEGMENT_LABELS[locale][field];
    result = { ...columns, [field]: columns[field].map((v) => labels[/** @type {string} */ (v)] ?? v) };
    labelledColumns.set(key, result);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Contracts

/** @param {Locale} locale */
function buildContracts(locale) {
  const t = TEXT[locale];
  /** @type {Record<string, object>} */
  const contracts = {};
  // The seven lead-to-cash KPIs, last 30 days against the 30 before (demo/kpis.js).
  contracts.kpis = kpiContract(kpiData, locale, { title: t.kpiGrid, timeZone: TIME_ZONE });
  contracts['b2b-funnel'] = {
    version: 1,
    kind: 'funnel',
    title: t.b2bFunnel,
    timeZone: TIME_ZONE,
    data: { columns: withSegmentLabels(b2bColumns, 'region', locale, 'b2b') },
    fields: { entity: 'entity', time: 'ts', event: 'event', segments: ['region', 'customerType', 'industry', 'tier'] },
    funnel: {
      steps: B2B_STAGES.map(({ event }) => ({
        event,
        label: B2B_STEP_LABELS[event][locale],
        // A deal parked in negotiation for a month needs a push from the sales lead.
        ...(event === 'negotiation' ? { maxDwell: '30d' } : {}),
      })),
      // Six stages take weeks to months, with some deals parked far longer.
      window: '180d',
      breakdown: { field: 'region', limit: 8 },
    },
  };
  contracts['app-funnel'] = {
    version: 1,
    kind: 'funnel',
    title: t.appFunnel,
    timeZone: TIME_ZONE,
    data: { columns: withSegmentLabels(appColumns, 'device', locale, 'app') },
    fields: { entity: 'entity', time: 'ts', event: 'event', segments: ['device', 'newUser', 'source'] },
    funnel: {
      steps: APP_STEPS.map((s) => ({ event: s.event, label: s[locale] })),
      window: '60d',
      breakdown: { field: 'device' },
    },
  };
  // Monitoring (demo/anomaly.js): the daily lead-conversion rate from raw lead and won events
  // against the >10% day-over-day drop, and cost per lead against the ¥2,000 / ¥5,000 tiers.
  Object.assign(contracts, anomalyContracts(locale, { timeZone: TIME_ZONE }));
  contracts['repurchase-cohorts'] = {
    version: 1,
    kind: 'cohort',
    title: t.cohort,
    timeZone: TIME_ZONE,
    data: { columns: withSegmentLabels(customerColumns, 'source', locale, 'cohort') },
    fields: { entity: 'entity', time: 'ts', event: 'event' },
    cohort: {
      start: { event: 'lead' },
      return: { event: 'repurchase' },
      type: 'first-time',
      period: 'month',
      periods: 7,
      // DOMAIN.md: whitepaper leads convert only 6% at first, but 45% of their buyers have
      // repurchased by month six: `by` counts a repurchase in any month from 1 to N.
      mode: 'by',
      // One group per lead source (all twelve, so whitepaper is not merged into "Other").
      breakdown: { field: 'source', limit: 12 },
      // Acquisition months only: repurchases run on into 2027, and would add empty cohorts.
      range: { from: '2026-01-01', to: '2026-12-31' },
    },
  };
  return contracts;
}

/**
 * A contract that names a column the data does not have (the event field as `stage`): the widget
 * reports it with the JSON path (/fields/event) and keeps the last good view.
 * @param {Record<string, any>} contract
 */
function breakContract(contract) {
  return { ...contract, fields: { ...contract.fields, event: 'stage' } };
}

// ---------------------------------------------------------------------------------------------
// Page state

const params = new URLSearchParams(location.search);
const state = {
  /** @type {Locale} */
  locale: pickLocale(params.get('lang') ?? readSetting('locale') ?? navigator.language),
  /** @type {Theme} */
  theme: pickTheme(params.get('theme') ?? readSetting('theme')),
  broken: false,
};

/** @param {string | null} value @returns {Locale} */
function pickLocale(value) {
  return value && value.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

/** @param {string | null} value @returns {Theme} */
function pickTheme(value) {
  if (value === 'light' || value === 'dark') return value;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** @param {string} name */
function readSetting(name) {
  try {
    return localStorage.getItem(`funnelkit-demo-${name}`);
  } catch {
    return null;
  }
}

/** @param {string} name @param {string} value */
function saveSetting(name, value) {
  try {
    localStorage.setItem(`funnelkit-demo-${name}`, value);
  } catch {
    // Storage can be unavailable (private mode, file://); the setting just does not persist.
  }
}

/** @param {string} id */
function byId(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from demo/index.html`);
  return element;
}

const widgets = /** @type {HTMLElement[]} */ ([...document.querySelectorAll(TAGS.join(','))]);
const breakButton = byId('break-contract');
const logList = byId('log');

/** @type {Record<string, object>} */
let contracts = {};

function applyContracts() {
  contracts = buildContracts(state.locale);
  state.broken = false;
  for (const widget of widgets) {
    const contract = contracts[widget.id];
    if (contract) /** @type {any} */ (widget).contract = contract;
  }
}

/** @param {Locale} locale */
function applyLocale(locale) {
  state.locale = locale;
  const t = TEXT[locale];
  document.documentElement.lang = locale;
  document.title = t.pageTitle;
  for (const element of document.querySelectorAll('[data-i18n]')) {
    const key = /** @type {keyof typeof t} */ (element.getAttribute('data-i18n'));
    const text = t[key];
    if (typeof text === 'string') element.textContent = text;
  }
  for (const element of document.querySelectorAll('[data-i18n-aria-label]')) {
    const text = t[/** @type {keyof typeof t} */ (element.getAttribute('data-i18n-aria-label'))];
    if (typeof text === 'string') element.setAttribute('aria-label', text);
  }
  for (const button of document.querySelectorAll('[data-locale]')) {
    button.setAttribute('aria-pressed', String(button.getAttribute('data-locale') === locale));
  }
  const period = kpiPeriod();
  byId('range-note').textContent = t.rangeNote(formatDateRange(period.from, period.to, locale));
  for (const widget of widgets) widget.setAttribute('locale', locale);
  applyContracts();
  updateBreakButton();
  if (!logList.children.length) showEmptyLog();
  saveSetting('locale', locale);
}

/** @param {Theme} theme */
function applyTheme(theme) {
  state.theme = theme;
  document.documentElement.dataset.theme = theme;
  for (const widget of widgets) widget.setAttribute('theme', theme);
  byId('theme-toggle').setAttribute('aria-pressed', String(theme === 'dark'));
  saveSetting('theme', theme);
}

/** @param {string} from @param {string} to @param {Locale} locale */
function formatDateRange(from, to, locale) {
  const format = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
  return format.formatRange(new Date(`${from}T00:00:00Z`), new Date(`${to}T00:00:00Z`));
}

function updateBreakButton() {
  const t = TEXT[state.locale];
  breakButton.textContent = state.broken ? t.restoreContract : t.breakContract;
  breakButton.setAttribute('aria-pressed', String(state.broken));
}

// ---------------------------------------------------------------------------------------------
// Event log: one listener on document hears every widget.

/**
 * @param {'render' | 'error' | 'warning' | 'info' | 'click'} kind
 * @param {string} source
 * @param {string} type
 * @param {string} detail
 * @param {string} [path]
 */
function log(kind, source, type, detail, path) {
  logList.querySelector('.empty')?.remove();
  const item = document.createElement('li');
  item.className = `kind-${kind}`;
  const cell = (/** @type {string} */ className, /** @type {string} */ text) => {
    const span = document.createElement('span');
    span.className = className;
    span.textContent = text;
    return span;
  };
  const detailCell = cell('detail', detail);
  if (path) detailCell.append(' ', cell('path', `at ${path}`));
  item.append(
    cell('time', new Date().toLocaleTimeString(state.locale, { hour12: false })),
    cell('source', source),
    cell('type', type),
    detailCell,
  );
  logList.prepend(item);
  while (logList.children.length > LOG_LIMIT) logList.lastElementChild?.remove();
}

function showEmptyLog() {
  const item = document.createElement('li');
  item.className = 'empty';
  item.textContent = TEXT[state.locale].logEmpty;
  logList.replaceChildren(item);
}

/** @param {EventTarget | null} target */
function describeTarget(target) {
  return target instanceof Element ? (target.id ? `#${target.id}` : `<${target.localName}>`) : String(target);
}

document.addEventListener('funnelkit-render', (event) => {
  const { detail, target } = /** @type {CustomEvent<{ mode: string }>} */ (event);
  log('render', describeTarget(target), event.type, `mode: ${detail.mode}`);
});
// Drill-down: a click (or Enter on a step label) hands over the step's figures and entity ids.
document.addEventListener('funnel-step-click', (event) => {
  const { detail, target } = /** @type {CustomEvent<{ name: string, group: string | null, count: number, convertedIds: string[] }>} */ (event);
  const step = detail.group === null ? detail.name : `${detail.name} · ${detail.group}`;
  const count = new Intl.NumberFormat(state.locale).format(detail.count);
  log('click', describeTarget(target), event.type, TEXT[state.locale].stepClick(step, count, detail.convertedIds.slice(0, 3).join(', ')));
});
document.addEventListener('cohort-cell-click', (event) => {
  const { detail, target } = /** @type {CustomEvent<{ cohort: string, period: number, group: string | null, count: number, rate: number, entityIds: string[] }>} */ (event);
  const where = [detail.group, detail.cohort, `+${detail.period}`].filter((part) => part !== null).join(' · ');
  const count = `${new Intl.NumberFormat(state.locale).format(detail.count)} (${new Intl.NumberFormat(state.locale, { style: 'percent', maximumFractionDigits: 1 }).format(detail.rate)})`;
  log('click', describeTarget(target), event.type, TEXT[state.locale].cellClick(where, count, detail.entityIds.slice(0, 3).join(', ')));
});
document.addEventListener('funnelkit-error', (event) => {
  const { detail, target } = /** @type {CustomEvent<{ message: string, path: string }>} */ (event);
  log('error', describeTarget(target), event.type, detail.message, detail.path);
});

// ---------------------------------------------------------------------------------------------
// Controls

for (const button of document.querySelectorAll('[data-locale]')) {
  button.addEventListener('click', () => {
    const locale = pickLocale(button.getAttribute('data-locale'));
    if (locale !== state.locale) applyLocale(locale);
  });
}
byId('b2b-view').addEventListener('change', (event) => {
  byId('b2b-funnel').setAttribute('view', /** @type {HTMLSelectElement} */ (event.target).value);
});
byId('theme-toggle').addEventListener('click', () => applyTheme(state.theme === 'dark' ? 'light' : 'dark'));
breakButton.addEventListener('click', () => {
  const chart = /** @type {any} */ (byId('conversion-alerts'));
  const good = contracts['conversion-alerts'];
  state.broken = !state.broken;
  chart.contract = state.broken ? breakContract(good) : good;
  updateBreakButton();
});
byId('clear-log').addEventListener('click', showEmptyLog);

// ---------------------------------------------------------------------------------------------
// Start

showEmptyLog();
applyTheme(state.theme);
applyLocale(state.locale);

// Module scripts run in order, so the bundle has registered its tags by now if it loaded. A tag
// still missing (a stale bundle, a widget not built yet) is reported, and noted when it arrives.
for (const tag of TAGS) {
  if (customElements.get(tag)) continue;
  log('warning', `<${tag}>`, 'not defined', TEXT[state.locale].notDefined(tag));
  customElements.whenDefined(tag).then(() => log('info', `<${tag}>`, 'defined', TEXT[state.locale].definedLater(tag)));
}
