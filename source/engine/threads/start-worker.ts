import {Worker, type ResourceLimits} from 'node:worker_threads';

/**
 * Start the worker script at `relativePath` (without extension) from the calling module `caller`
 * (its import.meta.url): the `.js` file when running compiled from dist/; under vitest or tsx the `.ts`
 * file, loaded through tsx-worker.mjs, because Node 20 workers do not inherit tsx's loader from --import.
 */
export function startWorker(
	caller: string,
	relativePath: string,
	workerData: object,
	resourceLimits?: ResourceLimits,
): Worker {
	if (!caller.endsWith('.ts') && !caller.endsWith('.tsx'))
		return new Worker(new URL(`${relativePath}.js`, caller), {workerData, resourceLimits});
	const tsEntry = new URL(`${relativePath}.ts`, caller).href;
	return new Worker(new URL('./tsx-worker.mjs', import.meta.url), {
		workerData: {...workerData, tsEntry},
		resourceLimits,
	});
}
