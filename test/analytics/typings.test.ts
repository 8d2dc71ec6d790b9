// The framework typings generated from custom-elements.json (dist/types/*, `npm run analyze`) and
// the React components of funnelkit/react, checked the way a user's compiler checks them: small
// TSX/TS files in test/fixtures/typings import them through the package's own name ('funnelkit/…',
// resolved by package.json `exports`) and are type-checked with the TypeScript API. Files with
// `// error: …` comments must fail on exactly those lines with those messages, the others compile.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { ensureBuilt, root } from '../fixtures/typings/build.js';

const fixtures = join(root, 'test/fixtures/typings');

const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  jsx: ts.JsxEmit.ReactJSX,
  lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
  strict: true,
  noEmit: true,
  // The generated typings are .d.ts files: they are checked too (only ours are asked for diagnostics).
  skipLibCheck: false,
  types: [],
  // vue is not installed: its two types come from a stand-in.
  paths: { vue: [join(fixtures, 'stubs/vue.d.ts')] },
};

let previous: ts.Program | undefined;

/** Diagnostics of one fixture, compiled on its own (a reference in one must not type another). */
function check(fixture: string) {
  const file = join(fixtures, fixture);
  const program = ts.createProgram([file], options, undefined, previous);
  previous = program;
  const ours = program.getSourceFiles().filter((sf) => sf.fileName === file || sf.fileName.startsWith(join(root, 'dist/types/')));
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...ours.flatMap((sf) => [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]),
  ];
  const found = diagnostics.map((d) => ({
    file: d.file?.fileName.slice(root.length + 1) ?? '(options)',
    line: d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0,
    message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
  }));
  return { found, typings: ours.filter((sf) => sf.fileName !== file).map((sf) => sf.fileName.slice(root.length + 1)) };
}

const format = (found: Array<{ file: string; line: number; message: string }>) => found.map((d) => `${d.file}:${d.line}: ${d.message}`).join('\n');

/** `// error: text` (or `{/* error: text *\/}`) on a line: that line must fail with a message containing text. */
function expectedErrors(fixture: string): Map<number, string> {
  const lines = readFileSync(join(fixtures, fixture), 'utf8').split('\n');
  const expected = new Map<number, string>();
  lines.forEach((line, i) => {
    const match = /(?:\/\/|\/\*) error: (.+?)(?: \*\/\})?$/.exec(line);
    if (match) expected.set(i + 1, match[1]);
  });
  return expected;
}

function assertFails(fixture: string) {
  const { found } = check(fixture);
  const expected = expectedErrors(fixture);
  assert.ok(expected.size > 0, `${fixture} has no "// error:" lines`);
  const file = `test/fixtures/typings/${fixture}`;
  const unexpected = found.filter((d) => d.file !== file || !expected.has(d.line));
  assert.deepEqual(unexpected, [], `errors that no "// error:" comment names:\n${format(unexpected)}`);
  for (const [line, text] of expected) {
    const onLine = found.filter((d) => d.line === line);
    assert.ok(
      onLine.some((d) => d.message.includes(text)),
      `${file}:${line} should fail with "${text}", got: ${onLine.length ? format(onLine) : 'no error'}`,
    );
  }
}

function assertCompiles(fixture: string, typings: string[]) {
  const result = check(fixture);
  assert.deepEqual(result.found, [], `${fixture} should compile:\n${format(result.found)}`);
  for (const file of typings) assert.ok(result.typings.includes(file), `${fixture} should be typed by ${file} (got ${result.typings.join(', ') || 'none'})`);
}

before(() => {
  ensureBuilt();
  // The fixtures find 'funnelkit' as an app finds it, in node_modules (a link to this package):
  // `/// <reference types="funnelkit/types/react" />` resolves there, not through the package's own name.
  const link = join(fixtures, 'node_modules/funnelkit');
  if (!existsSync(link)) {
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(root, link, 'junction');
  }
});

test('React 19 JSX: the raw tags, typed by `import type {} from "funnelkit/types/react"`, compile with contracts, attributes and on<event> props', () => {
  assertCompiles('react-jsx.tsx', ['dist/types/react.d.ts', 'dist/types/custom-elements-jsx.d.ts']);
});

test('React 19 JSX: a triple-slash reference to funnelkit/types/react is all a file needs', () => {
  assertCompiles('react-jsx-reference.tsx', ['dist/types/react.d.ts']);
});

test('funnelkit/react: the @lit/react components take typed contracts, properties, refs and camelCase event props', () => {
  assertCompiles('react-wrapper.tsx', []);
});

test('React: a wrong contract kind, attribute value or event detail is a type error, on the tags and on the components', () => {
  assertFails('react-errors.tsx');
});

test('the element classes: each widget\'s `contract` property is its own contract type', () => {
  assertFails('element.ts');
});

test('Svelte: funnelkit/types/svelte types the tags (Svelte 4 on:/bind: and Svelte 5 on<event>) in the global svelteHTML namespace', () => {
  assertFails('svelte.ts');
  const { typings } = check('svelte.ts');
  assert.ok(typings.includes('dist/types/svelte.d.ts'));
});

test('Vue: funnelkit/types/vue adds the tags to GlobalComponents, with typed contracts and onEvent handlers', () => {
  assertFails('vue.ts');
  const { typings } = check('vue.ts');
  assert.ok(typings.includes('dist/types/vue.d.ts'));
});

test('the generated typings name the contract types, never unknown or string, for `contract`', () => {
  const jsx = readFileSync(join(root, 'dist/types/custom-elements-jsx.d.ts'), 'utf8');
  for (const [tag, klass] of [['funnel-chart', 'FunnelChart'], ['cohort-chart', 'CohortChart'], ['anomaly-chart', 'AnomalyChart'], ['kpi-card', 'KpiCard'], ['kpi-grid', 'KpiGrid']]) {
    assert.match(jsx, new RegExp(`"${tag}": Partial<${klass}Props`), tag);
    assert.match(jsx, new RegExp(`contract\\?: ${klass}\\["contract"\\];`), `${tag}: contract typed from the class`);
  }
  assert.doesNotMatch(jsx, /contract\?: (unknown|string)/);
});
