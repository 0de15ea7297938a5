// Starts a TypeScript worker when deepmask runs from source (vitest, tsx): Node 20 workers do not get
// tsx's loader from --import, so the worker entry is loaded through tsx's API instead. Unused in dist/.
import {workerData} from 'node:worker_threads';
import {tsImport} from 'tsx/esm/api';

await tsImport(workerData.tsEntry, import.meta.url);
