import { computeFunnel, type FunnelViewModel } from '../../../src/analytics/index.js';
import type { Cell, FunnelContract, FunnelSection, InlineContract } from '../../../src/analytics/contract.js';

export type Row = Record<string, Cell>;

/** computeFunnel over event rows with `person`, `ts` (UTC) and `event` columns. */
export const run = (rows: Row[], funnel: FunnelSection, extra: Partial<FunnelContract> = {}): FunnelViewModel =>
  computeFunnel({
    version: 1,
    kind: 'funnel',
    data: { rows },
    fields: { entity: 'person', time: 'ts', event: 'event' },
    timeZone: 'UTC',
    funnel,
    ...extra,
  } as InlineContract<FunnelContract>);

/** Entities reaching each step. */
export const counts = (v: FunnelViewModel) => v.steps.map((s) => s.count);
