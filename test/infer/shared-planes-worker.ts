import {parentPort, workerData} from 'node:worker_threads';
import {sharedPlanes} from '../../source/engine/infer/shared-planes.js';
import {waitForAllThreads} from './threads-up.js';

/**
 * Once all `workers` are up, asks for the slot's planes; the maker counts itself in counter[0], takes a while, and
 * fills the planes with 7 (or throws when `fail` is set). Posts the sum of the planes it got.
 */
const {slot, counter, workers, fail} = workerData as {
	slot: SharedArrayBuffer;
	counter: SharedArrayBuffer;
	workers: number;
	fail: boolean;
};
const count = new Int32Array(counter);
waitForAllThreads(count, 1, workers);
let planes: Float32Array | undefined;
try {
	planes = sharedPlanes(slot, 0, 1000, (into) => {
		const makers = Atomics.add(count, 0, 1);
		Atomics.wait(count, 2, 0, 50);
		if (fail && makers === 0) throw new Error('the first maker fails');
		into.fill(7);
	});
} catch {
	// The failing maker reports nothing.
}
parentPort!.postMessage(planes ? planes.reduce((sum, value) => sum + value, 0) : 'failed');
