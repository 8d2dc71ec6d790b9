import type { ThemeTokens } from './theme.js';

/** What every spec builder is told about where it draws. */
export interface SpecContext {
  /** Chart box in CSS pixels. */
  width: number;
  height: number;
  /** Canonical BCP 47 locale for labels and number formats. */
  locale: string;
  /** Theme colours, for marks that need a specific token (alerts, ghosts). */
  tokens: ThemeTokens;
}
