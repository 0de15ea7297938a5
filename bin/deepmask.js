#!/usr/bin/env node
import {existsSync} from 'node:fs';

const entry = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(entry)) {
	console.error('deepmask is not built: run `npm install` (or `npm run build`) in the package folder first.');
	process.exit(1);
}
// React and its reconciler choose their build when first loaded: the shipped CLI runs the production one
// (the development build checks and traces every element, several times slower on a full screen).
process.env.NODE_ENV ??= 'production';
await import(entry.href);
