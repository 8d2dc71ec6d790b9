/**
 * The presentation settings every widget story shares. A story arg wins; otherwise the toolbar
 * globals (theme, locale) from .storybook/preview.ts apply.
 */
import type { ArgTypes } from '@storybook/web-components-vite';

export interface WidgetArgs {
  /** Unset: the toolbar's theme. */
  theme?: 'light' | 'dark';
  /** Unset: the toolbar's locale. */
  locale?: 'en' | 'zh-CN';
  renderer?: 'svg' | 'canvas';
}

export const widgetArgTypes: Partial<ArgTypes<WidgetArgs>> = {
  theme: { control: 'inline-radio', options: ['light', 'dark'], description: '`theme` attribute; unset follows the toolbar' },
  locale: { control: 'inline-radio', options: ['en', 'zh-CN'], description: '`locale` property; unset follows the toolbar' },
  renderer: { control: 'inline-radio', options: ['svg', 'canvas'], description: '`renderer` attribute' },
};

export interface WidgetSettings {
  theme: 'light' | 'dark';
  locale: string;
  renderer: 'svg' | 'canvas';
}

/** The theme, locale and renderer in force for a story. */
export function widgetSettings(args: WidgetArgs, globals: Record<string, unknown>): WidgetSettings {
  return {
    theme: args.theme ?? (globals.theme === 'dark' ? 'dark' : 'light'),
    locale: args.locale ?? (typeof globals.locale === 'string' ? globals.locale : 'en'),
    renderer: args.renderer ?? 'svg',
  };
}

/** Applies the settings to an element built imperatively (inline-script and re-render stories). */
export function applySettings(element: HTMLElement & { locale?: string }, settings: WidgetSettings): void {
  element.setAttribute('theme', settings.theme);
  element.setAttribute('renderer', settings.renderer);
  element.locale = settings.locale;
}
