/**
 * Parses a plain command line from a command's spec with node:util's parseArgs, so running a
 * command does not load yargs (about 100 ms and 10 MiB of a start-up; yargs also renders the
 * whole help text on every run). It accepts only what it reads exactly as yargs would, and
 * returns undefined for everything else: --help, unknown or repeated options, values out of
 * `choices`, missing or extra positionals, `--`, numbers it would have to guess at. The caller
 * then hands the command line to yargs, which gives the usual help and error messages.
 * test/cli/fast-args.test.ts checks that both parsers agree wherever this one answers.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CommandSpec, OptionSpec } from './commands/command.js';

export type ParsedArgs = Record<string, unknown>;

interface Positional {
  readonly name: string;
  readonly required: boolean;
  readonly rest: boolean;
}

/** `members [member]` -> [{member, required: false}]; `join <addrs..>` -> [{addrs, required, rest}]. */
export function positionalsOf(command: string): Positional[] {
  return command
    .split(' ')
    .slice(1)
    .map((word) => {
      const rest = word.includes('..');
      return { name: word.replace(/[<>[\].]/g, ''), required: word.startsWith('<'), rest };
    });
}

const camel = (name: string): string => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
// Only plain decimals: yargs reads "0x10", "1e3" or " 5" in ways not worth copying here.
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** The arguments, keyed like yargs' (camelCase and the declared name), or undefined: ask yargs. */
export function parseFast(command: string, spec: CommandSpec<never>, argv: readonly string[]): ParsedArgs | undefined {
  if (argv.some((a) => a === '--' || a === '-h' || a === '--help')) return undefined;
  const options = spec.options ?? {};
  const positionals = positionalsOf(command);
  const out: ParsedArgs = {};
  const set = (name: string, value: unknown): void => {
    out[name] = value;
    out[camel(name)] = value;
  };

  // Booleans given as --x=false or --no-x: parseArgs (Node 20) reads neither.
  const args: string[] = [];
  for (const a of argv) {
    const m = /^--(no-)?([^=]+)(?:=(.*))?$/.exec(a);
    const opt = m ? options[m[2]!] : undefined;
    if (m && opt?.type === 'boolean' && (m[1] !== undefined || m[3] !== undefined)) {
      if (m[1] !== undefined && m[3] !== undefined) return undefined;
      if (m[3] !== undefined && m[3] !== 'true' && m[3] !== 'false') return undefined;
      if (camel(m[2]!) in out) return undefined;
      set(m[2]!, m[1] === undefined && m[3] === 'true');
      continue;
    }
    args.push(a);
  }

  const config: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, o] of Object.entries(options)) {
    const short = o.alias ?? (name.length === 1 ? name : undefined);
    config[name] = { type: o.type === 'boolean' ? 'boolean' : 'string', multiple: o.array === true, ...(short ? { short } : {}) };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options: config, strict: true, allowPositionals: positionals.length > 0, tokens: true });
  } catch {
    return undefined;
  }

  const seen = new Set<string>();
  const tokens = parsed.tokens ?? [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'option') continue;
    const o = options[t.name]!;
    // yargs turns a repeated single option into an array; an array option swallows the words after it.
    if (!o.array && (seen.has(t.name) || camel(t.name) in out)) return undefined;
    seen.add(t.name);
    if (o.array && tokens[i + 1]?.kind === 'positional') return undefined;
  }

  for (const [name, o] of Object.entries(options)) {
    const raw = parsed.values[name];
    if (raw === undefined) {
      if (camel(name) in out) continue;
      if ('default' in o && o.default !== undefined) set(name, o.default);
      else if ('default' in o) set(name, undefined);
      continue;
    }
    const values = (Array.isArray(raw) ? raw : [raw]) as (string | boolean)[];
    const converted = values.map((v) => convert(o, v));
    if (converted.some((v) => v === undefined)) return undefined;
    set(name, o.array ? converted : converted[0]);
  }

  const words = parsed.positionals;
  let at = 0;
  for (const p of positionals) {
    const spec_ = spec.positionals?.[p.name];
    const taken = p.rest ? words.slice(at) : words.slice(at, at + 1);
    at += taken.length;
    if (p.required && taken.length === 0) return undefined;
    if (spec_?.choices && taken.some((w) => !spec_.choices!.includes(w))) return undefined;
    if (taken.length > 0 || p.rest) set(p.name, p.rest ? taken : taken[0]);
  }
  if (at < words.length) return undefined;
  out._ = [command.split(' ')[0]];
  return out;
}

function convert(o: OptionSpec, v: string | boolean): string | number | boolean | undefined {
  if (o.type === 'boolean') return v;
  const s = String(v);
  if (o.choices && !o.choices.includes(s)) return undefined;
  if (o.type === 'number') return DECIMAL.test(s) ? Number(s) : undefined;
  return s;
}
