/**
 * What the widgets' export shares: the CSV of the data table, an SVG of the KPI cards, an SVG
 * rasterised to PNG, a canvas to a PNG blob, the download file name and the download itself.
 * No Lit, no Vega: plain text and DOM APIs. Text from data is escaped, never parsed as markup.
 * @module
 */
import type { DataTableModel } from './data-table.js';
import { sparklinePaths } from './sparkline.js';

/** The byte-order mark that makes Excel read a CSV as UTF-8 (Chinese text stays readable). */
export const CSV_BOM = '\uFEFF';

/** One CSV field, quoted as RFC 4180 says when it holds a quote, a comma or a line break. */
export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The table as CSV: a UTF-8 BOM, the header row, then the rows, each line ended by CRLF. */
export function csvText(model: DataTableModel): string {
  const lines = [model.columns, ...model.rows].map((row) => row.map(csvField).join(','));
  return CSV_BOM + lines.map((line) => `${line}\r\n`).join('');
}

/** Text made safe inside SVG/XML text and attribute values. */
export function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** `YYYY-MM-DD` of `date` in local time. */
export function isoDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/**
 * A download file name: `${stem}-${YYYY-MM-DD}.${extension}`, with the characters no file system
 * takes (`\ / : * ? " < > |`, control characters) stripped from the stem; `fallback` when
 * nothing is left of it.
 */
export function exportFileName(stem: string | undefined, fallback: string, extension: string, date = new Date()): string {
  const clean = (text: string) =>
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\\/:*?"<>|\u0000-\u001f\u007f]/g, '')
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/^\.+|\.+$/g, '');
  const name = clean(stem ?? '') || clean(fallback) || 'export';
  return `${name}-${isoDay(date)}.${extension}`;
}

/** The canvas as a PNG blob. */
export function canvasToPng(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('FunnelKit export: the canvas could not be encoded as PNG'))), 'image/png'),
  );
}

/** The size an SVG document declares (its `width` and `height`, else its `viewBox`). */
function svgSize(svgText: string): { width: number; height: number } {
  const root = new DOMParser().parseFromString(svgText, 'image/svg+xml').documentElement;
  const box = (root.getAttribute('viewBox') ?? '').split(/[\s,]+/).map(Number);
  const width = parseFloat(root.getAttribute('width') ?? '') || box[2] || 300;
  const height = parseFloat(root.getAttribute('height') ?? '') || box[3] || 150;
  return { width, height };
}

