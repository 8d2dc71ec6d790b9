/**
 * Computing off the main thread: the page's Worker pool gives the same view models as the main
 * thread, drops what nobody wants any more, stays small, falls back where no Worker can start,
 * and a long load says what it is doing.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/anomaly-chart.js';
import '../../src/funnel-chart.js';
import '../../src/kpi-card.js';
import type { FunnelChart } from '../../src/funnel-chart.js';
import type { FunnelKitRenderDetail } from '../../src/elements/events.js';
import { computeView } from '../../src/analytics/compute.js';
import { setFetch } from '../../src/analytics/index.js';
import { ComputePool, computeViewModel, WorkerUnavailable } from '../../src/analytics/worker/pool.js';
import { buildVegaConfig, LIGHT_TOKENS } from '../../src/specs/theme.js';
import { vegaRuntime } from '../../src/specs/vega-runtime.js';
import { DURATION_FORMAT } from '../../src/specs/funnel-spec.js';
import { generateAppFunnel } from '../../demo/data/sample-data.js';
import { tableRows } from './support/widget.js';

type Rows = Array<Record<string, unknown>>;

/** An app funnel over `entities` users, broken down by channel, with a time-to-convert view. */
function appFunnel(entities: number, seed = 5) {
  return {
    version: 1,
    kind: 'funnel',
    title: `App funnel (${entities})`,
    data: { rows: generateAppFunnel({ seed, entities, days: 90 }) as unknown as Rows },
    fields: { entity: 'entity', event: 'event', time: 'ts', segments: ['source'] },
    funnel: {
      steps: [{ event: 'visit' }, { event: 'register' }, { event: 'order' }, { event: 'repurchase' }],
      window: '30d',
      breakdown: { field: 'source' },
    },
  };
}

const pool = () => ComputePool.shared()!;

