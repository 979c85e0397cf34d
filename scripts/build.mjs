// npm run build (and `prepare`, so `npm ci` builds). dist/ is emptied first so a deleted source
// file cannot leave a stale module behind.
//
// - The library (`phantom-cluster`, `phantom-cluster/sim`): tsc, one ES module per source file,
//   with .d.ts and source maps, so embedders and their bundlers see the same modules we test.
// - The `phantom` command: esbuild bundles src/cli/main.ts and what it imports into dist/bin/,
//   one chunk per command (code splitting follows the commands' dynamic imports). Packages in
//   node_modules stay imports. One file per command instead of ~100 modules starts an agent
//   ~40 ms sooner (bench/STARTUP.md).
// - The dashboard page and script, read at run time from beside the module that serves them:
//   dist/admin/dashboard/ for the library, dist/bin/ for the bundled command.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const ASSETS = ['dashboard.html', 'dashboard.js'];

rmSync(join(root, 'dist'), { recursive: true, force: true });

// The compiler's bin, found through its package.json (the only file of it that is exported).
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  process.stderr.write(`build: tsc failed (exit ${r.status ?? r.signal})\n`);
  process.exit(1);
}

await build({
  absWorkingDir: root,
  entryPoints: { phantom: 'src/cli/main.ts' },
  outdir: 'dist/bin',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // Chunks beside the entry: the dashboard files are found from import.meta.url of its chunk.
  chunkNames: '[name]-[hash]',
  sourcemap: 'linked',
  logLevel: 'warning',
});
chmodSync(join(root, 'dist/bin/phantom.js'), 0o755);

for (const f of ASSETS) {
  cpSync(join(root, 'src/admin/dashboard', f), join(root, 'dist/admin/dashboard', f));
  cpSync(join(root, 'src/admin/dashboard', f), join(root, 'dist/bin', f));
}
