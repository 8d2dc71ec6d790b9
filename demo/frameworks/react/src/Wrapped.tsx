import { useState } from 'react';
import { FunnelChart } from 'funnelkit/react';
import { contract } from './contract.ts';

export default function Wrapped() {
  const [clicked, setClicked] = useState('');
  const [rawClicked, setRawClicked] = useState('');
  return (
    <>
      <h2>funnelkit/react</h2>
      <FunnelChart id="wrapped" contract={contract} onFunnelStepClick={(e) => setClicked(`${e.detail.name}: ${e.detail.count}`)} />
      <p>
        Clicked: <output id="wrapped-clicked">{clicked}</output>
      </p>
      <h2>The raw tag, once defined</h2>
      <funnel-chart id="raw" contract={contract} onfunnel-step-click={(e) => setRawClicked(`${e.detail.name}: ${e.detail.count}`)} />
      <p>
        Clicked: <output id="raw-clicked">{rawClicked}</output>
      </p>
    </>
  );
}
