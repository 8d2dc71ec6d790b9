// `npm run analyze` (run by `npm run build` after rollup and tsc): custom-elements.json from the
// JSDoc on the element classes, then the framework and IDE data generated from it:
//
//   custom-elements.json                      the manifest (package.json `customElements`)
//   dist/types/react.d.ts                     React 19 JSX IntrinsicElements   (funnelkit/types/react)
//   dist/types/vue.d.ts                       Vue 3 GlobalComponents           (funnelkit/types/vue)
//   dist/types/svelte.d.ts                    svelteHTML IntrinsicElements     (funnelkit/types/svelte)
//   dist/vscode.html-custom-data.json         VS Code html.customData (and vscode.css-custom-data.json)
//   dist/web-types.json                       JetBrains web-types (package.json `web-types`)
//
// The analyzer reads src/*.ts; the manifest describes the package as published. The plugins
// below make it true to that package: only its public API (no private or protected members, no
// internal helpers, no type-only "exports"), every type as the TypeScript checker sees it on each
// element (a widget's `contract` is its own contract type, aliases such as `FunnelView` spelled
// out as their literal unions), and every path pointing at dist/*.js, not src/*.ts.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { customElementJsxPlugin } from 'custom-element-jsx-integration';
import { customElementVuejsPlugin } from 'custom-element-vuejs-integration';
import { customElementSveltePlugin } from 'custom-element-svelte-integration';
import { customElementVsCodePlugin } from 'custom-element-vs-code-integration';
import { customElementJetBrainsPlugin } from 'custom-element-jet-brains-integration';

const root = process.cwd();
const TYPES_DIR = 'dist/types';
/** Where the generated typings import the element classes and event details from (dist/index.d.ts). */
const TYPES_FROM = '../index.js';

/** The package's entry points whose exports are its public API: index and one module per tag. */
const isEntry = (file) => /^src\/[^/]+\.ts$/.test(file) && file !== 'src/react.ts';

/** src/elements/funnel-chart.ts, ./events.js (from src/elements/x.ts), /src/a.js → dist/….js */
function toDist(specifier, fromModule) {
  let p = specifier.replace(/\\/g, '/');
  if (p.startsWith('./') || p.startsWith('../')) p = path.posix.join(path.posix.dirname(fromModule), p);
  p = p.replace(/^\/+/, '').replace(/^\.\//, '');
  return p.replace(/^src\//, 'dist/').replace(/\.(ts|mts)$/, '.js');
}

/** The TypeScript program over the package's entry points, for types as the checker sees them. */
function createChecker() {
  const configFile = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
  const entries = fs
    .readdirSync(path.join(root, 'src'))
    .filter((name) => isEntry(`src/${name}`))
    .map((name) => path.join(root, 'src', name));
  const program = ts.createProgram(entries, { ...options, noEmit: true, types: [] });
  return { program, checker: program.getTypeChecker(), entries };
}

const FORMAT = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType;

/**
 * The members of a declared type in the order the source writes them, through aliases:
 * `FunnelMetric` (`'count' | 'first' | 'previous'`) → ['count', 'first', 'previous'] as printed.
 */
function sourceOrder(checker, node, at, out = [], seen = new Set()) {
  if (!node) return out;
  if (ts.isUnionTypeNode(node)) node.types.forEach((t) => sourceOrder(checker, t, at, out, seen));
  else if (ts.isParenthesizedTypeNode(node)) sourceOrder(checker, node.type, at, out, seen);
  else if (ts.isTypeReferenceNode(node)) {
    const symbol = resolveAlias(checker, checker.getSymbolAtLocation(node.typeName));
    const alias = symbol?.declarations?.find(ts.isTypeAliasDeclaration);
    if (alias && !seen.has(alias)) {
      seen.add(alias);
      sourceOrder(checker, alias.type, at, out, seen);
    } else out.push(checker.typeToString(checker.getTypeFromTypeNode(node), at, FORMAT));
  } else out.push(checker.typeToString(checker.getTypeFromTypeNode(node), at, FORMAT));
  return out;
}

/** A type as text, unions spelled out member by member (so `FunnelView` becomes `'steps' | …`). */
function typeText(checker, type, at, declared) {
  if (!type.isUnion()) return checker.typeToString(type, at, FORMAT);
  const parts = [];
  const booleans = [];
  let nullish = [];
  for (const member of type.types) {
    const text = checker.typeToString(member, at, FORMAT);
    if (member.flags & ts.TypeFlags.BooleanLiteral) booleans.push(text);
    else if (member.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)) nullish.push(text);
    else parts.push(text);
  }
  if (booleans.length === 2) parts.push('boolean');
  else parts.push(...booleans);
  nullish = nullish.sort((a, b) => (a === 'null' ? -1 : b === 'null' ? 1 : 0));
  const order = sourceOrder(checker, declared, at);
  const rank = (text) => (order.includes(text) ? order.indexOf(text) : order.length);
  parts.sort((a, b) => rank(a) - rank(b));
  return [...parts, ...nullish].join(' | ');
}

/** `@attr {type} name` on a class's JSDoc (the class or a base): the attribute's own type wins. */
function jsDocAttributeTypes(classNode) {
  const types = new Map();
  const text = classNode.getSourceFile().text;
  for (const range of ts.getLeadingCommentRanges(text, classNode.getFullStart()) ?? []) {
    const comment = text.slice(range.pos, range.end);
    for (const match of comment.matchAll(/@attr(?:ibute)?\s+\{([^}]+)\}\s+([\w-]+)/g)) types.set(match[2], match[1].trim());
  }
  return types;
}

