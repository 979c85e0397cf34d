/**
 * The fast parser (src/cli/fast-args.ts) runs plain command lines without yargs. It must read
 * each line exactly as yargs does, or decline it (and yargs then reads it). Checked here for every
 * command over lines a user types: where the fast parser answers, every option and positional
 * equals yargs' value; where yargs refuses a line, the fast parser declines it too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import yargs from 'yargs';
import { COMMANDS, commandName } from '../../src/cli/commands/index.js';
import type { CommandSpec } from '../../src/cli/commands/command.js';
import { parseFast, positionalsOf } from '../../src/cli/fast-args.js';
import { applySpec } from '../../src/cli/yargs-cli.js';

const camel = (s: string): string => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** What yargs makes of `phantom <command> ...argv`, or the error it stops with. */
async function viaYargs(command: string, spec: CommandSpec<never>, argv: readonly string[]): Promise<Record<string, unknown> | Error> {
  let got: Record<string, unknown> | undefined;
  try {
    await yargs([command.split(' ')[0]!, ...argv])
      .strict()
      .exitProcess(false)
      .fail((msg, err) => {
        throw err ?? new Error(msg);
      })
      .command({ command, describe: 'x', builder: (y) => applySpec(y, spec), handler: (a) => void (got = a) })
      .parseAsync();
  } catch (e) {
    return e as Error;
  }
  return got ?? new Error('no command ran');
}

// [argv, does the fast parser take it]. Lines it declines still run, through yargs.
const CASES: Record<string, [string[], boolean][]> = {
  agent: [
    [[], true],
    [['--name', 'a', '--bind', '127.0.0.1:0', '--admin', 'off'], true],
    [['--join', 'a:1', '--join', 'b:2,c:3', '--tag', 'zone=eu-1', '--tag=weight=2'], true],
    [['--set', 'suspicionMult=5', '--set', 'probeIntervalMs=200', '--profile', 'local', '--log-level', 'debug'], true],
    [['--verify-incoming=false', '--no-verify-outgoing', '--max-members', '100', '--data-dir=/tmp/x'], true],
    [['--verify-incoming', '--verify-outgoing=true', '--encrypt', 'k', '--cluster-label', 'prod', '--admin-token', 't'], true],
    [['--join', 'a:1', 'b:2'], false], // yargs: both seeds
    [['--name', 'a', '--name', 'b'], false], // yargs: an array
    [['--max-members', '0x10'], false],
    [['--max-members', '-5'], false],
    [['--verify-incoming', 'false'], false],
    [['--logLevel', 'info'], false],
    [['--profile', 'fast'], false], // yargs: not a choice
    [['--bogus'], false], // yargs: unknown argument
    [['stray'], false],
  ],
  members: [
    [[], true],
    [['db-1', '--history'], true],
    [['--status', 'failed', '--json', '--admin', '127.0.0.1:1', '--token', 'sixteen-chars-ok'], true],
    [['--json=false'], true],
    [['a', 'b'], false],
    [['--status', 'gone'], false],
    [['--tag', 'role=db', '--tag', 'zone=eu-.*', '--name', 'db-.*', '--detailed'], true],
    [['--name', 'db-.*', '--status', 'alive', '--json'], true],
    [['--tag', 'role=db', 'db-1'], false], // yargs: the array takes db-1 too
  ],
  monitor: [
    [[], true],
    [['--log-level', 'debug', '--json'], true],
    [['--log-level', 'loud'], false],
    [['now'], false],
  ],
  'force-leave': [
    [['db-7'], true],
    [['db-7', '--prune'], true],
    [['db-7', '--prune=false', '--admin', '127.0.0.1:1'], true],
    [[], false],
    [['db-7', 'db-8'], false],
  ],
  join: [
    [['a:1'], true],
    [['a:1', 'b:2', '--admin', '127.0.0.1:1'], true],
    [[], false],
  ],
  leave: [
    [[], true],
    [['now'], false],
  ],
  info: [[['--json'], true]],
  tags: [
    [['set', 'zone=eu-1', 'weight=2'], true],
    [['delete', 'role'], true],
    [['drop', 'role'], false],
    [['set'], false],
  ],
  event: [
    [['deploy'], true],
    [['deploy', 'v42', '--coalesce'], true],
    [['deploy', 'v 42', '--coalesce=false', '--admin', '127.0.0.1:1'], true],
    [[], false],
    [['deploy', 'a', 'b'], false],
  ],
  query: [
    [['who'], true],
    [['shard-owner', '17', '--node', 'a', '--node', 'b', '--tag', 'role=^db$', '--timeout', '2s', '--relay', '2', '--json'], true],
    [['who', '--no-ack'], true],
    [['who', '--relay', 'x'], false],
    [[], false],
  ],
  lookup: [
    [['user:42'], true],
    [['user:42', '--n', '2', '--json'], true],
    [['user:42', '-n', '5'], true],
    [['42'], true],
    [['user:42', '--n', 'x'], false],
    [['user:42', '--near'], true],
    [['user:42', '--no-near', '--n', '2'], true],
    [[], false],
  ],
  rtt: [
    [['db-1'], true],
    [['db-1', 'db-2', '--json'], true],
    [['db-1', 'db-2', 'db-3'], false],
    [[], false],
  ],
  keys: [
    [['list'], true],
    [['install', 'KEY', '--json'], true],
    [['install', 'KEY', '--local'], true],
    [['rotate', 'KEY'], false],
  ],
  keygen: [
    [[], true],
    [['x'], false],
  ],
  dashboard: [
    [[], true],
    [['--admin', '127.0.0.1:1', '--token-file', '/tmp/t'], true],
    [['now'], false],
  ],
  version: [
    [[], true],
    [['--json'], true],
  ],
  simulate: [
    [['--nodes', '10', '--kill', '1', '--json'], true],
    [['-n', '10', '--loss', '0.1', '--latency', '5ms'], true],
    [['--set', 'a=1', '--set', 'b=2', '--partition', '30s', '--report', 'x.svg'], true],
    [['--profile', 'fast'], false],
  ],
  demo: [
    [['--nodes', '3', '--speed', '2'], true],
    [['--duration', '5s', '--seed', '7'], true],
  ],
};

