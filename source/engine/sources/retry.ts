import {setTimeout as sleep} from 'node:timers/promises';
import {abortError} from '../../errors.js';

export type RetryPolicy = {
	/** Attempts after the first one. */
	retries: number;
	baseDelayMs: number;
	maxDelayMs: number;
};

export const defaultRetryPolicy: RetryPolicy = {retries: 5, baseDelayMs: 500, maxDelayMs: 20_000};

/** Exponential backoff with full jitter: uniform in [0, min(max, base × 2^(attempt-1))]. */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
	return Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
}

export async function waitBeforeRetry(policy: RetryPolicy, attempt: number, signal: AbortSignal): Promise<void> {
	try {
		await sleep(backoffDelay(policy, attempt), undefined, {signal});
	} catch {
		throw abortError(signal);
	}
}
