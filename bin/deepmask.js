#!/usr/bin/env node
import {existsSync} from 'node:fs';

const entry = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(entry)) {
	console.error('deepmask is not built: run `npm install` (or `npm run build`) in the package folder first.');
	process.exit(1);
}
await import(entry.href);
