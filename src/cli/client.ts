/**
 * What the commands that talk to a running agent share: the --admin option (PHANTOM_ADMIN,
 * default 127.0.0.1:7947), --token / --token-file for the admin token (found on its own on the
 * agent's host, see src/admin/token.ts) and one error policy: usage errors exit 2, everything
 * else 1, each with a one-line message on stderr.
 */
import { DEFAULT_ADMIN } from '../admin/client.js';
import { ClusterError } from '../errors.js';
import type { OptionSpec } from './commands/command.js';
import { printable } from './escape.js';

export interface AdminArgs {
  admin: string;
  token?: string;
  tokenFile?: string;
}

/** --admin, --token and --token-file, for every command that talks to an agent. */
export const adminOption: Readonly<Record<'admin' | 'token' | 'token-file', OptionSpec>> = {
  admin: {
    type: 'string',
    default: process.env.PHANTOM_ADMIN || DEFAULT_ADMIN,
    defaultDescription: 'PHANTOM_ADMIN or 127.0.0.1:7947',
    describe: "The agent's admin API, host:port",
  },
  token: {
    type: 'string',
    describe: "The agent's admin token [default: PHANTOM_ADMIN_TOKEN, else found on this host for a loopback --admin]",
  },
  'token-file': {
    type: 'string',
    describe: 'Read the admin token from this file (PHANTOM_ADMIN_TOKEN_FILE), e.g. DATA_DIR/admin-token',
  },
};

/** Run a client command body with the exit-code policy (0 ok, 1 failure, 2 usage). */
export async function runClient(command: string, body: () => Promise<number | undefined>): Promise<void> {
  try {
    const code = await body();
    process.exitCode = code ?? 0;
  } catch (e) {
    process.stderr.write(`phantom ${command}: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = e instanceof ClusterError && e.code === 'ERR_ARGUMENT' ? 2 : 1;
  }
}

/** Print a table with columns padded to the widest cell. */
export function formatTable(header: readonly string[], rawRows: readonly (readonly string[])[]): string {
  const rows = rawRows.map((r) => r.map(printable));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