function findClass(sourceFile, name) {
  return sourceFile?.statements.find((s) => ts.isClassDeclaration(s) && s.name?.text === name);
}

function declarationSymbol(checker, sourceFile, name) {
  for (const statement of sourceFile?.statements ?? []) {
    const names = ts.isVariableStatement(statement)
      ? statement.declarationList.declarations.map((d) => d.name)
      : [statement.name].filter(Boolean);
    const node = names.find((n) => ts.isIdentifier(n) && n.text === name);
    if (node) return checker.getSymbolAtLocation(node);
  }
  return undefined;
}

function resolveAlias(checker, symbol) {
  return symbol && symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

/** Nothing a user cannot reach: private, protected, `_x` and `#x` members. */
const isPublicMember = (member) => !member.privacy || member.privacy === 'public' ? !/^[_#]/.test(member.name ?? '') : false;

/**
 * The manifest as the published package is: public API only, checker types, dist paths.
 * Runs after the analyzer's own link phase (inheritance applied), before the integrations.
 */
function publishedPackagePlugin() {
  return {
    name: 'funnelkit-published-package',
    packageLinkPhase({ customElementsManifest: manifest }) {
      const { program, checker, entries } = createChecker();
      const sourceFile = (file) => program.getSourceFile(path.join(root, file));

      // The public symbols: everything the entry points export.
      const publicSymbols = new Set();
      for (const entry of entries) {
        const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry));
        for (const symbol of moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : []) publicSymbols.add(resolveAlias(checker, symbol));
      }

      const tags = new Map(); // class name → tag
      for (const mod of manifest.modules) {
        const file = sourceFile(mod.path);
        mod.declarations = (mod.declarations ?? []).filter((decl) => publicSymbols.has(declarationSymbol(checker, file, decl.name)));
        for (const decl of mod.declarations) {
          if (decl.kind !== 'class') continue;
          if (decl.tagName) tags.set(decl.name, decl.tagName);
          decl.members = decl.members?.filter(isPublicMember);
          if (!decl.members?.length) delete decl.members;
          resolveTypes(decl, findClass(file, decl.name));
        }
        // Exports: values only (a type is no JS export), each pointing at the module that declares it.
        const moduleSymbol = file && checker.getSymbolAtLocation(file);
        const exported = new Map(moduleSymbol ? checker.getExportsOfModule(moduleSymbol).map((s) => [s.name, s]) : []);
        mod.exports = (mod.exports ?? []).filter((exp) => {
          if (exp.name === '*') return true;
          const symbol = resolveAlias(checker, exported.get(exp.name));
          if (!symbol || !(symbol.flags & ts.SymbolFlags.Value) || !publicSymbols.has(symbol)) return false;
          const declaredIn = symbol.declarations?.[0]?.getSourceFile().fileName;
          if (declaredIn) exp.declaration = { name: symbol.name, module: path.relative(root, declaredIn).replace(/\\/g, '/') };
          return true;
        });
      }

      // Registration modules call `define(tag, Class)`, which the analyzer does not see: each tag's
      // module (src/funnel-chart.ts) and the index, which imports them all, define the tag.
      const classModule = new Map(manifest.modules.flatMap((mod) => (mod.declarations ?? []).map((d) => [d.name, mod.path])));
      for (const mod of manifest.modules) {
        const defined = mod.path === 'src/index.ts' ? [...tags] : [...tags].filter(([, tag]) => mod.path === `src/${tag}.ts`);
        for (const [name, tag] of defined) {
          mod.exports.push({ kind: 'custom-element-definition', name: tag, declaration: { name, module: classModule.get(name) } });
        }
      }
      manifest.modules = manifest.modules.filter((mod) => mod.declarations.length || mod.exports.length);
      for (const mod of manifest.modules) {
        if (!mod.declarations.length) delete mod.declarations;
        if (!mod.exports.length) delete mod.exports;
      }

      // Paths as published: dist/*.js.
      for (const mod of manifest.modules) {
        const from = mod.path;
        mod.path = toDist(mod.path, from);
        rewriteModules(mod, from);
      }

      function resolveTypes(decl, classNode) {
        if (!classNode) return;
        const classSymbol = checker.getSymbolAtLocation(classNode.name);
        const instance = checker.getDeclaredTypeOfSymbol(classSymbol);
        const statics = checker.getTypeOfSymbolAtLocation(classSymbol, classNode);
        const typeOf = (name, isStatic) => {
          const symbol = checker.getPropertyOfType(isStatic ? statics : instance, name);
          const declaration = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
          const declared = declaration && (ts.isGetAccessor(declaration) ? declaration.type : declaration.type);
          return symbol && typeText(checker, checker.getTypeOfSymbolAtLocation(symbol, classNode), undefined, declared);
        };
        // `@attr {type}` on this class or a base overrides the field's type for the attribute.
        const attrTypes = new Map();
        for (let node = classNode; node; ) {
          for (const [name, text] of jsDocAttributeTypes(node)) if (!attrTypes.has(name)) attrTypes.set(name, text);
          const declared = checker.getDeclaredTypeOfSymbol(checker.getSymbolAtLocation(node.name));
          const base = checker.getBaseTypes(declared)[0];
          node = base?.symbol?.declarations?.find(ts.isClassDeclaration);
          if (node?.getSourceFile().fileName.includes('/node_modules/')) break;
        }
        for (const member of decl.members ?? []) {
          if (member.kind !== 'field') continue;
          const text = typeOf(member.name, member.static);
          if (text) member.type = { text };
        }
        for (const attr of decl.attributes ?? []) {
          const text = attrTypes.get(attr.name) ?? (attr.fieldName ? typeOf(attr.fieldName, false) : undefined);
          if (text) attr.type = { text };
          const field = decl.members?.find((m) => m.name === attr.fieldName);
          // One description for the attribute and its property, whichever JSDoc gave it.
          if (field && !field.description && attr.description) field.description = attr.description;
          if (field && field.description && !attr.description) attr.description = field.description;
        }
      }

      function rewriteModules(node, from) {
        if (Array.isArray(node)) return node.forEach((item) => rewriteModules(item, from));
        if (!node || typeof node !== 'object') return;
        for (const [key, value] of Object.entries(node)) {
          if (key === 'module' && typeof value === 'string') node.module = toDist(value, from);
          else rewriteModules(value, from);
        }
      }
    },
  };
}

