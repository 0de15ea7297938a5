import {performance} from 'node:perf_hooks';

/** The middle value (the upper of the two middle ones for an even count). */
export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

export async function timed<T>(work: () => Promise<T>): Promise<{result: T; ms: number}> {
	const started = performance.now();
	const result = await work();
	return {result, ms: performance.now() - started};
}
