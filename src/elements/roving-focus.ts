/**
 * Roving tabindex for the buttons laid over a chart (funnel step labels, cohort cells): one tab
 * stop, arrow keys, Home and End move focus; Enter and Space click, as buttons do natively.
 * @module
 */
import { html, type ReactiveElement, type TemplateResult } from 'lit';
import { styleProps } from './style-props.js';

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

/** Where a chart mark is drawn, in the chart's CSS pixels. */
export interface MarkBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** What {@link markButton} lays over one mark. */
export interface MarkButton {
  part: string;
  box: MarkBox;
  row: number;
  column: number;
  /** This button takes Tab focus (roving tabindex). */
  focused: boolean;
  /** The accessible name: what the mark shows, in words. */
  name: string;
  click: () => void;
  keydown: (event: KeyboardEvent) => void;
}

/**
 * A button over a chart mark (a cohort cell, a breakdown bar), in a `.mark-buttons` group: the
 * keyboard's way to what a pointer clicks. The mark under it keeps the pointer.
 */
export function markButton(b: MarkButton): TemplateResult {
  const { box } = b;
  return html`<button
    part=${b.part}
    class="mark-button"
    type="button"
    data-row=${b.row}
    data-column=${b.column}
    tabindex=${b.focused ? 0 : -1}
    style=${styleProps({ left: `${box.left}px`, top: `${box.top}px`, width: `${box.width}px`, height: `${box.height}px` })}
    @click=${b.click}
    @keydown=${b.keydown}
  >
    <span class="visually-hidden">${b.name}</span>
  </button>`;
}