describe('computing in a Worker', () => {
  // These contracts are small; they would be computed on the main thread (see the last test).
  const threshold = ComputePool.mainThreadBelow;
  before(() => (ComputePool.mainThreadBelow = 0));
  after(() => (ComputePool.mainThreadBelow = threshold));

  it('gives the same view model as the main thread, for inline rows, typed columns and a fetched URL', async () => {
    const contract = appFunnel(2000);
    const inWorker = await computeViewModel('funnel', contract as never);
    expect(pool().unavailable, 'a Worker started').to.equal(null);
    expect(pool().started).to.be.at.least(1);
    expect(inWorker).to.deep.equal(await computeView('funnel', contract as never));
    // Typed columns cross as memory; a JSON URL is fetched here and parsed in the Worker.
    const rows = contract.data.rows;
    const columns = {
      entity: rows.map((r) => r.entity),
      event: rows.map((r) => r.event),
      ts: Float64Array.from(rows, (r) => Date.parse(String(r.ts))),
      source: rows.map((r) => r.source),
    };
    const typed = { ...contract, data: { columns } };
    expect(await computeViewModel('funnel', typed as never)).to.deep.equal(await computeView('funnel', typed as never));
    const url = URL.createObjectURL(new Blob([JSON.stringify(rows)], { type: 'application/json' }));
    const fetched = { ...contract, data: { url, format: 'json' } };
    expect(await computeViewModel('funnel', fetched as never)).to.deep.equal(inWorker);
  });

  it('the Worker fetches data.url itself, with the element\'s fetchOptions; a page that fetches its own way fetches on the page', async () => {
    const contract = {
      version: 1,
      kind: 'funnel',
      data: { url: '/__needs-header', format: 'json' },
      fields: { entity: 'u', event: 'e', time: 't' },
      funnel: { steps: [{ event: 'visit' }, { event: 'buy' }] },
    };
    const init = { headers: new Headers({ 'x-funnelkit-test': 'yes' }) };
    const vm = (await computeViewModel('funnel', contract as never, { init })) as { steps: Array<{ count: number }> };
    expect(vm.steps.map((s) => s.count)).to.deep.equal([2, 1]);
    // The bytes never passed the page: its resource timeline has no request for them.
    expect(performance.getEntriesByType('resource').filter((e) => e.name.includes('/__needs-header'))).to.have.length(0);
    // Without the header the server refuses, and the error names the URL's path in the contract.
    const refused = (await computeViewModel('funnel', contract as never).catch((e: unknown) => e)) as { path: string; message: string };
    expect(refused.path).to.equal('/data/url');
    expect(refused.message).to.contain('HTTP 403');
    // setFetch(): the page's fetch is used (it adds the header), so the page fetches.
    let calls = 0;
    setFetch((input, requestInit) => {
      calls++;
      return fetch(input, { ...requestInit, headers: { 'x-funnelkit-test': 'yes' } });
    });
    try {
      const viaPage = (await computeViewModel('funnel', contract as never)) as { steps: Array<{ count: number }> };
      expect(viaPage.steps.map((s) => s.count)).to.deep.equal([2, 1]);
      expect(calls).to.equal(1);
    } finally {
      setFetch(null);
    }
  });

  it('a contract error keeps its JSON path across the Worker boundary, and is found before the download', async () => {
    let fetched = 0;
    setFetch(async () => {
      fetched++;
      return new Response('[]');
    });
    try {
      const bad = { ...appFunnel(10), data: { url: '/events.json' }, funnel: { steps: [{ event: 'visit' }], window: 'soon' } };
      const error = await computeViewModel('funnel', bad as never).catch((e: unknown) => e);
      expect((error as { path?: string }).path).to.equal('/funnel/window');
      expect(fetched).to.equal(0);
      // A cell error raised inside the Worker names the cell.
      const cell = { ...appFunnel(10), data: { rows: [{ entity: 'a', event: 'visit', ts: 'not a time', source: 'x' }] } };
      const inWorker = (await computeViewModel('funnel', cell as never).catch((e: unknown) => e)) as { name: string; path: string };
      expect([inWorker.name, inWorker.path]).to.deep.equal(['ContractError', '/data/rows/0/ts']);
    } finally {
      setFetch(null);
    }
  });

  it('data a Worker cannot be sent (a Symbol in a cell) is computed on the main thread, which names the cell', async () => {
    const bad = { ...appFunnel(10), data: { rows: [{ entity: 'a', event: 'visit', ts: Symbol('x'), source: 'x' }] } };
    const error = (await computeViewModel('funnel', bad as never).catch((e: unknown) => e)) as { name: string; path: string };
    expect([error.name, error.path]).to.deep.equal(['ContractError', '/data/rows/0/ts']);
    expect(pool().unavailable, 'the pool still runs other jobs').to.equal(null);
  });

  it('the element in a Worker and the element on the main thread show the same table', async () => {
    const contract = appFunnel(1500, 9);
    const [a, b] = await Promise.all(
      ['auto', 'main'].map(async (compute) => {
        const el = await fixture<FunnelChart>(html`<funnel-chart locale="en" compute=${compute} .contract=${contract}></funnel-chart>`);
        await oneEvent(el, 'funnelkit-render');
        return tableRows(el);
      }),
    );
    expect(a.length).to.be.greaterThan(4);
    expect(a).to.deep.equal(b);
  });

  it('a newer contract while the older computes: only the newer is ever shown', async () => {
    const el = await fixture<FunnelChart>(html`<funnel-chart locale="en"></funnel-chart>`);
    el.contract = appFunnel(60_000, 1) as never;
    await waitUntil(() => el.state === 'loading');
    const small = appFunnel(300, 2);
    el.contract = small as never;
    const shown: string[] = [];
    el.addEventListener('funnelkit-render', () => shown.push(String(tableRows(el)[0])));
    await waitUntil(() => shown.length > 0, 'the newer contract never drew', { timeout: 10_000 });
    // Long enough for the big one to have finished had it not been dropped.
    await new Promise((r) => setTimeout(r, 1500));
    const expected = await computeView('funnel', small as never);
    expect(shown).to.have.length(1);
    expect(tableRows(el)[0][2]).to.equal(String(expected.breakdown![0].steps[0].count));
  });

  it('a removed element’s work is dropped: its Worker stops and nothing is drawn', async () => {
    const el = await fixture<FunnelChart>(html`<funnel-chart locale="en" .contract=${appFunnel(80_000, 3)}></funnel-chart>`);
    let drawn = 0;
    el.addEventListener('funnelkit-render', () => drawn++);
    await waitUntil(() => el.state === 'loading');
    // Wait until its job is on a Worker, then remove the element.
    await waitUntil(() => pool().alive > 0);
    const started = pool().started;
    await new Promise((r) => setTimeout(r, 50));
    el.remove();
    await new Promise((r) => setTimeout(r, 1500));
    expect(drawn).to.equal(0);
    // The busy Worker was stopped rather than left computing (a new one starts only on demand).
    expect(pool().started).to.equal(started);
    const idle = await computeViewModel('funnel', appFunnel(50) as never);
    expect(idle.steps.length).to.equal(4);
  });

  it('50 widgets on a page: all draw, with at most one Worker per core', async () => {
    const contracts = Array.from({ length: 50 }, (_, i) => appFunnel(200, 100 + i));
    const host = await fixture(html`<div>${contracts.map((c) => html`<funnel-chart locale="en" style="width: 300px" .contract=${c}></funnel-chart>`)}</div>`);
    const charts = [...host.querySelectorAll('funnel-chart')] as FunnelChart[];
    await waitUntil(() => charts.every((c) => c.state === 'ready'), 'not every widget drew', { timeout: 60_000 });
    expect(pool().started).to.be.at.most(Math.min(navigator.hardwareConcurrency || 2, 4) + 2, 'Workers started (two replaced by the cancellation tests above)');
    expect(pool().alive).to.be.at.most(Math.min(navigator.hardwareConcurrency || 2, 4));
  });

  it('compute="main" starts no Worker', async () => {
    const before = pool().started;
    const el = await fixture<FunnelChart>(html`<funnel-chart locale="en" compute="main" .contract=${appFunnel(300)}></funnel-chart>`);
    await oneEvent(el, 'funnelkit-render');
    expect(pool().started).to.equal(before);
  });

  it('where a Worker cannot start, the pool says why and jobs go to the main thread', async () => {
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (...parts: unknown[]) => warnings.push(parts.join(' '));
    try {
      const broken = new ComputePool(() => new URL('/no-such-worker.js', location.href), 2);
      const error = await broken.run('funnel', appFunnel(10) as never, null).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(WorkerUnavailable);
      expect(broken.unavailable).to.match(/did not load/);
      expect(warnings.join('\n')).to.match(/computing on the main thread/);
      // Later jobs are refused at once, for the caller to compute on the main thread.
      expect(await broken.run('funnel', appFunnel(10) as never, null).catch((e: unknown) => e)).to.be.instanceOf(WorkerUnavailable);
    } finally {
      console.warn = warn;
    }
  });
});

