// custom-elements.json, as built by `npm run analyze`, must be complete and true to the package
// as published: Storybook's docs, the framework typings and the IDE data are all made from it.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { ensureBuilt, root } from '../fixtures/typings/build.js';

interface Typed {
  name: string;
  type?: { text: string };
  description?: string;
  default?: string;
  privacy?: string;
  kind?: string;
  fieldName?: string;
}
interface Declaration {
  kind: string;
  name: string;
  tagName?: string;
  customElement?: boolean;
  members?: Typed[];
  attributes?: Typed[];
  events?: Typed[];
  slots?: Typed[];
  cssProperties?: Typed[];
  cssParts?: Typed[];
}
interface Module {
  path: string;
  declarations?: Declaration[];
  exports?: Array<{ kind: string; name: string; declaration: { name: string; module?: string } }>;
}

const TAGS: Record<string, string> = {
  'funnel-chart': 'FunnelContract',
  'cohort-chart': 'CohortContract',
  'anomaly-chart': 'AnomalyContract',
  'kpi-card': 'KpiContract',
  'kpi-grid': 'KpiContract',
};

let manifest: { modules: Module[] };
let declarations: Declaration[];
let elements: Declaration[];

before(() => {
  ensureBuilt();
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  manifest = JSON.parse(readFileSync(join(root, pkg.customElements), 'utf8'));
  declarations = manifest.modules.flatMap((m) => m.declarations ?? []);
  elements = declarations.filter((d) => d.customElement && d.tagName);
});

const element = (tag: string) => {
  const found = elements.find((d) => d.tagName === tag);
  assert.ok(found, `<${tag}> is in custom-elements.json`);
  return found;
};

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(`${dir}/${e.name}`) : /\.ts$/.test(e.name) && !e.name.endsWith('.d.ts') ? [`${dir}/${e.name}`] : [],
  );
}

test('the five widgets are in the manifest, each defined by its registration module and the index', () => {
  assert.deepEqual(elements.map((d) => d.tagName).sort(), Object.keys(TAGS).sort());
  for (const tag of Object.keys(TAGS)) {
    for (const path of [`dist/${tag}.js`, 'dist/index.js']) {
      const definition = manifest.modules.find((m) => m.path === path)?.exports?.find((e) => e.kind === 'custom-element-definition' && e.name === tag);
      assert.ok(definition, `${path} defines <${tag}>`);
      assert.equal(definition.declaration.name, element(tag).name);
    }
  }
});

