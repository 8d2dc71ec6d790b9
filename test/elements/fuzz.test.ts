// Generated and mutated contracts through the four elements: every one ends ready, empty or in
// an error a person can act on, with no uncaught error and no raw JavaScript text on screen.
import { expect } from '@open-wc/testing';
import fc from 'fast-check';
import '../../src/index.js';
import type { FunnelKitErrorDetail } from '../../src/index.js';
import { contract, hostile, mutate } from '../support/fuzz-contracts.js';

const TAGS = { funnel: 'funnel-chart', cohort: 'cohort-chart', anomaly: 'anomaly-chart', kpi: 'kpi-card' } as const;
/** Contracts per run; the hunt used 2,000 (edit to repeat it: about 2 minutes). */
const SAMPLES = 120;

type Outcome = { event: 'render' | 'error' | 'none'; detail?: FunnelKitErrorDetail };

function settle(el: HTMLElement): Promise<Outcome> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ event: 'none' }), 4000);
    el.addEventListener('funnelkit-render', () => (clearTimeout(timer), resolve({ event: 'render' })), { once: true });
    el.addEventListener('funnelkit-error', (e) => (clearTimeout(timer), resolve({ event: 'error', detail: (e as CustomEvent<FunnelKitErrorDetail>).detail })), { once: true });
  });
}

describe('fuzzed contracts through the elements', () => {
  it(`${SAMPLES} contracts: no crash, no blank box, no raw error text`, async function () {
    this.timeout(SAMPLES * 500);
    const uncaught: string[] = [];
    const onError = (e: ErrorEvent) => uncaught.push(String(e.message));
    const onRejection = (e: PromiseRejectionEvent) => uncaught.push(String(e.reason));
    window.addEventListener('error', onError);
    window.addEventListener('unhandledrejection', onRejection);
    const samples = fc.sample(
      fc.tuple(contract, fc.nat(), hostile, fc.boolean()).map(([{ kind, doc }, where, value, broken]) => ({ kind, doc: broken ? mutate(doc, where, value) : doc })),
      { numRuns: SAMPLES, seed: 3 },
    );
    const host = document.createElement('div');
    host.style.width = '480px';
    document.body.append(host);
    const outcomes = { render: 0, error: 0 };
    try {
      for (const [i, { kind, doc }] of samples.entries()) {
        const el = document.createElement(TAGS[kind]) as HTMLElement & { contract?: unknown; state: string };
        el.setAttribute('locale', 'en');
        el.contract = doc;
        const outcome = settle(el);
        host.append(el);
        const { event, detail } = await outcome;
        const what = `sample ${i} (${kind}): ${JSON.stringify(doc, (_k, v) => (typeof v === 'bigint' || typeof v === 'symbol' || typeof v === 'function' ? String(v) : v)).slice(0, 400)}`;
        expect(event, `no render or error event for ${what}`).to.not.equal('none');
        outcomes[event as 'render' | 'error']++;
        if (detail) expect(detail.expected, `unexpected error "${detail.message}" for ${what}`).to.equal(true);
        expect(['ready', 'empty', 'error'], what).to.include(el.state);
        el.remove();
      }
    } finally {
      host.remove();
      window.removeEventListener('error', onError);
      window.removeEventListener('unhandledrejection', onRejection);
    }
    expect(uncaught).to.deep.equal([]);
    // Both paths are exercised: some contracts draw, some are refused.
    expect(outcomes.render).to.be.above(10);
    expect(outcomes.error).to.be.above(10);
  });
});
