import { aTimeout, expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { AnomalyChart, KpiCard, type FunnelKitErrorDetail, type FunnelKitRenderDetail } from '../../src/index.js';
import { define } from '../../src/elements/define.js';
import { setFetch } from '../../src/analytics/index.js';
import { registerMessages } from '../../src/index.js';

const rows = Array.from({ length: 20 }, (_, i) => ({ date: `2026-03-${String(i + 1).padStart(2, '0')}`, leads: (i + 1) * 10 }));
const contract = (overrides: Record<string, unknown> = {}) => ({
  version: 1,
  kind: 'kpi',
  title: 'Lead volume',
  data: { rows },
  fields: { time: 'date', value: 'leads' },
  kpi: { range: { from: '2026-03-11', to: '2026-03-20' } },
  ...overrides,
});
/**
 * The same daily leads as a series: `<anomaly-chart>` is the vehicle for what the base does with
 * a Vega view (the KPI card draws none).
 */
const series = (overrides: Record<string, unknown> = {}) => ({
  version: 1,
  kind: 'anomaly',
  title: 'Leads per day',
  data: { rows },
  fields: { time: 'date', value: 'leads' },
  anomaly: { measure: { op: 'sum' }, rules: [] },
  ...overrides,
});
const doubled = { data: { rows: rows.map((r) => ({ ...r, leads: r.leads * 2 })) } };
const jsonUrl = (value: unknown) => URL.createObjectURL(new Blob([JSON.stringify(value)], { type: 'application/json' }));
const shadow = (el: Element, selector: string) => el.shadowRoot!.querySelector(selector);
const valueText = (el: Element) => shadow(el, '[part=value]')?.textContent;
/** The stroke of the series line as Vega drew it. */
const lineStroke = (el: Element) => shadow(el, '[part=chart] svg .mark-line path')?.getAttribute('stroke');
/** The values column of the visually hidden table. */
const tableValues = (el: Element) => [...el.shadowRoot!.querySelectorAll('.visually-hidden tbody tr')].map((r) => r.children[1].textContent);

describe('FunnelKitElement: data sources', () => {
  it('takes the contract as a property', async () => {
    const el = await fixture<KpiCard>(html`<kpi-card locale="en" .contract=${contract()}></kpi-card>`);
    await oneEvent(el, 'funnelkit-render');
    expect(valueText(el)).to.equal('1,550');
    expect(shadow(el, '[part=title]')!.textContent).to.equal('Lead volume');
    await expect(el).to.be.accessible();
  });

  it('fetches the contract from src, resolving its data URL against it', async () => {
    const dataUrl = jsonUrl(rows);
    const el = await fixture<KpiCard>(html`<kpi-card locale="en" src=${jsonUrl(contract({ data: { url: dataUrl, format: 'json' } }))}></kpi-card>`);
    await oneEvent(el, 'funnelkit-render');
    expect(valueText(el)).to.equal('1,550');
  });

  it('reads an inline <script type="application/json"> child', async () => {
    const el = await fixture<KpiCard>(html`<kpi-card locale="en"><script type="application/json">${JSON.stringify(contract())}</script></kpi-card>`);
    await oneEvent(el, 'funnelkit-render');
    expect(valueText(el)).to.equal('1,550');
  });

  it('reads CSV data from a URL', async () => {
    const csv = ['date,leads', ...rows.map((r) => `${r.date},${r.leads}`)].join('\n');
    const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
    const el = await fixture<KpiCard>(html`<kpi-card locale="en" .contract=${contract({ data: { url, format: 'csv' } })}></kpi-card>`);
    await oneEvent(el, 'funnelkit-render');
    expect(valueText(el)).to.equal('1,550');
  });

  it('a newer src cancels the older one: only the newer contract is shown', async () => {
    const older = jsonUrl(contract({ kpi: { range: { from: '2026-03-01', to: '2026-03-01' } } }));
    const newer = jsonUrl(contract());
    // The older response is held open until released, then delivered whatever its signal says:
    // a late server the element must ignore by itself.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let olderSignal: AbortSignal | undefined;
    let olderResponse: Response | undefined;
    const original = window.fetch;
    window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      if (String(input) !== older) return original(input, init);
      olderSignal = init?.signal ?? undefined;
      await held;
      return (olderResponse = await original(input));
    };
    try {
      const el = await fixture<KpiCard>(html`<kpi-card locale="en"></kpi-card>`);
      el.src = older;
      await el.updateComplete;
      await waitUntil(() => olderSignal !== undefined, 'the older fetch never started');
      el.src = newer;
      await oneEvent(el, 'funnelkit-render');
      expect(valueText(el)).to.equal('1,550');

      const events: string[] = [];
      el.addEventListener('funnelkit-render', () => events.push('render'));
      el.addEventListener('funnelkit-error', () => events.push('error'));
      release();
      await waitUntil(() => olderResponse?.bodyUsed, 'the older response was never read');
      await aTimeout(50);
      expect(valueText(el)).to.equal('1,550');
      expect(events).to.deep.equal([]);
      expect(olderSignal!.aborted).to.equal(true);
    } finally {
      window.fetch = original;
    }
  });
});