test('every command has cases here', () => {
  assert.deepEqual(COMMANDS.map(commandName).sort(), Object.keys(CASES).sort());
});

test('the fast parser reads each line as yargs does, or leaves it to yargs', async () => {
  for (const entry of COMMANDS) {
    const spec = await entry.load();
    const keys = [...Object.keys(spec.options ?? {}), ...positionalsOf(entry.command).map((p) => p.name)].map(camel);
    for (const [argv, fast] of CASES[commandName(entry)]!) {
      const line = `phantom ${commandName(entry)} ${argv.join(' ')}`;
      const mine = parseFast(entry.command, spec, argv);
      const theirs = await viaYargs(entry.command, spec, argv);
      assert.equal(mine !== undefined, fast, `${line}: fast parser ${mine ? 'took' : 'declined'} it`);
      if (theirs instanceof Error) {
        assert.equal(mine, undefined, `${line}: yargs refuses it (${theirs.message}), so must the fast parser`);
        continue;
      }
      if (!mine) continue;
      for (const k of keys) assert.deepEqual(mine[k], theirs[k], `${line}: ${k}`);
      for (const k of keys) assert.equal(k in mine, k in theirs, `${line}: ${k} present in one only`);
    }
  }
});

test('--help and -h always go to yargs', async () => {
  for (const entry of COMMANDS) {
    const spec = await entry.load();
    assert.equal(parseFast(entry.command, spec, ['--help']), undefined);
    assert.equal(parseFast(entry.command, spec, ['-h']), undefined);
  }
});