test('no private or protected member, and none named _x or #x', () => {
  const hidden = declarations.flatMap((d) =>
    (d.members ?? []).filter((m) => m.privacy === 'private' || m.privacy === 'protected' || /^[_#]/.test(m.name)).map((m) => `${d.name}.${m.name} (${m.privacy ?? 'public'})`),
  );
  assert.deepEqual(hidden, []);
});

test('every event names its type, CustomEvent<Detail> with a Detail the package exports, as the element fires it', () => {
  // The detail types the package exports, from its index.
  const program = ts.createProgram([join(root, 'src/index.ts')], { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2022, noEmit: true, types: [] });
  const checker = program.getTypeChecker();
  const exported = new Set(checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(join(root, 'src/index.ts'))!)!).map((s) => s.name));

  const events = new Map<string, string>();
  for (const d of elements) {
    for (const event of d.events ?? []) {
      const text = event.type?.text;
      assert.ok(text, `${d.tagName}: event ${event.name} has no type`);
      const detail = /^CustomEvent<(\w+)>$/.exec(text)?.[1];
      assert.ok(detail, `${d.tagName}: event ${event.name} type ${text} is not CustomEvent<Detail>`);
      assert.ok(exported.has(detail), `${d.tagName}: ${detail} (detail of ${event.name}) is not exported from funnelkit`);
      assert.ok(event.description, `${d.tagName}: event ${event.name} has no description`);
      events.set(event.name, detail);
    }
  }
  // Every event the source fires is documented, with the detail type it is fired with.
  for (const file of sourceFiles('src/elements')) {
    for (const [, detail, name] of readFileSync(join(root, file), 'utf8').matchAll(/\bemit(?:<(\w+)>)?\(this, '([\w-]+)'/g)) {
      assert.ok(events.has(name), `${file} fires ${name}, which no element's @fires documents`);
      if (detail) assert.equal(events.get(name), detail, `${name}: fired with ${detail} in ${file}`);
    }
  }
});

test('attribute and property types are spelled out: no type alias of the source (DrawMode, FunnelView…) left unexpanded', () => {
  const aliases = new Set<string>();
  for (const file of sourceFiles('src')) {
    const source = ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.ES2022);
    source.forEachChild(function visit(node) {
      if (ts.isTypeAliasDeclaration(node)) aliases.add(node.name.text);
      node.forEachChild(visit);
    });
  }
  assert.ok(aliases.has('WidgetState') && aliases.has('DrawMode'), 'the alias scan works');
  const problems: string[] = [];
  for (const d of declarations) {
    const typed = [...(d.attributes ?? []).map((a) => ['attribute', a] as const), ...(d.members ?? []).filter((m) => m.kind === 'field').map((m) => ['property', m] as const)];
    for (const [what, item] of typed) {
      const text = item.type?.text;
      if (!text) {
        if (what === 'attribute') problems.push(`${d.name}: attribute ${item.name} has no type`);
        continue;
      }
      const unexpanded = (text.replace(/'[^']*'|"[^"]*"/g, '').match(/\b[A-Za-z_]\w*\b/g) ?? []).filter((word) => aliases.has(word));
      if (unexpanded.length) problems.push(`${d.name}: ${what} ${item.name} is typed ${text} (${unexpanded.join(', ')} unexpanded)`);
    }
  }
  assert.deepEqual(problems, []);
  // What the expansion gives, e.g.:
  const state = element('funnel-chart').attributes?.find((a) => a.name === 'state');
  assert.equal(state?.type?.text, "'idle' | 'loading' | 'empty' | 'error' | 'ready'");
  assert.equal(element('funnel-chart').attributes?.find((a) => a.name === 'view')?.type?.text, "'steps' | 'time-to-convert' | 'trends'");
});

test("each widget's contract property is typed with its own contract type", () => {
  for (const [tag, contract] of Object.entries(TAGS)) {
    assert.equal(element(tag).members?.find((m) => m.name === 'contract')?.type?.text, `${contract} | undefined`, tag);
  }
});

test('every CSS custom property has a default and a description', () => {
  const missing = elements.flatMap((d) => (d.cssProperties ?? []).filter((p) => !p.default || !p.description).map((p) => `${d.tagName} ${p.name}`));
  assert.deepEqual(missing, []);
  assert.equal(element('funnel-chart').cssProperties?.find((p) => p.name === '--fk-color-accent')?.default, '#3e63dd');
  assert.equal(element('kpi-card').cssProperties?.find((p) => p.name === '--fk-height')?.default, '44px', 'the KPI cards override the base default');
});

test('every widget documents the inline <script type="application/json"> contract as its default slot', () => {
  for (const tag of Object.keys(TAGS)) {
    const slot = element(tag).slots?.find((s) => s.name === '');
    assert.ok(slot, `<${tag}> has a default slot`);
    assert.match(slot.description ?? '', /<script type="application\/json">/, tag);
  }
});

test('every attribute, property, event and part has a description', () => {
  const missing = elements.flatMap((d) =>
    [...(d.attributes ?? []), ...(d.members ?? []), ...(d.events ?? []), ...(d.cssParts ?? [])].filter((x) => !x.description).map((x) => `${d.tagName} ${x.name}`),
  );
  assert.deepEqual(missing, []);
});

test('module paths point at files of the packed package (dist/*.js), never at src/*.ts', () => {
  const [pack] = JSON.parse(execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  const packed = new Set<string>(pack.files.map((f: { path: string }) => f.path));
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  assert.ok(packed.has(pkg.customElements), `${pkg.customElements} is packed`);

  const problems: string[] = [];
  for (const mod of manifest.modules) {
    if (!/^dist\/.+\.js$/.test(mod.path) || !packed.has(mod.path)) problems.push(`module path ${mod.path}`);
  }
  // Every reference to a module (exports, superclasses, inheritedFrom…): a packed .js or its .d.ts.
  (function walk(node: unknown, where: string): void {
    if (Array.isArray(node)) return node.forEach((item) => walk(item, where));
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'module' && typeof value === 'string') {
        if (!(packed.has(value) || packed.has(value.replace(/\.js$/, '.d.ts'))) || !value.startsWith('dist/')) problems.push(`${where}: module ${value}`);
      } else walk(value, key === 'path' ? String(value) : where);
    }
  })(manifest.modules, '');
  assert.deepEqual(problems, []);
});

test('the IDE data and framework typings made from the manifest are packed, and package.json points at them', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  assert.equal(pkg['web-types'], './dist/web-types.json');
  assert.deepEqual(pkg.exports['./types/react'], { types: './dist/types/react.d.ts' });
  assert.deepEqual(pkg.exports['./types/vue'], { types: './dist/types/vue.d.ts' });
  assert.deepEqual(pkg.exports['./types/svelte'], { types: './dist/types/svelte.d.ts' });
  assert.deepEqual(pkg.exports['./react'], { types: './dist/react.d.ts', default: './dist/react.js' });

  const webTypes = JSON.parse(readFileSync(join(root, 'dist/web-types.json'), 'utf8'));
  const funnel = webTypes.contributions.html.elements.find((e: { name: string }) => e.name === 'funnel-chart');
  assert.deepEqual(funnel.source, { symbol: 'FunnelChart', module: 'funnelkit/funnel-chart.js' });
  assert.equal(funnel.attributes.find((a: { name: string }) => a.name === 'view').value.type, "'steps' | 'time-to-convert' | 'trends'");

  const vscode = JSON.parse(readFileSync(join(root, 'dist/vscode.html-custom-data.json'), 'utf8'));
  const view = vscode.tags.find((t: { name: string }) => t.name === 'funnel-chart').attributes.find((a: { name: string }) => a.name === 'view');
  assert.deepEqual(view.values.map((v: { name: string }) => v.name), ['steps', 'time-to-convert', 'trends']);
});
