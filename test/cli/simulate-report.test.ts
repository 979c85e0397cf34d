/** `phantom simulate --report FILE.svg|.html` as a user runs it: one real process, bounded in time. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { assertBuilt, PHANTOM_BIN } from '../../harness/procs.js';

assertBuilt();

const run = promisify(execFile);
const bin = PHANTOM_BIN;
const dir = mkdtempSync(join(tmpdir(), 'phantom-report-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('phantom simulate --report writes an SVG with dissemination, detection and load, and an HTML page', { timeout: 90_000 }, async () => {
  const svgFile = join(dir, 'run.svg');
  const { stdout } = await run(process.execPath, [bin, 'simulate', '--nodes', '20', '--kill', '2', '--duration', '30s', '--seed', '4', '--report', svgFile], {
    timeout: 80_000,
  });
  assert.match(stdout, /join convergence/, 'the text report still prints');
  const svg = readFileSync(svgFile, 'utf8');
  assert.match(svg, /<g class="kind" data-kind="join" data-items="20"/);
  assert.match(svg, /<g class="kind" data-kind="failure" data-items="2" data-reached-all="2">/);
  assert.equal((svg.match(/<g class="victim" data-node="n\d+"/g) ?? []).length, 2);
  assert.match(svg, /data-series="msgs-per-agent-per-sec" data-points="30"/);

  const htmlFile = join(dir, 'run.html');
  await run(process.execPath, [bin, 'simulate', '--nodes', '8', '--duration', '10s', '--report', htmlFile], { timeout: 80_000 });
  const html = readFileSync(htmlFile, 'utf8');
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /<pre>nodes 8 /);
  assert.match(html, /<g id="load"/);
});

test('phantom simulate --zones 3 --report charts the coordinate error and prints it', { timeout: 90_000 }, async () => {
  const svgFile = join(dir, 'zones.svg');
  const { stdout } = await run(process.execPath, [bin, 'simulate', '--nodes', '12', '--zones', '3', '--duration', '40s', '--report', svgFile], {
    timeout: 80_000,
  });
  const m =
    /coordinates +median RTT error ([\d.]+)% \(within zones [\d.]+%, between ([\d.]+)%, p90 [\d.]+%\) over 66 pairs; nearest by estimate in the same zone for [\d.]+% of agents/.exec(
      stdout,
    );
  assert.ok(m, stdout);
  const svg = readFileSync(svgFile, 'utf8');
  assert.match(svg, /<g id="coordinates" data-samples="\d+" data-final-median="[\d.]+"/);
  for (const k of ['median', 'intra', 'inter']) assert.match(svg, new RegExp(`data-series="coordinate-error-${k}"`));
  await assert.rejects(run(process.execPath, [bin, 'simulate', '--nodes', '4', '--zones', '0'], { timeout: 55_000 }), (e: { stderr: string }) =>
    /--zones must be an integer from 1 to 16/.test(e.stderr),
  );
});

test('phantom simulate --report with another extension is a usage error before the run', { timeout: 60_000 }, async () => {
  const bad = join(dir, 'run.png');
  await assert.rejects(
    run(process.execPath, [bin, 'simulate', '--nodes', '4', '--report', bad], { timeout: 55_000 }),
    (e: { code: number; stderr: string }) => {
      assert.equal(e.code, 2);
      assert.match(e.stderr, /--report: the file name must end in \.svg or \.html/);
      return true;
    },
  );
  assert.equal(existsSync(bad), false);
});
