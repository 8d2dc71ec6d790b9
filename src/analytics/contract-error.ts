/**
 * The one error type the analytics layer throws for bad input. It always names the JSON path
 * (RFC 6901 pointer into the contract) so a widget can show the user where to look.
 * @module
 */

/** One problem in a contract: where it is and what was expected. */
export interface ContractIssue {
  /** JSON pointer into the contract, e.g. `/funnel/steps/2/event`; `` for the whole document. */
  path: string;
  /** What was expected and what was found, e.g. `expected a string, got 42`. */
  message: string;
}

/** Thrown by validation and by every compute function when the contract cannot be used. */
export class ContractError extends Error {
  override name = 'ContractError';
  /** Where the first (most specific) problem is. */
  readonly path: string;
  /** Every problem found, most specific first. */
  readonly issues: ContractIssue[];

  constructor(path: string, message: string, issues?: ContractIssue[]) {
    super(`${path || '/'}: ${message}`);
    this.path = path;
    this.issues = issues ?? [{ path, message }];
  }

  /** The problem text without the path, for display next to a separately shown path. */
  get detail(): string {
    return this.issues[0].message;
  }
}

/** Escapes one key for use in a JSON pointer. */
export function pointerSegment(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}
