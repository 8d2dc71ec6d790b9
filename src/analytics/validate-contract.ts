/**
 * Contract validation: the schema check (generated ajv code, no eval at run time) turned into
 * messages a person can act on, each naming its JSON path.
 * @module
 */
import type { Contract } from './contract.js';
import { ContractError, pointerSegment, type ContractIssue } from './contract-error.js';
import validate from './validate-contract.generated.js';
import type { ErrorObject } from './validation-error.js';

/** Checks `input` against contract v1 and returns it typed, or throws a {@link ContractError}. */
export function validateContract(input: unknown): Contract {
  if (validate(input)) return input as Contract;
  const issues = describeErrors(validate.errors ?? []);
  throw new ContractError(issues[0].path, issues[0].message, issues);
}

/** Every problem in `input`, most specific first; empty when the contract is valid. */
export function contractIssues(input: unknown): ContractIssue[] {
  return validate(input) ? [] : describeErrors(validate.errors ?? []);
}

function describeErrors(errors: ErrorObject[]): ContractIssue[] {
  const issues: ContractIssue[] = [];
  const seen = new Set<string>();
  const add = (issue: ContractIssue | null) => {
    const key = issue && `${issue.path}\u0000${issue.message}`;
    if (issue && key && !seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  };
  // Errors inside a oneOf/anyOf branch are folded into one message for the whole choice.
  const choices = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf');
  const inChoice = (e: ErrorObject) =>
    choices.some((c) => c !== e && c.instancePath === e.instancePath && e.schemaPath.startsWith(`${c.schemaPath}/`));
  for (const error of errors) {
    if (error.keyword === 'if' || inChoice(error)) continue;
    add(describe(error, errors));
  }
  // The deepest path is the most specific: `/funnel/steps/2/event` before `/funnel`.
  issues.sort((a, b) => depth(b.path) - depth(a.path));
  return issues.length ? issues : [{ path: '', message: 'does not match the contract schema' }];
}

const depth = (path: string) => (path ? path.split('/').length : 0);

function describe(e: ErrorObject, all: ErrorObject[]): ContractIssue | null {
  const path = e.instancePath;
  const p = e.params;
  switch (e.keyword) {
    case 'type':
      return { path, message: `expected ${typeNames(p.type as string | string[], e.parentSchema)}, got ${show(e.data)}` };
    case 'required':
      return { path: `${path}/${pointerSegment(p.missingProperty as string)}`, message: 'is required but missing' };
    case 'additionalProperties': {
      const key = p.additionalProperty as string;
      const known = Object.keys((e.parentSchema?.properties as object) ?? {});
      const guess = closest(key, known);
      const hint = guess ? `; did you mean "${guess}"?` : known.length ? `; expected one of ${list(known)}` : '';
      return { path: `${path}/${pointerSegment(key)}`, message: `unknown property${hint}` };
    }
    case 'enum':
      return { path, message: `expected one of ${list(p.allowedValues as unknown[])}, got ${show(e.data)}` };
    case 'const':
      return { path, message: `expected ${show(p.allowedValue)}, got ${show(e.data)}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { path, message: `expected a number ${p.comparison} ${p.limit}, got ${show(e.data)}` };
    case 'minItems':
      return { path, message: `expected at least ${p.limit} item${p.limit === 1 ? '' : 's'}, got ${(e.data as unknown[]).length}` };
    case 'maxItems':
      return { path, message: `expected at most ${p.limit} items, got ${(e.data as unknown[]).length}` };
    case 'minLength':
      return { path, message: p.limit === 1 ? 'expected a non-empty string' : `expected at least ${p.limit} characters` };
    case 'maxLength':
      return { path, message: `expected at most ${p.limit} characters` };
    case 'pattern': {
      const what = (e.parentSchema?.description as string | undefined)?.replace(/\.$/, '');
      return { path, message: `expected ${what ? lowerFirst(what) : `text matching ${p.pattern}`}, got ${show(e.data)}` };
    }
    case 'oneOf':
    case 'anyOf':
      return { path, message: describeChoice(e, all) };
    case 'not':
      return null; // only used to make oneOf branches exclusive; the oneOf message covers it
    default:
      return { path, message: e.message ?? `fails ${e.keyword}` };
  }
}

/** "expected "rows", or "columns", or "url" and "format"" from the branches' `required` lists. */
function describeChoice(e: ErrorObject, all: ErrorObject[]): string {
  const branches = (e.schema as Array<Record<string, unknown>>) ?? [];
  const passing = (e.params as { passingSchemas?: number[] | null }).passingSchemas;
  const shapes = branches.map((b) => describeBranch(b));
  if (shapes.every(Boolean)) {
    const options = shapes.join(', or ');
    return passing ? `expected only one of ${options}, got several` : `expected ${options}`;
  }
  // Branches that are not plain `required` lists: report what each branch wanted.
  const inner = all
    .filter((x) => x !== e && x.instancePath.startsWith(e.instancePath) && x.schemaPath.startsWith(`${e.schemaPath}/`))
    .map((x) => describe(x, all)?.message)
    .filter(Boolean);
  return inner.length ? [...new Set(inner)].join('; or ') : 'matches none of the allowed shapes';
}

function describeBranch(branch: Record<string, unknown>): string | null {
  const required = branch.required as string[] | undefined;
  if (!required) return null;
  return required.map((r) => `"${r}"`).join(' and ');
}

function typeNames(type: string | string[], parent?: Record<string, unknown>): string {
  const description = parent?.description as string | undefined;
  if (description && Array.isArray(type)) return lowerFirst(description.replace(/\.$/, ''));
  const names = (Array.isArray(type) ? type : [type]).map((t) => (t === 'null' ? 'null' : `${/^[aeiou]/.test(t) ? 'an' : 'a'} ${t}`));
  return names.join(' or ');
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  // Set from JavaScript, a value may be something JSON has no word for.
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol' || typeof value === 'function') return `a ${typeof value}`;
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…"` : text;
}

const list = (values: unknown[]) => values.map((v) => JSON.stringify(v)).join(', ');
// Keeps acronyms: "ISO 8601 …" stays, "A duration …" becomes "a duration …".
const lowerFirst = (s: string) => (/^[A-Z](?![A-Z0-9])/.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s);

/** The known name within edit distance 2 of a misspelt one, if any. */
function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}
