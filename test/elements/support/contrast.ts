/**
 * Contrast of the text Vega draws inside a widget's SVG, which axe cannot check: for each visible
 * `<text>`, its fill against what is painted beneath its middle (the marks under it, composited
 * with their opacities, down to the first opaque background), by WCAG 2's formula.
 * @module
 */

/** An RGBA colour, channels 0–255, alpha 0–1. */
type Rgba = [number, number, number, number];

/** One text drawn below the contrast WCAG AA asks of it. */
export interface ContrastFailure {
  text: string;
  ratio: number;
  needed: number;
  fg: string;
  bg: string;
}

const ctx = document.createElement('canvas').getContext('2d', { willReadFrequently: true })!;

/** Any CSS colour as RGBA, through a canvas (so `#abc`, `hsl()`, names and `color-mix` all work). */
export function parseColor(css: string): Rgba | null {
  if (!css || css === 'none' || css === 'transparent') return null;
  ctx.clearRect(0, 0, 1, 1);
  ctx.fillStyle = '#000';
  ctx.fillStyle = css;
  ctx.fillRect(0, 0, 1, 1);
  const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
  return [r, g, b, a / 255];
}

const channel = (c: number) => {
  const s = c / 255;
  return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
};
const luminance = ([r, g, b]: Rgba) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);

/** WCAG 2 contrast ratio of two opaque colours. */
export function contrastRatio(a: Rgba, b: Rgba): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** `top` painted over opaque `bottom`. */
function over(top: Rgba, bottom: Rgba): Rgba {
  const a = top[3];
  return [top[0] * a + bottom[0] * (1 - a), top[1] * a + bottom[1] * (1 - a), top[2] * a + bottom[2] * (1 - a), 1];
}

/** The product of `opacity` up the SVG tree (Vega sets it on groups and marks). */
function inheritedOpacity(el: Element): number {
  let o = 1;
  for (let n: Element | null = el; n && n instanceof SVGElement; n = n.parentElement) o *= Number(getComputedStyle(n).opacity || 1);
  return o;
}

/** The colour an element paints at a point: an SVG shape's fill, an HTML box's background. */
function paint(el: Element): Rgba | null {
  const style = getComputedStyle(el);
  if (el instanceof SVGElement) {
    if (el instanceof SVGTextElement || el instanceof SVGTSpanElement || el instanceof SVGGElement || el instanceof SVGSVGElement) return null;
    if (style.visibility === 'hidden') return null;
    const fill = parseColor(style.fill);
    if (!fill) return null;
    return [fill[0], fill[1], fill[2], fill[3] * Number(style.fillOpacity || 1) * inheritedOpacity(el)];
  }
  return parseColor(style.backgroundColor);
}

/** What is painted under the middle of `text`, composited down to the first opaque layer (else white). */
function backdrop(text: SVGTextElement): Rgba {
  const root = text.getRootNode() as Document | ShadowRoot;
  const box = text.getBoundingClientRect();
  const stack = root.elementsFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  const layers: Rgba[] = [];
  for (const el of stack) {
    const color = paint(el);
    if (!color || color[3] === 0) continue;
    layers.push(color);
    if (color[3] >= 1) break;
  }
  let result: Rgba = [255, 255, 255, 1];
  if (layers.length && layers[layers.length - 1][3] >= 1) result = layers.pop()!;
  for (const layer of layers.reverse()) result = over(layer, result);
  return result;
}

/** WCAG's large text: 24 px, or 18.66 px bold. */
function isLarge(style: CSSStyleDeclaration): boolean {
  const size = parseFloat(style.fontSize);
  return size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
}

const css = ([r, g, b, a]: Rgba) => `rgba(${r},${g},${b},${+a.toFixed(2)})`;

/**
 * Every visible SVG text under `root` (and the open shadow roots inside it) below AA: 4.5:1, or
 * 3:1 for large text. Hit-testing needs every mark to take pointer events, so they are turned on
 * for the check.
 */
export function svgTextContrast(root: ParentNode): ContrastFailure[] {
  const failures: ContrastFailure[] = [];
  for (const svg of deepQuery(root, 'svg')) {
    const shadow = svg.getRootNode() as Document | ShadowRoot;
    const force = document.createElement('style');
    force.textContent = 'svg * { pointer-events: visiblePainted !important; }';
    (shadow instanceof ShadowRoot ? shadow : document.head).append(force);
    try {
      for (const text of svg.querySelectorAll('text')) {
        const words = text.textContent?.trim();
        const style = getComputedStyle(text);
        let box = text.getBoundingClientRect();
        if (box.bottom > innerHeight || box.top < 0 || box.right > innerWidth || box.left < 0) {
          // Hit-testing sees only what is in the viewport (a tall heatmap runs past it).
          text.scrollIntoView({ block: 'center', inline: 'center' });
          box = text.getBoundingClientRect();
        }
        if (!words || box.width === 0 || style.visibility === 'hidden' || style.display === 'none') continue;
        const fill = parseColor(style.fill);
        if (!fill) continue;
        const alpha = fill[3] * Number(style.fillOpacity || 1) * inheritedOpacity(text);
        if (alpha === 0) continue;
        const bg = backdrop(text);
        const fg = over([fill[0], fill[1], fill[2], alpha], bg);
        const ratio = contrastRatio(fg, bg);
        const needed = isLarge(style) ? 3 : 4.5;
        if (ratio < needed - 0.005) failures.push({ text: words, ratio: +ratio.toFixed(2), needed, fg: css(fg), bg: css(bg) });
      }
    } finally {
      force.remove();
    }
  }
  return failures;
}

/** `selector` matches under `root`, through open shadow roots. */
export function deepQuery(root: ParentNode, selector: string): Element[] {
  const found: Element[] = [...root.querySelectorAll(selector)];
  for (const el of root.querySelectorAll('*')) if (el.shadowRoot) found.push(...deepQuery(el.shadowRoot, selector));
  return found;
}
