/**
 * The visually hidden table every widget keeps of what it draws: the chart itself is
 * `aria-hidden`, so this is what a screen reader reads.
 * @module
 */
import { html, type TemplateResult } from 'lit';

/** A visually hidden table of what is drawn, for screen readers. */
export interface DataTableModel {
  columns: string[];
  rows: Array<Array<string | number>>;
}

/** The table, captioned (by the widget's title, or a generic name without one). */
export function dataTable(model: DataTableModel, caption: string): TemplateResult {
  return html`
    <div class="visually-hidden"><table>
      <caption>${caption}</caption>
      <thead><tr>${model.columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
      <tbody>${model.rows.map((r) => html`<tr>${r.map((cell) => html`<td>${cell}</td>`)}</tr>`)}</tbody>
    </table></div>
  `;
}
