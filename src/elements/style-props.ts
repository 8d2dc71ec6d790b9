/**
 * `style=${styleProps({...})}`: inline styles set through CSSOM (`style.setProperty`) only, which a
 * Content-Security-Policy with `style-src 'self'` (no `'unsafe-inline'`) allows. Lit's `styleMap`
 * would not do: its first render writes the `style` attribute as a string, which that policy
 * blocks (lit/lit#4719).
 * @module
 */
import { noChange, type AttributePart } from 'lit';
import { Directive, directive, PartType, type PartInfo } from 'lit/directive.js';

/** CSS property names as in CSS (`min-height`, `--lines`) to values; null or undefined removes one. */
export type StyleProps = Readonly<Record<string, string | number | null | undefined>>;

class StylePropsDirective extends Directive {
  /** The properties this binding set, to remove those a later render leaves out. */
  private readonly names = new Set<string>();

  constructor(info: PartInfo) {
    super(info);
    if (info.type !== PartType.ATTRIBUTE || info.name !== 'style' || (info.strings?.length ?? 0) > 2) {
      throw new Error('styleProps must be the whole value of a `style` attribute');
    }
  }

  // Never a string: the attribute stays unwritten, even on the first render.
  render(_props: StyleProps): typeof noChange {
    return noChange;
  }

  override update(part: AttributePart, [props]: [StyleProps]): typeof noChange {
    const { style } = part.element as HTMLElement;
    for (const name of this.names) {
      if (props[name] != null) continue;
      style.removeProperty(name);
      this.names.delete(name);
    }
    for (const [name, value] of Object.entries(props)) {
      if (value == null) continue;
      style.setProperty(name, String(value));
      this.names.add(name);
    }
    return noChange;
  }
}

export const styleProps = directive(StylePropsDirective);
