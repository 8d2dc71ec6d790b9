/**
 * The contracts' `metric` keyword as a {@link Measure}: which op, over which mapped field.
 * @module
 */
import type { FieldMap } from '../contract.js';
import { fieldOf } from '../columns.js';
import type { Measure } from './measure.js';

/** The metrics KPI and anomaly contracts name. */
export type Metric = 'sum' | 'count' | 'mean' | 'countDistinct' | 'last';

/** `count` counts rows, `countDistinct` distinct entities; the rest read the value field. */
export function metricMeasure(metric: Metric, fields: FieldMap): Measure {
  if (metric === 'count') return { op: 'count', paths: { field: '/fields', where: '/fields' } };
  const role = metric === 'countDistinct' ? 'entity' : 'value';
  return {
    op: metric === 'countDistinct' ? 'distinct' : metric,
    field: fieldOf(fields, role),
    paths: { field: `/fields/${role}`, where: '/fields' },
  };
}
