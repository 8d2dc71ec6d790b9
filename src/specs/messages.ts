/**
 * The widgets' own words (status lines, axis titles, table headers), in English and Chinese. Text that
 * comes from data is never looked up here.
 */
const MESSAGES = {
  en: {
    loading: 'Loading…',
    empty: 'No data in this range',
    error: 'This chart could not be drawn',
    errorAt: 'at',
    keptLastView: 'Showing the last good view.',
    dataTable: 'Data shown in the chart',
    period: 'Period',
    value: 'Value',
    previous: 'Previous period',
    target: 'Target',
    change: 'Change',
    vsPrevious: 'vs previous period',
    ofTarget: 'of target',
    days: 'days',
    alert: 'Alert',
    alertAbove: 'above',
    alertBelow: 'below',
    alertDrop: 'dropped more than',
    alertRise: 'rose more than',
    stateOk: 'OK',
    stateWarning: 'Warning',
    stateCritical: 'Critical',
    alertsNone: 'No alerts in this range',
    cohort: 'Cohort',
    rate: 'Rate',
    entities: 'Entities',
    size: 'Size',
    incomplete: 'incomplete',
    none: '(none)',
    step: 'Step',
    group: 'Group',
    fromFirst: 'Conversion from first step',
    fromPrevious: 'Conversion from previous step',
    dropOff: 'Dropped off',
    medianTime: 'Median time from previous step',
  },
  'zh-CN': {
    loading: '加载中…',
    empty: '此范围内没有数据',
    error: '无法绘制此图表',
    errorAt: '位置',
    keptLastView: '仍显示上一次的有效视图。',
    dataTable: '图表中的数据',
    period: '周期',
    value: '数值',
    previous: '上一周期',
    target: '目标',
    change: '变化',
    vsPrevious: '较上一周期',
    ofTarget: '目标完成',
    days: '天',
    alert: '告警',
    alertAbove: '高于',
    alertBelow: '低于',
    alertDrop: '下降超过',
    alertRise: '上升超过',
    stateOk: '正常',
    stateWarning: '警告',
    stateCritical: '严重',
    alertsNone: '此范围内无告警',
    cohort: '同期群',
    rate: '比率',
    entities: '数量',
    size: '规模',
    incomplete: '未完结',
    none: '（无）',
    step: '步骤',
    group: '分组',
    fromFirst: '总体转化率',
    fromPrevious: '环节转化率',
    dropOff: '流失',
    medianTime: '距上一步的中位时长',
  },
} as const;

export type MessageKey = keyof (typeof MESSAGES)['en'];

/** The message in the closest supported locale: `zh`, `zh-Hans`, `zh-CN` all read Chinese. */
export function message(key: MessageKey, locale: string): string {
  return (locale.toLowerCase().startsWith('zh') ? MESSAGES['zh-CN'] : MESSAGES.en)[key];
}

const OFFSET_UNITS = {
  en: { hour: 'Hour', day: 'Day', week: 'Week', month: 'Month' },
  'zh-CN': { hour: '第{n}小时', day: '第{n}天', week: '第{n}周', month: '第{n}月' },
} as const;

/** "Week 3" / "第3周": a column heading for periods since the start. */
export function offsetLabel(period: 'hour' | 'day' | 'week' | 'month', n: number, locale: string): string {
  return locale.toLowerCase().startsWith('zh') ? OFFSET_UNITS['zh-CN'][period].replace('{n}', String(n)) : `${OFFSET_UNITS.en[period]} ${n}`;
}
