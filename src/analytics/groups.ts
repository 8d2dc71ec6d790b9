/**
 * Breakdown groups, shared by every kind: a value's key, and the ranking that keeps the largest
 * groups and merges the rest into one.
 * @module
 */

/** Name of the group that collects breakdown values beyond `limit`. */
export const OTHER = 'Other';

/** A breakdown value as a group key: missing is ``, numbers and booleans become strings. */
export function groupKey(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

/**
 * Groups ranked by `weight`, largest first (ties by name), the first `limit` kept and the rest
 * merged into {@link OTHER} (into a real group of that name, if there is one).
 */
export function topGroups<T>(groups: Map<string, T>, weight: (group: T) => number, limit: number, merge: (into: T | undefined, from: T) => T): Array<[string, T]> {
  const ranked = [...groups.entries()].sort((a, b) => weight(b[1]) - weight(a[1]) || a[0].localeCompare(b[0]));
  const kept = ranked.slice(0, limit);
  const rest = ranked.slice(limit);
  if (rest.length) {
    const at = kept.findIndex(([key]) => key === OTHER);
    let other = at >= 0 ? kept[at][1] : undefined;
    for (const [, group] of rest) other = merge(other, group);
    if (at >= 0) kept[at][1] = other!;
    else kept.push([OTHER, other!]);
  }
  return kept;
}