describe('charts compiled in a Worker', () => {
  const threshold = ComputePool.mainThreadBelow;
  before(() => (ComputePool.mainThreadBelow = 0));
  after(() => (ComputePool.mainThreadBelow = threshold));

  /** Records what the pool's compile answers, to tell which charts a Worker compiled. */
  function watchCompile(): { answers: unknown[]; restore(): void } {
    const answers: unknown[] = [];
    const original = ComputePool.prototype.compile;
    const p = pool();
    p.compile = function (this: ComputePool, ...args: Parameters<ComputePool['compile']>) {
      const answer = original.apply(this, args);
      answer.then((runtime) => answers.push(runtime), (error: unknown) => answers.push(error));
      return answer;
    } as ComputePool['compile'];
    return { answers, restore: () => delete (p as Partial<ComputePool>).compile };
  }

  it("a free Worker's Vega runtime equals the page's, our duration format included; a busy pool refuses at once", async () => {
    await computeViewModel('funnel', appFunnel(100) as never); // a Worker started, and free again
    const spec = {
      data: { values: [{ step: 'Visit', ms: 90_000 }, { step: 'Order', ms: 0 }] },
      mark: 'bar',
      encoding: { y: { field: 'step', type: 'nominal' }, x: { field: 'ms', type: 'quantitative', axis: { formatType: DURATION_FORMAT, format: 'en' } } },
    };
    const config = { ...buildVegaConfig(LIGHT_TOKENS), locale: { number: { decimal: ',', thousands: '.', grouping: [3], currency: ['', ''] } } };
    const inWorker = await pool().compile(spec, config);
    expect(inWorker).to.deep.equal(structuredClone(vegaRuntime(spec as never, config as never)));
    expect(JSON.stringify(inWorker)).to.contain(DURATION_FORMAT).and.contain('"decimal":","');
    // Every Worker computing: the chart is not kept waiting behind the job, the page compiles it.
    const busy = Array.from({ length: pool().size }, (_, i) => computeViewModel('funnel', appFunnel(20_000, 40 + i) as never));
    await waitUntil(() => pool().alive === pool().size);
    expect(await pool().compile(spec, config).catch((e: unknown) => e)).to.be.instanceOf(WorkerUnavailable);
    await Promise.all(busy);
  });

  it('a chart compiled in a Worker draws the same SVG as one compiled on the page (compute="main"): a funnel, and an anomaly chart with a time axis', async () => {
    const { answers, restore } = watchCompile();
    const day = (d: number) => `2026-03-${String(d + 1).padStart(2, '0')}`;
    const leads: Rows = [];
    for (let d = 0; d < 20; d++) for (let i = 0; i < 30; i++) leads.push({ day: day(d), lead: `${d}-${i}`, event: i < (d === 12 ? 2 : 8) ? 'won' : 'lead' });
    const anomaly = {
      version: 1,
      kind: 'anomaly',
      data: { rows: leads },
      fields: { time: 'day', entity: 'lead', event: 'event' },
      anomaly: { grain: 'day', measure: { op: 'count', filter: { event: 'won' } }, rules: [{ id: 'floor', name: 'Floor', type: 'threshold', bound: { op: '<', value: 5 }, severity: 'critical' }] },
    };
    try {
      const drawn = async (tag: 'funnel-chart' | 'anomaly-chart', contract: object, compute: string) => {
        const el = document.createElement(tag) as FunnelChart;
        el.setAttribute('locale', 'zh-CN');
        el.setAttribute('compute', compute);
        el.style.cssText = 'display: block; width: 640px; height: 420px';
        el.contract = contract as never;
        const rendered = oneEvent(el, 'funnelkit-render');
        await fixture(html`<div>${el}</div>`);
        await rendered;
        // Vega numbers clip paths page-wide: the second view's ids are not the first's.
        return (await el.vegaView!.toSVG()).replace(/clip\d+/g, 'clip');
      };
      for (const [tag, contract, text] of [['funnel-chart', appFunnel(1200, 11), 'visit'], ['anomaly-chart', anomaly, '3月']] as const) {
        const compiled = answers.length;
        const inWorker = await drawn(tag, contract, 'auto');
        expect(answers.length, `${tag}: the chart went to the pool`).to.equal(compiled + 1);
        expect(answers[compiled], `${tag}: a Worker compiled it`).to.have.property('operators');
        const onPage = await drawn(tag, contract, 'main');
        expect(answers.length, `${tag}: compute="main" asks no Worker`).to.equal(compiled + 1);
        expect(inWorker).to.contain('<svg').and.contain(text);
        expect(inWorker === onPage, `${tag}: the same SVG`).to.equal(true);
      }
    } finally {
      restore();
    }
  });
});