describe('FunnelKitElement: frameworks and portals', () => {
  it('keeps a contract set as a property before the element was defined (lazy loading)', async () => {
    const el = document.createElement('fk-late-kpi-card') as KpiCard;
    el.setAttribute('locale', 'en');
    el.contract = contract() as never;
    document.body.append(el);
    define('fk-late-kpi-card', class extends KpiCard {});
    await waitUntil(() => el.state === 'ready', 'the contract set before upgrade was lost');
    expect(valueText(el)).to.equal('1,550');
    el.remove();
  });

  it('an element with no contract says how to give one, and stops saying it once it has one', async () => {
    const el = await fixture<KpiCard>(html`<kpi-card locale="en"></kpi-card>`);
    expect(el.state).to.equal('idle');
    expect(shadow(el, '[part=status]')!.textContent).to.match(/^No contract yet: set the contract property, a src URL, or put the contract in a <script type="application\/json"> inside the tag\.$/);
    await expect(el).to.be.accessible();
    el.contract = contract() as never;
    await waitUntil(() => el.state === 'ready');
    expect(shadow(el, '[part=status]')).to.equal(null);
    const zh = await fixture<KpiCard>(html`<kpi-card locale="zh-CN"></kpi-card>`);
    expect(shadow(zh, '[part=status]')!.textContent).to.contain('尚无数据契约');
  });

  it('takes the contract attribute as JSON text', async () => {
    const el = await fixture<KpiCard>(html`<kpi-card locale="en" contract=${JSON.stringify(contract())}></kpi-card>`);
    await waitUntil(() => el.state === 'ready');
    expect(valueText(el)).to.equal('1,550');
  });

  it('an object written as the attribute "[object Object]" is an error saying to set the property', async () => {
    const el = document.createElement('kpi-card');
    const error = new Promise<FunnelKitErrorDetail>((resolve) => el.addEventListener('funnelkit-error', (e) => resolve(e.detail), { once: true }));
    // What React 19 and Vue (without .prop) do with an object on an element not yet defined.
    el.setAttribute('contract', String({}));
    document.body.append(el);
    const detail = await error;
    expect(detail.message).to.match(/contract attribute holds "\[object Object\]".*Set contract as a property/);
    expect(shadow(el, '[part=status]')!.textContent).to.match(/Set contract as a property/);
    el.remove();
  });

  it('fetches src and data.url through setFetch() with the element fetchOptions, and keeps tokens out of errors', async () => {
    const seen: Array<{ url: string; auth: string | null; credentials?: RequestCredentials }> = [];
    const served: Record<string, unknown> = { '/secure/contract.json': contract({ data: { url: '/secure/rows.json?token=s3cret', format: 'json' } }), '/secure/rows.json': rows };
    setFetch(async (input, init) => {
      const url = new URL(String(input));
      seen.push({ url: url.pathname, auth: new Headers(init?.headers).get('Authorization'), credentials: init?.credentials });
      const body = served[url.pathname];
      return body ? new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } }) : new Response('no', { status: 403 });
    });
    try {
      const options = { headers: { Authorization: 'Bearer abc' }, credentials: 'include' as const };
      const el = await fixture<KpiCard>(html`<kpi-card locale="en" .fetchOptions=${options} src="/secure/contract.json"></kpi-card>`);
      await waitUntil(() => el.state === 'ready');
      expect(valueText(el)).to.equal('1,550');
      expect(seen).to.deep.equal([
        { url: '/secure/contract.json', auth: 'Bearer abc', credentials: 'include' },
        { url: '/secure/rows.json', auth: 'Bearer abc', credentials: 'include' },
      ]);
      const denied = document.createElement('kpi-card');
      const failed = new Promise<FunnelKitErrorDetail>((resolve) => denied.addEventListener('funnelkit-error', (e) => resolve(e.detail), { once: true }));
      denied.setAttribute('src', '/secure/missing.json?token=s3cret');
      document.body.append(denied);
      const detail = await failed;
      denied.remove();
      expect(detail.message).to.match(/could not fetch src .*\/secure\/missing\.json\?… ?: HTTP 403/);
      expect(detail.message).to.not.include('s3cret');
    } finally {
      setFetch(null);
    }
  });
});

