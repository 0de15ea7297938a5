/**
 * The node command line deepmask runs with: the executable and the V8 flags of bin/deepmask.js's shebang line, so
 * that a figure measures the process as users start it.
 */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

export const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/deepmask.js');

const shebang = readFileSync(cli, 'utf8').split('\n')[0];
const flags = /^#!\/usr\/bin\/env (?:-S )?node((?: --[\w-]+(?:=\S+)?)*)$/.exec(shebang);
if (!flags) throw new Error(`bin/deepmask.js starts with ${shebang}, not #!/usr/bin/env [-S] node [--flags]`);

/** Node's V8 flags from the shebang, to put before a script. */
export const productFlags = flags[1].split(' ').filter(Boolean);
