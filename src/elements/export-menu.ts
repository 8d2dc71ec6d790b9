/**
 * The optional "Export" menu (`export-menu` attribute): a disclosure button that opens three
 * buttons, PNG, SVG and CSV, each downloading what the widget shows. Escape or leaving the menu
 * closes it; Escape gives the focus back to the button.
 * @module
 */
import { css, html, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { message } from '../specs/messages.js';
import { download } from './export.js';

export type ExportFormat = 'png' | 'svg' | 'csv';

/** What the menu needs of its widget. */
export interface ExportHost extends ReactiveControllerHost, HTMLElement {
  readonly renderRoot: ParentNode;
  toPNG(scale?: number): Promise<Blob>;
  toSVG(): Promise<string>;
  toCSV(): string;
  /** The file name for a download in `format`. */
  exportFileName(format: ExportFormat): string;
}

const LABELS = { png: 'exportPng', svg: 'exportSvg', csv: 'exportCsv' } as const;

let ids = 0;

export class ExportMenu implements ReactiveController {
  private open = false;
  private readonly id = `fk-export-${++ids}`;

  constructor(private readonly host: ExportHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.open = false;
  }

  /** The file of `format`, downloaded. Rejects with the widget's reason (nothing shown yet…). */
  async save(format: ExportFormat): Promise<void> {
    const host = this.host;
    const blob =
      format === 'png'
        ? await host.toPNG()
        : format === 'svg'
          ? new Blob([await host.toSVG()], { type: 'image/svg+xml;charset=utf-8' })
          : new Blob([host.toCSV()], { type: 'text/csv;charset=utf-8' });
    download(blob, host.exportFileName(format));
  }

  private toggle(): void {
    this.open = !this.open;
    this.host.requestUpdate();
    if (this.open) {
      void this.host.updateComplete.then(() => this.host.renderRoot.querySelector<HTMLElement>('[part~="export-item"]')?.focus());
    }
  }

  private close(focusButton: boolean): void {
    if (!this.open) return;
    this.open = false;
    this.host.requestUpdate();
    if (focusButton) this.host.renderRoot.querySelector<HTMLElement>('[part~="export-menu"]')?.focus();
  }

  private pick(format: ExportFormat): void {
    this.close(true);
    this.save(format).catch((error: unknown) => console.error(error));
  }

  private keydown(event: KeyboardEvent): void {
    if (event.key === 'Escape' && this.open) {
      event.stopPropagation();
      this.close(true);
    }
  }

  private focusout(event: FocusEvent): void {
    const next = event.relatedTarget as Node | null;
    if (next && (event.currentTarget as Node).contains(next)) return;
    // Focus left the menu (a click elsewhere, Tab out): it closes, the focus goes where it went.
    this.close(false);
  }

  /** The menu, in `locale`. */
  render(locale: string): TemplateResult {
    return html`<div class="export" @keydown=${(e: KeyboardEvent) => this.keydown(e)} @focusout=${(e: FocusEvent) => this.focusout(e)}>
      <button type="button" part="export-menu" aria-expanded=${this.open ? 'true' : 'false'} aria-controls=${this.id} @click=${() => this.toggle()}>
        ${message('exportMenu', locale)}
      </button>
      <div id=${this.id} class="export-items" role="group" aria-label=${message('exportMenu', locale)} ?hidden=${!this.open}>
        ${(['png', 'svg', 'csv'] as const).map(
          (format) => html`<button type="button" part="export-item" data-format=${format} @click=${() => this.pick(format)}>${message(LABELS[format], locale)}</button>`,
        )}
      </div>
    </div>`;
  }
}

/** The menu's styles, in the widget's tokens. */
export const exportMenuStyles = css`
  .export {
    position: relative;
    align-self: flex-end;
    display: flex;
    justify-content: flex-end;
  }
  .export button {
    font: inherit;
    font-size: 12px;
    color: var(--_fk-color-text);
    background: var(--_fk-color-background);
    border: 1px solid var(--_fk-color-grid);
    border-radius: 4px;
    padding: 2px 8px;
    cursor: pointer;
  }
  .export button:hover {
    border-color: var(--_fk-color-muted);
  }
  .export button:focus-visible {
    outline: 2px solid var(--_fk-color-accent);
    outline-offset: 2px;
  }
  .export-items {
    position: absolute;
    right: 0;
    bottom: calc(100% + 4px);
    z-index: 2;
    display: flex;
    flex-direction: column;
    gap: 2px;
    padding: 4px;
    background: var(--_fk-color-background);
    border: 1px solid var(--_fk-color-grid);
    border-radius: 6px;
    box-shadow: 0 2px 8px rgb(0 0 0 / 0.15);
    white-space: nowrap;
  }
  .export-items[hidden] {
    display: none;
  }
  .export-items button {
    border-color: transparent;
    text-align: start;
  }
`;