/** An SVG document drawn into a canvas `scale` times its size, as a PNG blob. */
export async function svgToPng(svgText: string, scale = 2): Promise<Blob> {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`FunnelKit export: the PNG scale must be a positive number, not ${scale}`);
  const { width, height } = svgSize(svgText);
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgText)}`;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const context = canvas.getContext('2d');
  if (!context) throw new Error('FunnelKit export: no 2D canvas to draw the PNG on');
  context.scale(scale, scale);
  context.drawImage(image, 0, 0, width, height);
  return canvasToPng(canvas);
}

/** A line of text added to an exported SVG, in the SVG's own pixels. */
export interface SvgLabel {
  x: number;
  y: number;
  text: string;
  anchor: 'start' | 'middle' | 'end';
  color: string;
  size: number;
  weight?: number;
}

/**
 * The SVG with `labels` drawn over it as `<text>` (escaped): what a widget lays over its chart in
 * HTML (the funnel's step names) put into the exported picture.
 */
export function svgWithLabels(svgText: string, labels: readonly SvgLabel[], font: string): string {
  const texts = labels.map(
    (l) =>
      `<text x="${round(l.x)}" y="${round(l.y)}" text-anchor="${l.anchor}" dominant-baseline="middle" fill="${xmlEscape(l.color)}" font-size="${l.size}" font-weight="${l.weight ?? 400}">${xmlEscape(l.text)}</text>`,
  );
  return svgText.replace(/<\/svg>\s*$/, `<g font-family="${xmlEscape(font)}">${texts.join('')}</g></svg>`);
}

/** Saves `content` as a file named `name` through an `<a download>`. */
export function download(content: Blob, name: string): void {
  const url = URL.createObjectURL(content);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = name;
  anchor.rel = 'noopener';
  anchor.click();
  // The browser reads the blob after the click returns: release it a while later.
  setTimeout(() => URL.revokeObjectURL(url), 40_000);
}

/** One KPI card as the export draws it: its words already formatted in the widget's locale. */
export interface KpiCardFigures {
  label: string;
  value: string;
  /** The change badge ("▲ +181.8%") or the "no comparison" words. */
  change: string;
  tone: 'good' | 'bad' | 'neutral' | 'none';
  /** What the change is against, with the previous figure, if any. */
  comparison: string | null;
  sparkline: ReadonlyArray<number | null>;
}

/** The colours and font of the exported cards: the widget's resolved theme tokens. */
export interface KpiSvgTheme {
  background: string;
  text: string;
  muted: string;
  grid: string;
  accent: string;
  good: string;
  bad: string;
  font: string;
}

const CARD_WIDTH = 240;
const CARD_HEIGHT = 140;
const GAP = 12;
const COLUMNS = 4;

/**
 * The KPI cards as one standalone SVG document: per card its label, figure, change and
 * comparison as `<text>`, and the sparkline as a `<polyline>` per run of periods with a value.
 */
export function kpiSvg(cards: readonly KpiCardFigures[], theme: KpiSvgTheme, title?: string): string {
  const columns = Math.max(1, Math.min(COLUMNS, cards.length));
  const rows = Math.max(1, Math.ceil(cards.length / columns));
  const top = title ? 36 : 0;
  const width = columns * CARD_WIDTH + (columns + 1) * GAP;
  const height = top + rows * CARD_HEIGHT + (rows + 1) * GAP;
  const color = (tone: KpiCardFigures['tone']) => (tone === 'good' ? theme.good : tone === 'bad' ? theme.bad : theme.muted);
  const parts = cards.map((card, i) => {
    const x = GAP + (i % columns) * (CARD_WIDTH + GAP);
    const y = top + GAP + Math.floor(i / columns) * (CARD_HEIGHT + GAP);
    const lines = sparklinePoints(card.sparkline, CARD_WIDTH - 32, 34)
      .map((points) => `<polyline class="sparkline" points="${points}" fill="none" stroke="${xmlEscape(theme.accent)}" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>`)
      .join('');
    return `<g class="kpi" transform="translate(${x} ${y})">` +
      `<rect width="${CARD_WIDTH}" height="${CARD_HEIGHT}" rx="8" fill="${xmlEscape(theme.background)}" stroke="${xmlEscape(theme.grid)}"/>` +
      `<text class="label" x="16" y="26" font-size="13" fill="${xmlEscape(theme.muted)}">${xmlEscape(card.label)}</text>` +
      `<text class="value" x="16" y="60" font-size="28" font-weight="650" fill="${xmlEscape(theme.text)}">${xmlEscape(card.value)}</text>` +
      `<text class="change" x="16" y="80" font-size="12" fill="${xmlEscape(color(card.tone))}">${xmlEscape(card.change)}` +
      (card.comparison ? `<tspan fill="${xmlEscape(theme.muted)}"> ${xmlEscape(card.comparison)}</tspan>` : '') +
      `</text>` +
      (lines ? `<g transform="translate(16 94)">${lines}</g>` : '') +
      `</g>`;
  });
  const heading = title ? `<text class="title" x="${GAP}" y="26" font-size="16" font-weight="600" fill="${xmlEscape(theme.text)}">${xmlEscape(title)}</text>` : '';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${xmlEscape(theme.font)}">` +
    `<rect width="100%" height="100%" fill="${xmlEscape(theme.background)}"/>${heading}${parts.join('')}</svg>`
  );
}

/** The sparkline as polyline point lists in a `width` × `height` box, one per run of values. */
function sparklinePoints(values: ReadonlyArray<number | null>, width: number, height: number): string[] {
  const paths = sparklinePaths(values);
  if (!paths) return [];
  // The sparkline's own paths are in a 100 × 40 box: "M x,y L x,y … (h0)" per run.
  return paths.line
    .split('M')
    .filter(Boolean)
    .map((run) => {
      const points = run.replace(/h0$/, '').split('L').map((p) => p.split(',').map(Number) as [number, number]);
      if (points.length === 1) points.push([points[0][0] + 0.01, points[0][1]]);
      return points.map(([px, py]) => `${round((px / 100) * width)},${round((py / 40) * height)}`).join(' ');
    });
}

const round = (x: number) => String(Math.round(x * 100) / 100);
