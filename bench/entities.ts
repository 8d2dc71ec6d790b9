/**
 * Shared by the reference implementations: entity ids as dense ints, and per-entity typed arrays
 * that grow as ids turn up.
 * @module
 */

/** Ints 0, 1, 2, … for entity ids in order of first appearance; a missing id (null, undefined, ``) is -1. */
export class EntityInts {
  private readonly idOf = new Map<unknown, number>();
  count = 0;

  of(id: unknown): number {
    if (id === null || id === undefined || id === '') return -1;
    let e = this.idOf.get(id);
    if (e === undefined) this.idOf.set(id, (e = this.count++));
    return e;
  }
}

/** `array` if `index` is inside it, else a copy at least twice as long, new slots set to `fill`. */
export function withRoom<A extends Int32Array | Float64Array>(array: A, index: number, fill = 0): A {
  if (index < array.length) return array;
  const grown = new (array.constructor as new (length: number) => A)(Math.max(array.length * 2, index + 1));
  if (fill !== 0) grown.fill(fill);
  grown.set(array);
  return grown;
}
