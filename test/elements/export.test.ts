import { expect, fixture, fixtureCleanup, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { csvText, exportFileName, isoDay } from '../../src/elements/export.js';
import '../../src/funnel-chart.js';
import '../../src/cohort-chart.js';
import '../../src/anomaly-chart.js';
import '../../src/kpi-card.js';
import '../../src/kpi-grid.js';
import type { FunnelKitElement } from '../../src/index.js';

type Widget = FunnelKitElement & { exportMenu: boolean };

// Contracts copied from the widgets' own tests.
const deals = [
  { id: 'a', e: 'lead', t: '2026-01-01T00:00:00Z' },
  { id: 'a', e: 'poc', t: '2026-01-02T00:00:00Z' },
  { id: 'a', e: 'won', t: '2026-01-03T00:00:00Z' },
  { id: 'b', e: 'lead', t: '2026-01-01T12:00:00Z' },
  { id: 'b', e: 'poc', t: '2026-01-03T12:00:00Z' },
  { id: 'b', e: 'won', t: '2026-01-06T12:00:00Z' },
  { id: 'c', e: 'lead', t: '2026-01-02T00:00:00Z' },
  { id: 'c', e: 'poc', t: '2026-01-04T00:00:00Z' },
  { id: 'd', e: 'lead', t: '2026-01-08T00:00:00Z' },
];
const funnel = {
  version: 1,
  kind: 'funnel',
  title: 'Deals',
  data: { rows: deals },
  fields: { entity: 'id', time: 't', event: 'e' },
  funnel: { steps: [{ event: 'lead', label: 'Lead' }, { event: 'poc', label: 'POC' }, { event: 'won', label: 'Won' }], window: '30d' },
};
const events = [
  { user: 'a', e: 'signup', t: '2026-01-05T08:00:00Z' },
  { user: 'b', e: 'signup', t: '2026-01-05T09:00:00Z' },
  { user: 'c', e: 'signup', t: '2026-01-05T10:00:00Z' },
  { user: 'd', e: 'signup', t: '2026-01-05T11:00:00Z' },
  { user: 'a', e: 'order', t: '2026-01-06T08:00:00Z' },
  { user: 'e', e: 'signup', t: '2026-01-06T09:00:00Z' },
  { user: 'f', e: 'signup', t: '2026-01-06T10:00:00Z' },
  { user: 'b', e: 'order', t: '2026-01-07T08:00:00Z' },
  { user: 'e', e: 'order', t: '2026-01-07T09:00:00Z' },
  { user: 'g', e: 'signup', t: '2026-01-07T10:00:00Z' },
  { user: 'a', e: 'order', t: '2026-01-08T08:00:00Z' },
  { user: 'c', e: 'order', t: '2026-01-08T08:30:00Z' },
  { user: 'f', e: 'order', t: '2026-01-08T09:00:00Z' },
  { user: 'g', e: 'order', t: '2026-01-08T10:00:00Z' },
];
const cohort = {
  version: 1,
  kind: 'cohort',
  title: 'Orders after sign-up',
  data: { rows: events },
  fields: { entity: 'user', time: 't', event: 'e' },
  cohort: {
    start: { event: 'signup' },
    return: { event: 'order' },
    type: 'first-time',
    period: 'day',
    periods: 4,
    range: { from: '2026-01-05', to: '2026-01-07' },
    asOf: '2026-01-08T12:00:00Z',
  },
};
const day = (i: number) => `2026-03-${String(i + 1).padStart(2, '0')}`;
const anomaly = {
  version: 1,
  kind: 'anomaly',
  title: 'Lead conversion',
  anomaly: {
    grain: 'day',
    points: [0.131, 0.135, 0.118, 0.128, 0.125, 0.1075, 0.127].map((value, i) => ({ t: day(i), value })),
    format: { style: 'percent' },
    rules: [{ id: 'dod', name: 'Day-over-day drop', type: 'change', direction: 'drop', threshold: 10, severity: 'critical' }],
  },
};
const leads = Array.from({ length: 20 }, (_, i) => ({ date: day(i), leads: (i + 1) * 10 }));
const kpi = {
  version: 1,
  kind: 'kpi',
  title: 'Lead volume',
  data: { rows: leads },
  fields: { time: 'date', value: 'leads' },
  kpi: { range: { from: '2026-03-11', to: '2026-03-20' }, target: 2000 },
};
const grid = {
  version: 1,
  kind: 'kpi',
  data: { rows: [] },
  fields: {},
  kpi: {
    kpis: [
      { id: 'win', label: 'Win rate', value: 0.234, previous: 0.213, target: 0.25, format: { style: 'percent' }, series: [{ t: '2026-03-01', value: 0.2 }, { t: '2026-03-02', value: null }, { t: '2026-03-03', value: 0.22 }, { t: '2026-03-04', value: 0.234 }] },
      { id: 'logos', label: 'New logos', value: 12, previous: 0 },
      { id: 'arr', label: 'ARR', value: 1200, format: { style: 'currency', currency: 'USD' } },
    ],
  },
};

/** A widget of `tag` showing `contract`, once drawn. */
async function mount(tag: string, contract: unknown, attributes: Record<string, string> = {}): Promise<Widget> {
  const el = document.createElement(tag) as Widget;
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
  el.contract = contract as Widget['contract'];
  const drawn = oneEvent(el, 'funnelkit-render');
  await fixture(html`<div style="width: 640px">${el}</div>`);
  await drawn;
  return el;
}

const WIDGETS = [
  ['funnel-chart', funnel],
  ['cohort-chart', cohort],
  ['anomaly-chart', anomaly],
  ['kpi-card', kpi],
  ['kpi-grid', grid],
] as const;


const BOM = '\uFEFF';
const today = isoDay(new Date());
const lines = (csv: string) => csv.slice(1).split('\r\n');

/** What each widget must export: the CSV's first lines and a figure its SVG shows as text. */
const EXPECTED: Record<string, { csv: string[]; figure: string }> = {
  'funnel-chart': {
    csv: ['Step,Entities,Conversion from first step,Conversion from previous step', 'Lead,4,100%,100%', 'POC,3,75%,75%', 'Won,2,50%,66.7%'],
    figure: '3',
  },
  'cohort-chart': {
    csv: ['Cohort,Size,Day 0,Day 1,Day 2,Day 3', 'Mean,7,100%,33.3%,25%,', '2026-01-05,4,100%,25%,25%,50% (incomplete)'],
    figure: '33.3%',
  },
  'anomaly-chart': {
    csv: ['Period,Value,Day-over-day drop', 'Mar 1,13.1%,Normal', 'Mar 2,13.5%,Normal · +3.1%', 'Mar 3,11.8%,Alerting · Critical · -12.6%'],
    figure: 'Mar 3',
  },
  'kpi-card': { csv: ['Period,Value', '2026-03-11,110', '2026-03-12,120'], figure: '1,550' },
  'kpi-grid': { csv: ['KPIs,Value,Change,Target,Status', 'Win rate,23.4%,+2.1 pp,94%,—', 'New logos,12,+12,—,—', 'ARR,"$1,200",No comparison,—,—'], figure: '$1,200' },
};

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Stubs `<a>.click()` for one call: resolves to the anchor's file name and the text it links to. */
function nextDownload(): Promise<{ name: string; text: string; type: string }> {
  const original = HTMLAnchorElement.prototype.click;
  return new Promise((resolve, reject) => {
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
      HTMLAnchorElement.prototype.click = original;
      const name = this.download;
      fetch(this.href)
        .then(async (response) => {
          const blob = await response.blob();
          // `text()` drops a BOM; the bytes keep it.
          resolve({ name, text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(await blob.arrayBuffer()), type: blob.type });
        })
        .catch(reject);
    };
  });
}

