/** `--name value` options of the fuzz benches, as numbers with defaults. */
export function numberOption(name: string, dflt: number, argv: readonly string[] = process.argv.slice(2)): number {
  const i = argv.indexOf(`--${name}`);
  if (i < 0 || argv[i + 1] === undefined) return dflt;
  const v = Number(argv[i + 1]);
  if (!Number.isFinite(v)) throw new Error(`--${name} must be a number, got ${JSON.stringify(argv[i + 1])}`);
  return v;
}
