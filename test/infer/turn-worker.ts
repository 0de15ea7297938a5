import {parentPort, workerData} from 'node:worker_threads';
import {inTurn} from '../../source/engine/infer/turn.js';
import {waitForAllThreads} from './threads-up.js';

/**
 * Once all `workers` are up, adds one to a shared counter `rounds` times, reading it, waiting a little, then
 * writing: safe only in turns. counter holds [count, workers up].
 */
const {turn, counter, rounds, workers} = workerData as {
	turn?: SharedArrayBuffer;
	counter: SharedArrayBuffer;
	rounds: number;
	workers: number;
};
const count = new Int32Array(counter);
waitForAllThreads(count, 1, workers);
for (let round = 0; round < rounds; round++) {
	await inTurn(turn, async () => {
		const seen = Atomics.load(count, 0);
		await new Promise((resolve) => setTimeout(resolve, 2));
		Atomics.store(count, 0, seen + 1);
	});
}
parentPort!.postMessage('done');