const shadow = (el: Element, selector: string) => el.shadowRoot!.querySelector<HTMLElement>(selector);
const items = (el: Element) => [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part=export-item]')];

describe('export', () => {
  afterEach(() => fixtureCleanup());

  for (const [tag, contract] of WIDGETS) {
    describe(`<${tag}>`, () => {
      it('toCSV() is the table shown: BOM, header, rows, CRLF', async () => {
        const el = await mount(tag, contract, { locale: 'en' });
        const csv = el.toCSV();
        expect(csv.startsWith(BOM)).to.equal(true);
        expect(csv.endsWith('\r\n')).to.equal(true);
        expect(lines(csv).slice(0, EXPECTED[tag].csv.length)).to.deep.equal(EXPECTED[tag].csv);
      });

      it('toSVG() is an SVG document with the figures as text', async () => {
        const el = await mount(tag, contract, { locale: 'en' });
        const doc = new DOMParser().parseFromString(await el.toSVG(), 'image/svg+xml');
        expect(doc.querySelector('parsererror')).to.equal(null);
        expect(doc.documentElement.localName).to.equal('svg');
        expect(doc.documentElement.namespaceURI).to.equal('http://www.w3.org/2000/svg');
        const texts = [...doc.querySelectorAll('text')].map((t) => t.textContent);
        expect(texts.some((t) => t?.includes(EXPECTED[tag].figure)), texts.join(' | ')).to.equal(true);
      });

      if (tag === 'funnel-chart') {
        it('the funnel\'s SVG carries the step names and badges laid over the chart in HTML', async () => {
          const el = await mount(tag, contract, { locale: 'en' });
          const doc = new DOMParser().parseFromString(await el.toSVG(), 'image/svg+xml');
          const texts = [...doc.querySelectorAll('text')].map((t) => t.textContent);
          for (const name of ['1. Lead', '2. POC', '3. Won', '▼ largest drop-off']) expect(texts, name).to.include(name);
          // Each name sits under its bar, in the order drawn.
          const xs = ['1. Lead', '2. POC', '3. Won'].map((n) => Number([...doc.querySelectorAll('text')].find((t) => t.textContent === n)!.getAttribute('x')));
          expect(xs[0]).to.be.below(xs[1]);
          expect(xs[1]).to.be.below(xs[2]);
        });
      }

      it('toPNG() is a PNG image', async () => {
        const el = await mount(tag, contract, { locale: 'en' });
        const png = await el.toPNG();
        expect(png.type).to.equal('image/png');
        expect([...new Uint8Array(await png.slice(0, 8).arrayBuffer())]).to.deep.equal(PNG_SIGNATURE);
        const image = await createImageBitmap(png);
        expect(image.width).to.be.greaterThan(0);
        expect(image.height).to.be.greaterThan(0);
        image.close();
      });

      it('rejects with a clear message when nothing is shown', async () => {
        const el = document.createElement(tag) as Widget;
        await fixture(html`<div>${el}</div>`);
        await el.updateComplete;
        expect(() => el.toCSV()).to.throw(/cannot export: nothing is shown yet \(state "idle"\)/);
        for (const attempt of [() => el.toSVG(), () => el.toPNG()]) {
          const error = await attempt().then(() => null, (e: unknown) => e);
          expect(error).to.be.instanceOf(Error);
          expect((error as Error).message).to.match(new RegExp(`<${tag}> cannot export: nothing is shown yet`));
        }
      });
    });
  }

  it('CSV headers follow the locale (zh-CN)', async () => {
    const el = await mount('funnel-chart', funnel, { locale: 'zh-CN' });
    expect(lines(el.toCSV())[0]).to.equal('步骤,数量,总体转化率,环节转化率');
    expect(el.exportFileName('csv')).to.equal(`Deals-${today}.csv`);
  });

  it('quotes CSV fields as RFC 4180 says', () => {
    const csv = csvText({ columns: ['a', 'b'], rows: [['x,"y"', 'line\nbreak'], [1, '漏斗']] });
    expect(csv).to.equal(`${BOM}a,b\r\n"x,""y""","line\nbreak"\r\n1,漏斗\r\n`);
  });

  it('names files from the title without characters file names cannot hold', () => {
    const date = new Date(2026, 2, 5);
    expect(exportFileName('Q1: win/loss <by> "region"?', 'funnel', 'png', date)).to.equal('Q1 winloss by region-2026-03-05.png');
    expect(exportFileName('  ', '漏斗', 'svg', date)).to.equal('漏斗-2026-03-05.svg');
    expect(exportFileName(undefined, 'kpis', 'csv', date)).to.equal('kpis-2026-03-05.csv');
  });

  describe('the export menu', () => {
    it('is not there without the attribute', async () => {
      const el = await mount('funnel-chart', funnel, { locale: 'en' });
      expect(shadow(el, '[part=export-menu]')).to.equal(null);
    });

    it('downloads the CSV with a localized file name (zh-CN, no title)', async () => {
      const el = await mount('kpi-grid', grid, { locale: 'zh-CN', 'export-menu': '' });
      const button = shadow(el, '[part=export-menu]')!;
      expect(button.textContent!.trim()).to.equal('导出');
      expect(button.getAttribute('aria-expanded')).to.equal('false');
      expect(items(el).map((b) => b.getClientRects().length)).to.deep.equal([0, 0, 0]);
      button.click();
      await el.updateComplete;
      expect(button.getAttribute('aria-expanded')).to.equal('true');
      expect(items(el).map((b) => b.textContent)).to.deep.equal(['下载 PNG', '下载 SVG', '下载 CSV']);
      const downloaded = nextDownload();
      items(el).find((b) => b.dataset.format === 'csv')!.click();
      const file = await downloaded;
      expect(file.name).to.equal(`指标-${today}.csv`);
      expect(file.type).to.match(/^text\/csv/);
      expect(file.text).to.equal(el.toCSV());
      expect(lines(file.text)[0]).to.match(/^关键指标,数值,变化,/);
      await el.updateComplete;
      expect(button.getAttribute('aria-expanded')).to.equal('false');
    });

    for (const [tag, contract] of WIDGETS) {
      it(`downloads a CSV named after the title from <${tag}>`, async () => {
        const el = await mount(tag, contract, { locale: 'en', 'export-menu': '' });
        shadow(el, '[part=export-menu]')!.click();
        await el.updateComplete;
        const downloaded = nextDownload();
        items(el)[2].click();
        const file = await downloaded;
        const stem = (contract as { title?: string }).title ?? 'kpis';
        expect(file.name).to.equal(`${stem}-${today}.csv`);
        expect(lines(file.text)[0]).to.equal(EXPECTED[tag].csv[0]);
      });
    }

    it('downloads the SVG and the PNG', async () => {
      const el = await mount('kpi-card', kpi, { locale: 'en', 'export-menu': '' });
      for (const [index, extension, type] of [[0, 'png', 'image/png'], [1, 'svg', 'image/svg+xml']] as const) {
        shadow(el, '[part=export-menu]')!.click();
        await el.updateComplete;
        const downloaded = nextDownload();
        items(el)[index].click();
        const file = await downloaded;
        expect(file.name).to.equal(`Lead volume-${today}.${extension}`);
        expect(file.type).to.match(new RegExp(`^${type.replace('+', '\\+')}`));
        if (extension === 'svg') expect(file.text).to.contain('1,550');
      }
    });

    it('is keyboard reachable, closes on Escape and is accessible', async () => {
      const el = await mount('cohort-chart', cohort, { locale: 'en', 'export-menu': '' });
      const button = shadow(el, '[part=export-menu]')! as HTMLButtonElement;
      button.focus();
      await sendKeys({ press: 'Enter' });
      await waitUntil(() => button.getAttribute('aria-expanded') === 'true', 'menu did not open');
      await waitUntil(() => el.shadowRoot!.activeElement === items(el)[0], 'first item not focused');
      expect(getComputedStyle(items(el)[0]).outlineStyle).to.equal('solid');
      await expect(el).to.be.accessible();
      await sendKeys({ press: 'Tab' });
      expect(el.shadowRoot!.activeElement).to.equal(items(el)[1]);
      await sendKeys({ press: 'Escape' });
      await el.updateComplete;
      expect(button.getAttribute('aria-expanded')).to.equal('false');
      expect(el.shadowRoot!.activeElement).to.equal(button);
      await expect(el).to.be.accessible();
    });

    it('puts text from data in as text, never markup', async () => {
      const hostile = { ...kpi, title: '<img src=x onerror="window.__pwned=1">' };
      const el = await mount('kpi-grid', { ...grid, title: hostile.title, kpi: { kpis: [{ ...grid.kpi.kpis[2], label: '<b>ARR</b> & "co"' }] } }, { locale: 'en', 'export-menu': '' });
      const doc = new DOMParser().parseFromString(await el.toSVG(), 'image/svg+xml');
      expect(doc.querySelector('parsererror')).to.equal(null);
      expect(doc.querySelector('img, b')).to.equal(null);
      expect([...doc.querySelectorAll('text')].map((t) => t.textContent)).to.include('<b>ARR</b> & "co"');
      expect(el.exportFileName('svg')).to.equal(`img src=x onerror=window.__pwned=1-${today}.svg`);
      expect((window as { __pwned?: number }).__pwned).to.equal(undefined);
    });
  });
});