describe('a Worker that cannot start keeps the bytes the page fetched', () => {
  it('a job with bytes waits for the Worker to start, so the main-thread fallback can still parse them', async () => {
    const warn = console.warn;
    console.warn = () => {};
    try {
      const broken = new ComputePool(() => new URL('/no-such-worker.js', location.href), 2);
      const bytes = new TextEncoder().encode(JSON.stringify(appFunnel(50).data.rows)).buffer;
      const error = await broken.run('funnel', appFunnel(10) as never, { bytes, format: 'json', url: 'https://example.test/e.json' }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(WorkerUnavailable);
      expect(bytes.byteLength, 'not transferred to the Worker that failed').to.be.greaterThan(0);
    } finally {
      console.warn = warn;
    }
  });
});

describe('small jobs', () => {
  it('a contract with a few rows, or none (pre-aggregated), is computed on the main thread: no Worker round trip', async () => {
    const before = pool().started + pool().alive;
    const small = await computeViewModel('funnel', appFunnel(500) as never);
    expect(small).to.deep.equal(await computeView('funnel', appFunnel(500) as never));
    const given = { version: 1, kind: 'funnel', data: { rows: [] }, fields: {}, funnel: { steps: [{ name: 'Visit', count: 100 }, { name: 'Order', count: 20 }] } };
    expect((await computeViewModel('funnel', given as never)).steps.map((s) => s.count)).to.deep.equal([100, 20]);
    expect(pool().started + pool().alive).to.equal(before);
  });
});

describe('progress on long work', () => {
  it('after 300 ms a load says its stage over the last view, and says nothing when quick', async () => {
    const el = await fixture<FunnelChart>(html`<funnel-chart locale="en" .contract=${appFunnel(200)}></funnel-chart>`);
    await oneEvent(el, 'funnelkit-render');
    let answer!: () => void;
    const held = new Promise<void>((resolve) => (answer = resolve));
    const rows = JSON.stringify(appFunnel(400, 7).data.rows);
    setFetch(async () => {
      await held;
      return new Response(rows);
    });
    try {
      el.contract = { ...appFunnel(10), data: { url: '/events.json', format: 'json' } } as never;
      await waitUntil(() => el.state === 'loading');
      await el.updateComplete;
      const status = () => el.shadowRoot!.querySelector<HTMLElement>('[part=status]');
      // Quick so far: the last view, and no status over it.
      expect(status()).to.equal(null);
      expect(el.shadowRoot!.querySelector('[part=chart] svg')).to.exist;
      await waitUntil(() => status()?.dataset.stage === 'data', 'no stage shown after 300 ms', { timeout: 2000 });
      expect(status()!.textContent!.trim()).to.equal('Loading data…');
      expect(el.shadowRoot!.querySelector('[part=chart] svg'), 'the last view stays underneath').to.exist;
      const drawn = oneEvent(el, 'funnelkit-render') as Promise<CustomEvent<FunnelKitRenderDetail>>;
      answer();
      const { timings } = (await drawn).detail;
      await el.updateComplete;
      expect(status()).to.equal(null);
      // The render says where the time went: the held download is the data stage.
      expect(timings!.dataMs, 'data stage').to.be.at.least(300);
      expect(timings!.computeMs, 'compute stage').to.be.at.least(0).and.below(timings!.dataMs);
      expect(timings!.drawMs, 'draw stage').to.be.greaterThan(0).and.below(timings!.dataMs);
      // A redraw (a theme switch) is not a load: no timings.
      const redrawn = oneEvent(el, 'funnelkit-render') as Promise<CustomEvent<FunnelKitRenderDetail>>;
      el.theme = 'dark';
      expect((await redrawn).detail.timings).to.equal(undefined);
    } finally {
      setFetch(null);
    }
  });
});
