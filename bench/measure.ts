import {monitorEventLoopDelay} from 'node:perf_hooks';
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

/** p99 of the main thread's event-loop delay while `work` runs, in milliseconds. */
export async function eventLoopDelayDuring<T>(
	work: () => Promise<T>,
): Promise<{result: T; p99Ms: number; maxMs: number}> {
	const histogram = monitorEventLoopDelay({resolution: 5});
	histogram.enable();
	try {
		const result = await work();
		return {result, p99Ms: histogram.percentile(99) / 1e6, maxMs: histogram.max / 1e6};
	} finally {
		histogram.disable();
	}
}