describe('FunnelKitElement: languages', () => {
  it('zh-TW and zh-HK read Traditional Chinese; a registered language and override reach a widget', async () => {
    const empty = contract({ kpi: { range: { from: '2025-01-01', to: '2025-01-31' } } });
    for (const [locale, text] of [['zh-TW', '此範圍內沒有資料'], ['zh-HK', '此範圍內沒有資料'], ['zh-SG', '此范围内没有数据'], ['ja', 'No data in this range']]) {
      const el = await fixture<KpiCard>(html`<kpi-card locale=${locale} .contract=${empty}></kpi-card>`);
      await waitUntil(() => el.state === 'empty');
      expect(shadow(el, '[part=status]')!.textContent!.trim(), locale).to.contain(text);
    }
    registerMessages('de', { empty: 'Keine Daten in diesem Zeitraum' });
    const el = await fixture<KpiCard>(html`<kpi-card locale="de-AT" .contract=${empty}></kpi-card>`);
    await waitUntil(() => el.state === 'empty');
    expect(shadow(el, '[part=status]')!.textContent!.trim()).to.contain('Keine Daten in diesem Zeitraum');
  });
});

describe('FunnelKitElement: states', () => {
  it('shows loading with aria-busy while data is on its way', async () => {
    const never = new ReadableStream({ start() {} });
    const url = URL.createObjectURL(new Blob([]));
    const original = window.fetch;
    window.fetch = async (input: RequestInfo | URL, init?: RequestInit) =>
      String(input) === url ? new Response(never) : original(input, init);
    try {
      const el = await fixture<KpiCard>(html`<kpi-card locale="en" .contract=${contract({ data: { url, format: 'json' } })}></kpi-card>`);
      await waitUntil(() => el.state === 'loading');
      await el.updateComplete;
      expect(shadow(el, '[part=frame]')!.getAttribute('aria-busy')).to.equal('true');
      expect(shadow(el, '[part=status]')!.textContent).to.contain('Loading');
      await expect(el).to.be.accessible();
    } finally {
      window.fetch = original;
    }
  });

  it('loading shows a placeholder as tall as the view that replaces it: no layout jump', async () => {
    const rows = [
      { id: 'a', e: 'lead', t: '2026-01-01', v: 3 },
      { id: 'a', e: 'won', t: '2026-01-03', v: 5 },
      { id: 'b', e: 'lead', t: '2026-01-02', v: 4 },
      { id: 'b', e: 'lead', t: '2026-01-09', v: 2 },
    ];
    const fields = { entity: 'id', event: 'e', time: 't', value: 'v' };
    const widgets = [
      ['funnel-chart', { kind: 'funnel', funnel: { steps: [{ event: 'lead' }, { event: 'won' }] } }],
      ['cohort-chart', { kind: 'cohort', cohort: { period: 'week', range: { from: '2026-01-01', to: '2026-01-14' } } }],
      ['anomaly-chart', { kind: 'anomaly', anomaly: { grain: 'day', measure: { op: 'sum', field: 'v' }, range: { from: '2026-01-01', to: '2026-01-09' }, rules: [{ id: 'hi', name: 'High', type: 'threshold', bound: { op: '>', value: 4 } }] } }],
      ['kpi-card', { kind: 'kpi', title: 'Lead value', fields: { time: 't', value: 'v' }, kpi: { metric: 'sum', range: { from: '2026-01-05', to: '2026-01-09' } } }],
    ] as const;
    for (const [tag, section] of widgets) {
      let answer!: () => void;
      const held = new Promise<void>((resolve) => (answer = resolve));
      setFetch(async () => {
        await held;
        return new Response(JSON.stringify(rows), { headers: { 'content-type': 'application/json' } });
      });
      try {
        const el = document.createElement(tag) as HTMLElement & { contract: unknown; state: string; updateComplete: Promise<boolean> };
        el.setAttribute('locale', 'en');
        el.contract = { version: 1, fields, data: { url: '/rows.json', format: 'json' }, ...section };
        el.style.width = tag === 'kpi-card' ? '260px' : '600px';
        document.body.append(el);
        await waitUntil(() => el.state === 'loading', `${tag} never loading`);
        await el.updateComplete;
        const loading = el.getBoundingClientRect().height;
        expect(shadow(el, '[part=skeleton]'), `${tag} skeleton`).to.exist;
        const drawn = oneEvent(el, 'funnelkit-render');
        answer();
        await drawn;
        const ready = el.getBoundingClientRect().height;
        expect(shadow(el, '[part=skeleton]'), `${tag} skeleton gone`).to.equal(null);
        expect(Math.abs(ready - loading), `${tag}: ${loading}px loading, ${ready}px drawn`).to.be.at.most(2);
        el.remove();
      } finally {
        setFetch(null);
      }
    }
  });

  it('shows "no data in this range" for a range without rows', async () => {
    const el = await fixture<KpiCard>(html`<kpi-card locale="en" .contract=${contract({ kpi: { range: { from: '2025-01-01', to: '2025-01-31' } } })}></kpi-card>`);
    await waitUntil(() => el.state === 'empty');
    await el.updateComplete;
    expect(shadow(el, '[part=status]')!.textContent).to.equal('No data in this range');
    expect(shadow(el, '[part=kpi]')).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('tells the host when there is nothing to draw: funnelkit-render with state "empty"', async () => {
    const el = await fixture<KpiCard>(html`<kpi-card locale="en"></kpi-card>`);
    setTimeout(() => (el.contract = contract({ kpi: { range: { from: '2025-01-01', to: '2025-01-31' } } }) as never));
    const event = (await oneEvent(el, 'funnelkit-render')) as CustomEvent<FunnelKitRenderDetail>;
    expect(event.detail.state).to.equal('empty');
    expect(event.detail.view).to.equal(null);
    expect(el.state).to.equal('empty');
  });

  it('gives up on a response that never ends after `timeout` ms, with a clear message', async () => {
    const src = URL.createObjectURL(new Blob([]));
    const original = window.fetch;
    window.fetch = async (input: RequestInfo | URL, init?: RequestInit) =>
      String(input) === src ? new Response(new ReadableStream({ start() {} })) : original(input, init);
    try {
      const el = await fixture<KpiCard>(html`<kpi-card locale="en" timeout="200"></kpi-card>`);
      setTimeout(() => (el.src = src));
      const event = (await oneEvent(el, 'funnelkit-error')) as CustomEvent<FunnelKitErrorDetail>;
      expect(event.detail.message).to.equal('the contract or its data did not arrive within 0.2 s (the timeout attribute sets the limit)');
      await el.updateComplete;
      expect(el.state).to.equal('error');
      expect(shadow(el, '[part=status]')!.textContent).to.contain('did not arrive within 0.2 s');
    } finally {
      window.fetch = original;
    }
  });

  it('shows the empty message in Chinese for zh-CN', async () => {
    const el = await fixture<KpiCard>(html`<kpi-card .contract=${contract({ locale: 'zh-CN', kpi: { range: { from: '2025-01-01', to: '2025-01-31' } } })}></kpi-card>`);
    await waitUntil(() => el.state === 'empty');
    await el.updateComplete;
    expect(shadow(el, '[part=status]')!.textContent).to.equal('此范围内没有数据');
  });

  it('an invalid contract shows the message and path, fires funnelkit-error, and never throws', async () => {
    const el = await fixture<KpiCard>(html`<kpi-card locale="en"></kpi-card>`);
    setTimeout(() => (el.contract = contract({ kpi: { metric: 'median' } }) as never));
    const event = (await oneEvent(el, 'funnelkit-error')) as CustomEvent<FunnelKitErrorDetail>;
    expect(event.detail.path).to.equal('/kpi/metric');
    expect(event.detail.message).to.match(/^expected one of "sum"/);
    await el.updateComplete;
    expect(el.state).to.equal('error');
    const status = shadow(el, '[part=status]')!;
    expect(status.getAttribute('role')).to.equal('alert');
    expect(status.querySelector('code')!.textContent).to.equal('/kpi/metric');
    await expect(el).to.be.accessible();
  });

  it('keeps the last good view through an error', async () => {
    const el = await fixture<KpiCard>(html`<kpi-card locale="en" .contract=${contract()}></kpi-card>`);
    await oneEvent(el, 'funnelkit-render');
    el.contract = contract({ fields: { time: 'day', value: 'leads' } }) as never;
    const event = (await oneEvent(el, 'funnelkit-error')) as CustomEvent<FunnelKitErrorDetail>;
    expect(event.detail.path).to.equal('/fields/time');
    await el.updateComplete;
    expect(valueText(el)).to.equal('1,550');
    expect(shadow(el, '[part=chart] svg')).to.exist;
    expect(shadow(el, '[part=status]')!.textContent).to.contain('last good view');
    await expect(el).to.be.accessible();
  });

  it('keeps the last good Vega view through an error', async () => {
    const el = await fixture<AnomalyChart>(html`<anomaly-chart locale="en" .contract=${series()}></anomaly-chart>`);
    await oneEvent(el, 'funnelkit-render');
    const view = el.vegaView;
    el.contract = series({ fields: { time: 'day', value: 'leads' } }) as never;
    const event = (await oneEvent(el, 'funnelkit-error')) as CustomEvent<FunnelKitErrorDetail>;
    expect(event.detail.path).to.equal('/fields/time');
    await el.updateComplete;
    expect(el.vegaView).to.equal(view);
    expect((shadow(el, '[part=chart]') as HTMLElement).hidden).to.equal(false);
    expect(shadow(el, '[part=status]')!.textContent).to.contain('last good view');
    await expect(el).to.be.accessible();
  });

  it('reports a kind that does not fit the tag', async () => {
    const el = await fixture<KpiCard>(html`<kpi-card locale="en"></kpi-card>`);
    setTimeout(() => (el.contract = { ...contract(), kind: 'cohort', cohort: {} } as never));
    const event = (await oneEvent(el, 'funnelkit-error')) as CustomEvent<FunnelKitErrorDetail>;
    expect(event.detail.path).to.equal('/kind');
    expect(event.detail.message).to.equal('expected "kpi" for <kpi-card>, got "cohort"');
  });

  it('reports a src that cannot be fetched, without a JSON path', async () => {
    const el = await fixture<KpiCard>(html`<kpi-card locale="en"></kpi-card>`);
    setTimeout(() => (el.src = '/does-not-exist.json'));
    const event = (await oneEvent(el, 'funnelkit-error')) as CustomEvent<FunnelKitErrorDetail>;
    expect(event.detail.path).to.equal('');
    expect(event.detail.message).to.contain('HTTP 404');
  });
});

describe('FunnelKitElement: rendering', () => {
  it('events bubble and cross the shadow root', async () => {
    const el = await fixture<KpiCard>(html`<kpi-card locale="en"></kpi-card>`);
    const wrapper = document.body;
    const heard: Array<CustomEvent<FunnelKitRenderDetail>> = [];
    wrapper.addEventListener('funnelkit-render', (e) => heard.push(e as CustomEvent<FunnelKitRenderDetail>));
    el.contract = contract() as never;
    await waitUntil(() => heard.length > 0, 'no funnelkit-render reached the wrapper', { timeout: 10000 });
    expect(heard[0].composed).to.equal(true);
    expect(heard[0].detail.mode).to.equal('embed');
  });

  it('updates data through the view API when only data changes', async () => {
    const el = await fixture<AnomalyChart>(html`<anomaly-chart locale="en" .contract=${series()}></anomaly-chart>`);
    await oneEvent(el, 'funnelkit-render');
    const view = el.vegaView;
    el.contract = series(doubled) as never;
    const event = (await oneEvent(el, 'funnelkit-render')) as CustomEvent<FunnelKitRenderDetail>;
    expect(event.detail.mode).to.equal('update');
    expect(el.vegaView).to.equal(view);
    expect(view!.data('series').map((d: { value: number }) => d.value)).to.deep.equal(rows.map((r) => r.leads * 2));
    expect(tableValues(el).slice(-2)).to.deep.equal(['380', '400']);
  });

  it('renders with canvas when asked', async () => {
    const el = await fixture<AnomalyChart>(html`<anomaly-chart locale="en" renderer="canvas" .contract=${series()}></anomaly-chart>`);
    await oneEvent(el, 'funnelkit-render');
    expect(shadow(el, '[part=chart] canvas')).to.exist;
    expect(shadow(el, '[part=chart] svg')).to.not.exist;
  });

  it('labels time axes in the locale and in the contract time zone', async () => {
    // 90 days from 1 January in Shanghai (UTC+8): every period starts at 16:00Z the day before.
    const daily = Array.from({ length: 90 }, (_, i) => ({ ts: Date.UTC(2026, 0, 1 + i) - 8 * 3_600_000, leads: 100 + (i % 7) }));
    const anomaly = (locale: string) => ({
      version: 1,
      kind: 'anomaly',
      locale,
      timeZone: 'Asia/Shanghai',
      data: { rows: daily },
      fields: { time: 'ts', value: 'leads' },
      anomaly: { measure: { op: 'sum' }, rules: [{ type: 'threshold', bound: { op: '>', value: 1000 } }] },
    });
    const ticks = async (locale: string) => {
      const el = await fixture(html`<anomaly-chart style="width: 640px" .contract=${anomaly(locale)}></anomaly-chart>`);
      await oneEvent(el, 'funnelkit-render');
      return [...el.shadowRoot!.querySelectorAll('[part=chart] .role-axis-label text')].map((t) => t.textContent);
    };
    const zh = await ticks('zh-CN');
    expect(zh).to.include.members(['2月', '3月']);
    const en = await ticks('en');
    // Month ticks fall on Shanghai's first of the month whatever the browser's zone is.
    expect(en).to.include.members(['February', 'March']);
  });

  it('themes the Vega view from CSS custom properties, dark when theme="dark"', async () => {
    const el = await fixture<AnomalyChart>(html`<anomaly-chart locale="en" theme="dark" .contract=${series()}></anomaly-chart>`);
    await oneEvent(el, 'funnelkit-render');
    expect(lineStroke(el)).to.equal('#7c9cff');
  });

  it('a page-level --fk-color-accent on :root restyles a widget', async () => {
    const style = document.createElement('style');
    style.textContent = ':root { --fk-color-accent: #d6409f }';
    document.head.append(style);
    try {
      const el = await fixture<AnomalyChart>(html`<anomaly-chart locale="en" theme="light" .contract=${series()}></anomaly-chart>`);
      await oneEvent(el, 'funnelkit-render');
      expect(lineStroke(el)).to.equal('#d6409f');
      // The KPI card's own sparkline reads the same token.
      const card = await fixture<KpiCard>(html`<kpi-card locale="en" theme="light" .contract=${contract()}></kpi-card>`);
      await oneEvent(card, 'funnelkit-render');
      expect(getComputedStyle(shadow(card, '.spark-line')!).stroke).to.equal('rgb(214, 64, 159)');
    } finally {
      style.remove();
    }
    const plain = await fixture<AnomalyChart>(html`<anomaly-chart locale="en" theme="light" .contract=${series()}></anomaly-chart>`);
    await oneEvent(plain, 'funnelkit-render');
    expect(lineStroke(plain)).to.equal('#3e63dd');
  });

  it('keeps a visually hidden table of what is drawn', async () => {
    const el = await fixture<KpiCard>(html`<kpi-card locale="en" .contract=${contract()}></kpi-card>`);
    await oneEvent(el, 'funnelkit-render');
    const table = shadow(el, '.visually-hidden table')!;
    expect(table.querySelectorAll('tbody tr').length).to.equal(10);
    expect(table.querySelector('tbody tr td')!.textContent).to.equal('2026-03-11');
    expect(shadow(el, '.visually-hidden')!.getBoundingClientRect().width).to.be.at.most(1);
  });

  it('never interprets data text as HTML', async () => {
    const evil = '<img src=x onerror="window.__pwned=1">';
    const el = await fixture<KpiCard>(html`<kpi-card locale="en" .contract=${contract({ title: evil })}></kpi-card>`);
    await oneEvent(el, 'funnelkit-render');
    expect(shadow(el, '[part=title]')!.textContent).to.equal(evil);
    expect(el.shadowRoot!.querySelector('img')).to.equal(null);
    expect((window as unknown as { __pwned?: number }).__pwned).to.equal(undefined);
  });

  it('shows tooltips inside the shadow root as text', async () => {
    const el = await fixture<AnomalyChart>(html`<anomaly-chart locale="en" .contract=${series()}></anomaly-chart>`);
    await oneEvent(el, 'funnelkit-render');
    const tip = shadow(el, '[part=tooltip]') as HTMLElement;
    const handler = (el.vegaView as unknown as { _handler: unknown; tooltip(): (h: unknown, e: MouseEvent, i: unknown, v: unknown) => void }).tooltip();
    handler(null, new MouseEvent('pointermove', { clientX: 20, clientY: 20 }), {}, { title: '<b>x</b>', Value: '<i>1</i>' });
    expect(tip.hidden).to.equal(false);
    expect(tip.querySelector('.tip-title')!.textContent).to.equal('<b>x</b>');
    expect(tip.querySelector('b')).to.equal(null);
    handler(null, new MouseEvent('pointermove'), {}, null);
    expect(tip.hidden).to.equal(true);
  });

  it('a failed draw is over once a later draw succeeds (a theme switch after the error)', async () => {
    const el = await fixture<AnomalyChart>(html`<anomaly-chart locale="en" .contract=${series()}></anomaly-chart>`);
    await oneEvent(el, 'funnelkit-render');
    // Make the next data update fail the way a dataset Vega-Lite dropped used to.
    const view = el.vegaView!;
    const data = view.data.bind(view);
    view.data = (() => {
      throw new Error('Unrecognized data set: series');
    }) as typeof view.data;
    el.contract = series(doubled) as never;
    const failed = (await oneEvent(el, 'funnelkit-error')) as CustomEvent<FunnelKitErrorDetail>;
    expect(el.state).to.equal('error');
    // The raw text goes to the event and the console, never to the screen.
    expect(failed.detail.expected).to.equal(false);
    expect(failed.detail.message).to.equal('Unrecognized data set: series');
    await el.updateComplete;
    const status = shadow(el, '[part=status]')!.textContent!;
    expect(status).to.contain('something went wrong while drawing it');
    expect(status).to.not.contain('Unrecognized');
    view.data = data;
    el.theme = 'dark';
    const event = (await oneEvent(el, 'funnelkit-render')) as CustomEvent<FunnelKitRenderDetail>;
    expect(event.detail.mode).to.equal('embed');
    await el.updateComplete;
    expect(el.state).to.equal('ready');
    expect(shadow(el, '[part=status]')).to.equal(null);
    expect(tableValues(el).slice(-1)).to.deep.equal(['400']);
    expect(el.vegaView!.data('series').map((d: { value: number }) => d.value).slice(-1)).to.deep.equal([400]);
  });

  it('an error about a newer contract stays through a theme switch, over the last good view', async () => {
    const el = await fixture<AnomalyChart>(html`<anomaly-chart locale="en" .contract=${series()}></anomaly-chart>`);
    await oneEvent(el, 'funnelkit-render');
    el.contract = series({ fields: { time: 'day', value: 'leads' } }) as never;
    await oneEvent(el, 'funnelkit-error');
    el.theme = 'dark';
    await oneEvent(el, 'funnelkit-render');
    await el.updateComplete;
    expect(el.state).to.equal('error');
    expect(shadow(el, '[part=status] code')!.textContent).to.equal('/fields/time');
  });

  it('resizes with its container without re-embedding', async () => {
    const el = await fixture<AnomalyChart>(html`<anomaly-chart locale="en" style="width: 600px" .contract=${series()}></anomaly-chart>`);
    await waitUntil(() => el.vegaView !== null, 'no view', { timeout: 10000 });
    const view = el.vegaView!;
    const before = view.width();
    const modes: string[] = [];
    el.addEventListener('funnelkit-render', (e) => modes.push((e as CustomEvent<FunnelKitRenderDetail>).detail.mode));
    el.style.width = '400px';
    await waitUntil(() => modes.length > 0, 'no redraw after resize', { timeout: 10000 });
    expect(modes[0]).to.equal('update');
    expect(view.width()).to.be.below(before);
    expect(el.vegaView).to.equal(view);
  });

  it('finalizes the view and stops observing when removed', async () => {
    const el = await fixture<AnomalyChart>(html`<anomaly-chart locale="en" .contract=${series()}></anomaly-chart>`);
    await oneEvent(el, 'funnelkit-render');
    const view = el.vegaView!;
    let finalized = false;
    const finalize = view.finalize.bind(view);
    view.finalize = () => {
      finalized = true;
      return finalize();
    };
    el.remove();
    expect(finalized).to.equal(true);
    expect(el.vegaView).to.equal(null);
  });

  it('registration is guarded and classes can be registered under another name', async () => {
    expect(customElements.get('kpi-card')).to.equal(KpiCard);
    expect(() => define('kpi-card', KpiCard)).not.to.throw();
    expect(() => define('kpi-card', class extends KpiCard {})).not.to.throw();
    expect(customElements.get('kpi-card')).to.equal(KpiCard);

    class GuardedKpi extends KpiCard {}
    define('guarded-kpi', GuardedKpi);
    expect(() => define('guarded-kpi', GuardedKpi)).not.to.throw();
    expect(customElements.get('guarded-kpi')).to.equal(GuardedKpi);

    customElements.define('my-kpi', class extends KpiCard {});
    const el = await fixture<KpiCard>(html`<my-kpi locale="en" .contract=${contract()}></my-kpi>`);
    await oneEvent(el, 'funnelkit-render');
    expect(valueText(el)).to.equal('1,550');
  });
});
