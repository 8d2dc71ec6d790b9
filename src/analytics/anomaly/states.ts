/**
 * A rule's state over time, Grafana's and Prometheus's: `normal → pending → alerting →
 * recovering → normal`, and `nodata`. With `for` = N the first N consecutive breaches are
 * `pending` and the (N+1)-th fires; a clean point ends `pending` without firing. With
 * `keepFiringFor` = K the first K clean points after firing are `recovering` (still firing) and
 * the (K+1)-th is `normal`; a breach while recovering fires again at once. A point without a
 * value never breaches: the rule's `noData` mode decides what it does.
 * @module
 */
import type { PlannedRule, RuleState } from './plan.js';
import type { Check } from './rules.js';

/** The rule's state after each point. */
export function ruleStates(rule: Pick<PlannedRule, 'for' | 'keepFiringFor' | 'noData'>, values: ReadonlyArray<number | null>, checks: ReadonlyArray<Pick<Check, 'breach'>>): RuleState[] {
  let state: RuleState = 'normal';
  /** Consecutive breaches while pending. */
  let breaches = 0;
  /** Consecutive clean points while recovering. */
  let clean = 0;
  const breach = () => {
    if (state === 'alerting') return;
    if (state === 'recovering') {
      state = 'alerting';
      return;
    }
    breaches = state === 'pending' ? breaches + 1 : 1;
    state = breaches > rule.for ? 'alerting' : 'pending';
  };
  const ok = () => {
    if (state === 'alerting' || state === 'recovering') {
      clean = state === 'alerting' ? 1 : clean + 1;
      state = clean > rule.keepFiringFor ? 'normal' : 'recovering';
    } else state = 'normal';
  };
  return values.map((value, i) => {
    if (value !== null) {
      if (checks[i].breach) breach();
      else ok();
      return state;
    }
    switch (rule.noData) {
      case 'nodata':
        state = 'nodata';
        break;
      case 'alerting':
        breach();
        break;
      case 'ok':
        ok();
        break;
      case 'keep-last':
        // Firing stays firing; a pending rule whose `for` has run its course (this point would be
        // the (N+1)-th) fires; anything else is a clean point.
        if (state === 'alerting') break;
        if (state === 'pending' && breaches >= rule.for) state = 'alerting';
        else ok();
        break;
    }
    return state;
  });
}
