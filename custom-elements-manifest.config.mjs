// `npm run analyze`: custom-elements.json from the JSDoc on the element classes.
export default {
  globs: ['src/elements/*.ts', 'src/*.ts'],
  exclude: ['src/**/*.styles.ts', 'src/elements/emit.ts', 'src/elements/define.ts', 'src/elements/tooltip.ts', 'src/elements/events.ts', 'src/elements/data-table.ts', 'src/elements/status-line.ts', 'src/elements/theme-tokens.ts', 'src/elements/style-props.ts', 'src/elements/roving-focus.ts'],
  outdir: '.',
  litelement: true,
};
