import { lazy, Suspense, useEffect, useState } from 'react';
import type {} from 'funnelkit/types/react'; // JSX typings for the raw tags
import type { FunnelChart as FunnelChartElement } from 'funnelkit/funnel-chart.js';
import { contract } from './contract.ts';

// A chunk of its own that loads with the widget: the `funnelkit/react` components.
const Wrapped = lazy(() => import('./Wrapped.tsx'));

// React 19 sets a prop as a property only when the element already has it: on a tag whose module
// has not loaded yet, an object would become the attribute "[object Object]". A ref sets the
// property itself, and the element keeps it when its module defines the tag.
const withContract = (el: FunnelChartElement | null) => {
  if (el) el.contract = contract;
};

export function App() {
  const [clicked, setClicked] = useState('');
  const [loaded, setLoaded] = useState(false);

  // Code splitting: the tag is on the page with its contract first; the widget module loads after.
  useEffect(() => {
    void import('funnelkit/funnel-chart.js').then(() => setLoaded(true));
  }, []);

  return (
    <main>
      <h1>FunnelKit in React</h1>
      <funnel-chart id="lazy" ref={withContract} onfunnel-step-click={(e) => setClicked(`${e.detail.name}: ${e.detail.count}`)} />
      <p>
        Clicked: <output id="lazy-clicked">{clicked}</output>
      </p>
      {loaded && (
        <Suspense fallback={<p>Loading…</p>}>
          <Wrapped />
        </Suspense>
      )}
    </main>
  );
}
