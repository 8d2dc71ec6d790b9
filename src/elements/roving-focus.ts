/**
 * Roving tabindex for the buttons laid over a chart (funnel step labels, cohort cells): one tab
 * stop, arrow keys, Home and End move focus; Enter and Space click, as buttons do natively.
 * @module
 */
import type { ReactiveElement } from 'lit';

/** Where a key moves focus in a list of `count` items from `index`; undefined for other keys. */
export function listMove(key: string, index: number, count: number): number | undefined {
  const next = { ArrowRight: index + 1, ArrowDown: index + 1, ArrowLeft: index - 1, ArrowUp: index - 1, Home: 0, End: count - 1 }[key];
  return next === undefined ? undefined : Math.max(0, Math.min(count - 1, next));
}

/** A position in a grid whose rows may differ in length (some empty). */
export interface GridPosition {
  row: number;
  column: number;
}

/**
 * Where a key moves focus in a grid with `lengths[row]` items per row: left and right along the
 * row, up and down to the nearest row that has items (at the same column, or its last item),
 * Home and End to the row's first and last item, Ctrl+Home and Ctrl+End to the grid's first and
 * last. Undefined for other keys.
 */
export function gridMove(event: Pick<KeyboardEvent, 'key' | 'ctrlKey'>, at: GridPosition, lengths: number[]): GridPosition | undefined {
  const rows = lengths.map((n, row) => (n > 0 ? row : -1)).filter((row) => row >= 0);
  if (!rows.length) return undefined;
  const inRow = (row: number, column: number): GridPosition => ({ row, column: Math.max(0, Math.min(lengths[row] - 1, column)) });
  const step = (direction: 1 | -1) => {
    const next = direction > 0 ? rows.find((r) => r > at.row) : [...rows].reverse().find((r) => r < at.row);
    return inRow(next ?? at.row, at.column);
  };
  switch (event.key) {
    case 'ArrowLeft':
      return inRow(at.row, at.column - 1);
    case 'ArrowRight':
      return inRow(at.row, at.column + 1);
    case 'ArrowUp':
      return step(-1);
    case 'ArrowDown':
      return step(1);
    case 'Home':
      return event.ctrlKey ? inRow(rows[0], 0) : inRow(at.row, 0);
    case 'End':
      return event.ctrlKey ? inRow(rows[rows.length - 1], Infinity) : inRow(at.row, Infinity);
    default:
      return undefined;
  }
}

/** Focuses the element matching `selector` in the host's shadow root once its update has rendered. */
export function focusAfterUpdate(host: ReactiveElement & { renderRoot: ParentNode }, selector: string): void {
  void host.updateComplete.then(() => host.renderRoot.querySelector<HTMLElement>(selector)?.focus());
}
