/** `--name value` options of the benchmarks: one reader for all of them. */

/** The value after `--name`, or `fallback` when the option or its value is missing. */
export function stringOption(name: string, fallback: string, argv: readonly string[] = process.argv.slice(2)): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1]! : fallback;
}

/** The number after `--name`, or `dflt`; anything else there is an error that names the option. */
export function numberOption(name: string, dflt: number, argv: readonly string[] = process.argv.slice(2)): number {
  const i = argv.indexOf(`--${name}`);
  if (i < 0 || argv[i + 1] === undefined) return dflt;
  const v = Number(argv[i + 1]);
  if (!Number.isFinite(v)) throw new Error(`--${name} must be a number, got ${JSON.stringify(argv[i + 1])}`);
  return v;
}
