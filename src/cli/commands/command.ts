/**
 * A command's code, as data plus a handler: its options and positionals (names, types,
 * descriptions), examples for --help, and what it does. Its name and one-line description live
 * in the table of index.ts, so `phantom --help` lists every command without loading any.
 *
 * Being data, one description serves two parsers: yargs (help, usage errors, every syntax it
 * accepts) and a small parser over node:util's parseArgs that runs a plain command line without
 * loading yargs at all (fast-args.ts), which is what keeps `phantom agent` lean.
 */

/** One `--option`, as yargs' Options (the fields are passed to yargs unchanged). */
export interface OptionSpec {
  readonly type: 'string' | 'number' | 'boolean';
  readonly describe: string;
  /** Repeatable: `--join a --join b` gives both. */
  readonly array?: boolean;
  readonly choices?: readonly string[];
  readonly default?: string | number | boolean | readonly string[] | undefined;
  readonly defaultDescription?: string;
  /** One-letter alias (`-n`). */
  readonly alias?: string;
}

/** One positional named in the command string (`<required>`, `[optional]`, `..` = the rest). */
export interface PositionalSpec {
  readonly type: 'string';
  readonly describe: string;
  readonly array?: boolean;
  readonly choices?: readonly string[];
}

export interface CommandSpec<A> {
  readonly options?: Readonly<Record<string, OptionSpec>>;
  readonly positionals?: Readonly<Record<string, PositionalSpec>>;
  /** [command line, what it does] for --help; `$0` is `phantom`. */
  readonly examples?: readonly (readonly [string, string])[];
  readonly handler: (args: A) => void | Promise<void>;
}
