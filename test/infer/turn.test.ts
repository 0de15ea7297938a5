import {once} from 'node:events';
import {describe, expect, it} from 'vitest';
import {startWorker} from '../../source/engine/threads/start-worker.js';

/** Three workers each add 10 to one counter by read, wait, write; the count that is left. */
async function countedBy(turn: SharedArrayBuffer | undefined): Promise<number> {
	const counter = new SharedArrayBuffer(8);
	const workers = [0, 1, 2].map(() =>
		startWorker(import.meta.url, './turn-worker', {turn, counter, rounds: 10, workers: 3}),
	);
	await Promise.all(workers.map((worker) => once(worker, 'message')));
	await Promise.all(workers.map((worker) => worker.terminate()));
	return new Int32Array(counter)[0];
}

describe('inTurn (the WebGPU members take turns)', () => {
	it('lets one worker at a time through, so no update is lost', async () => {
		expect(await countedBy(new SharedArrayBuffer(4))).toBe(30);
	});

	it('without a lock the same work loses updates (the test can fail)', async () => {
		expect(await countedBy(undefined)).toBeLessThan(30);
	});
});
