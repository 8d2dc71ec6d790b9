import type { FunnelContract } from 'funnelkit';

// An inline funnel contract: four deals, three steps (4 leads → 3 POCs → 2 won).
export const contract: FunnelContract = {
  version: 1,
  kind: 'funnel',
  title: 'Deals',
  data: {
    rows: [
      { id: 'a', e: 'lead', t: '2026-01-01T00:00:00Z' },
      { id: 'a', e: 'poc', t: '2026-01-02T00:00:00Z' },
      { id: 'a', e: 'won', t: '2026-01-03T00:00:00Z' },
      { id: 'b', e: 'lead', t: '2026-01-01T12:00:00Z' },
      { id: 'b', e: 'poc', t: '2026-01-03T12:00:00Z' },
      { id: 'b', e: 'won', t: '2026-01-06T12:00:00Z' },
      { id: 'c', e: 'lead', t: '2026-01-02T00:00:00Z' },
      { id: 'c', e: 'poc', t: '2026-01-04T00:00:00Z' },
      { id: 'd', e: 'lead', t: '2026-01-08T00:00:00Z' },
    ],
  },
  fields: { entity: 'id', time: 't', event: 'e' },
  funnel: {
    steps: [
      { event: 'lead', label: 'Lead' },
      { event: 'poc', label: 'POC' },
      { event: 'won', label: 'Won' },
    ],
    window: '30d',
  },
};
