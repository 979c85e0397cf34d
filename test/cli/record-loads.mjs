// node --import ./record-loads.mjs ...: appends the URL of every ES module the process loads to
// the file named by RECORD_LOADS (test/cli/lean.test.ts). Plain JavaScript: the process under
// test runs the compiled CLI without tsx.
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
let file;
export function initialize(data) { file = data.file; }
export async function load(url, context, next) {
  appendFileSync(file, url + '\\n');
  return next(url, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { file: process.env.RECORD_LOADS } });