/**
 * The framework and IDE integrations. The JSX, Vue and Svelte generators write an event's `type`
 * into `CustomEvent<…>` themselves, so they are given the detail type (the manifest keeps the
 * event's own type, `CustomEvent<FunnelStepClickDetail>`), named through an `import()` type so
 * that their import line stays one entry per component; read-only properties are left out of what
 * a template can set.
 */
function integrationsPlugin() {
  const forTemplates = (manifest) => {
    const copy = structuredClone(manifest);
    for (const decl of copy.modules.flatMap((mod) => mod.declarations ?? [])) {
      for (const event of decl.events ?? []) {
        const detail = /^CustomEvent<(.+)>$/.exec(event.type?.text ?? '')?.[1];
        if (detail) event.type = { text: /^\w+$/.test(detail) ? `import('${TYPES_FROM}').${detail}` : detail };
      }
      decl.members = decl.members?.filter((m) => !m.readonly);
    }
    return copy;
  };
  const typed = { globalTypePath: TYPES_FROM, outdir: TYPES_DIR, hideLogs: true };
  const jsx = customElementJsxPlugin({ ...typed, fileName: 'custom-elements-jsx.d.ts' });
  const vue = customElementVuejsPlugin({ ...typed, fileName: 'vue.d.ts' });
  const svelte = customElementSveltePlugin({ ...typed, fileName: 'custom-elements-svelte.d.ts' });
  const vscode = customElementVsCodePlugin({ outdir: 'dist', htmlFileName: 'vscode.html-custom-data.json', cssFileName: 'vscode.css-custom-data.json', hideLogs: true });
  const jetBrains = customElementJetBrainsPlugin({
    outdir: 'dist',
    webTypesFileName: 'web-types.json',
    packageJson: false, // package.json's "web-types" is set by hand
    hideLogs: true,
    // web-types `source`: the registration module that defines the tag, as the package exports it.
    modulePathTemplate: (_name, module) => `funnelkit/${path.posix.basename(module)}`,
  });
  return {
    name: 'funnelkit-integrations',
    packageLinkPhase({ customElementsManifest: manifest, context }) {
      const templates = forTemplates(manifest);
      for (const plugin of [jsx, vue, svelte]) plugin.packageLinkPhase({ customElementsManifest: templates, context });
      // The IDE data reads the manifest as it is; web-types' `source` comes from the tag
      // definitions in the registration modules, not the element class modules.
      vscode.packageLinkPhase({ customElementsManifest: manifest, context });
      jetBrains.packageLinkPhase({ customElementsManifest: definitionsFromRegistration(manifest), context });
      writeFrameworkEntries();
    },
  };
}

