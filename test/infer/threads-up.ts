/**
 * For test workers that must start their work together: counts this thread in counter[index] and waits until
 * `workers` threads are.
 */
export function waitForAllThreads(counter: Int32Array, index: number, workers: number): void {
	Atomics.add(counter, index, 1);
	Atomics.notify(counter, index);
	for (let up = Atomics.load(counter, index); up < workers; up = Atomics.load(counter, index))
		Atomics.wait(counter, index, up);
}
