#!/usr/bin/env -S node --max-semi-space-size=2
// --max-semi-space-size=2 (MB): V8 grows each thread's young generation from 1 MB up to 16 MB per semi-space while
// objects survive its collections, as a run's tiles do in the pipeline's queues, and keeps it, so peak memory grew
// with the length of a run (from dist/, 256 small tiles peaked at 1.16-1.30x the memory of 16; with the flag
// 1.08-1.09x), no faster without it (npm run bench). `npm start` passes it too; the model workers set their own
// young generation (model-worker.ts), so that the engine without the flag keeps them small as well.
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