/** web-types `source.module` should name funnelkit/funnel-chart.js, the module that defines the tag. */
function definitionsFromRegistration(manifest) {
  const copy = structuredClone(manifest);
  for (const mod of copy.modules) {
    for (const exp of mod.exports ?? []) {
      if (exp.kind === 'custom-element-definition') exp.declaration = { ...exp.declaration, module: mod.path };
    }
  }
  copy.modules = copy.modules.map((mod) => (mod.path === 'dist/index.js' ? { ...mod, exports: mod.exports?.filter((e) => e.kind !== 'custom-element-definition') } : mod));
  return copy;
}

const GENERATED = '// Generated by `npm run analyze` (custom-elements-manifest.config.mjs) from custom-elements.json.\n';

/** The entry files users import: each augments its framework's element typings. */
function writeFrameworkEntries() {
  const dir = path.join(root, TYPES_DIR);
  // React 19: `import type {} from 'funnelkit/types/react'` (or a triple-slash reference) is all it takes.
  fs.writeFileSync(
    path.join(dir, 'react.d.ts'),
    `${GENERATED}// React 19 JSX typings for <funnel-chart>, <cohort-chart>, <anomaly-chart>, <kpi-card> and <kpi-grid>:
//   import type {} from 'funnelkit/types/react';
// Events are \`on<event-name>\` props (React 19 adds them as listeners): onfunnel-step-click={(e) => e.detail.index}.
// For camelCase event props and refs typed as the element, use the components in 'funnelkit/react'.
import type { CustomElements } from './custom-elements-jsx.js';

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements extends CustomElements {}
  }
}

export type { CustomElements, ScopedElements } from './custom-elements-jsx.js';
`,
  );

  // Vue: a template's @funnel-step-click is the prop onFunnelStepClick (Vue's handler key), not
  // "onfunnel-step-click"; and the generator's global JSX block would type the tags as components
  // in TSX (IntrinsicElements take props), so it goes.
  const vueFile = path.join(dir, 'vue.d.ts');
  let vue = fs.readFileSync(vueFile, 'utf8');
  const handlerKey = (name) => `on${name.replace(/(^|-)([a-z0-9])/g, (_m, _dash, c) => c.toUpperCase())}`;
  vue = vue.replace(/"on([a-z0-9]+(?:-[a-z0-9]+)*)"\?:/g, (_m, name) => `${handlerKey(name)}?:`);
  const jsxBlock = /\n\s*declare global \{\s*namespace JSX \{[\s\S]*?\n\s*\}\s*\n\s*\}\n/;
  if (!jsxBlock.test(vue)) throw new Error(`custom-elements-manifest.config.mjs: the Vue generator's output changed; check ${vueFile}`);
  vue = vue.replace(jsxBlock, '\n');
  fs.writeFileSync(vueFile, `${GENERATED}// Vue 3: \`/// <reference types="funnelkit/types/vue" />\` types the tags in templates (GlobalComponents).\n${vue}`);

  // Svelte: the generator's file declares \`svelteHTML\` inside a module (so it augments nothing) and
  // types children and style through a global JSX namespace Svelte does not have.
  const generated = path.join(dir, 'custom-elements-svelte.d.ts');
  let svelte = fs.readFileSync(generated, 'utf8');
  for (const [from, to] of [
    [/children\?: JSX\.Element;/, 'children?: unknown;'],
    [/style\?: JSX\.CSSProperties;/, 'style?: string;'],
    [/\n\s*declare namespace svelteHTML \{[\s\S]*?\n\s*\}\n/, '\n'],
  ]) {
    if (!from.test(svelte)) throw new Error(`custom-elements-manifest.config.mjs: the Svelte generator's output changed (${from}); check ${generated}`);
    svelte = svelte.replace(from, to);
  }
  fs.writeFileSync(generated, svelte);
  fs.writeFileSync(
    path.join(dir, 'svelte.d.ts'),
    `${GENERATED}// Svelte typings for the FunnelKit tags:
//   /// <reference types="funnelkit/types/svelte" />   (or import type {} from 'funnelkit/types/svelte')
// Svelte 5 event attributes (onfunnel-step-click={…}) and properties set directly (contract={…}) are
// typed next to Svelte 4's on:funnel-step-click and bind:contract.
import type { CustomElements as Generated } from './custom-elements-svelte.js';

type Svelte5<T> = T & {
  [K in keyof T as K extends \`on:\${infer E}\` ? \`on\${E}\` : K extends \`bind:\${infer P}\` ? P : never]: T[K];
};

export type CustomElements = { [Tag in keyof Generated]: Svelte5<Generated[Tag]> };

declare global {
  namespace svelteHTML {
    interface IntrinsicElements extends CustomElements {}
  }
}
`,
  );
}

export default {
  globs: ['src/elements/*.ts', 'src/*.ts'],
  exclude: [
    'src/react.ts',
    'src/**/*.styles.ts',
    'src/elements/emit.ts',
    'src/elements/define.ts',
    'src/elements/tooltip.ts',
    'src/elements/events.ts',
    'src/elements/data-table.ts',
    'src/elements/status-line.ts',
    'src/elements/theme-tokens.ts',
    'src/elements/style-props.ts',
    'src/elements/roving-focus.ts',
  ],
  outdir: '.',
  litelement: true,
  // The manifest's place is fixed in package.json ("customElements"); never rewrite that file.
  packagejson: false,
  plugins: [publishedPackagePlugin(), integrationsPlugin()],
};
