import {mkdtempSync, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {abortError} from '../../source/errors.js';
import type {RunEvent} from '../../source/engine/pipeline/events.js';
import {RunLifecycle} from '../../source/engine/pipeline/lifecycle.js';

function lifecycleIn(outer?: AbortSignal): {lifecycle: RunLifecycle; events: RunEvent[]; dir: string} {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-lifecycle-'));
	const lifecycle = new RunLifecycle(dir, outer);
	const events: RunEvent[] = [];
	lifecycle.subscribe((event) => events.push(event));
	return {lifecycle, events, dir};
}

describe('the run lifecycle', () => {
	it('ends once, whoever ends it first, and writes the final status', async () => {
		const {lifecycle, events, dir} = lifecycleIn();
		lifecycle.startStatus();
		await Promise.all([lifecycle.end('done', 'wrote'), lifecycle.end('failed', 'too late')]);
		await lifecycle.fail(new Error('later still'), 'later still');
		expect(events.filter((event) => event.type === 'run-end')).toEqual([
			expect.objectContaining({state: 'done', message: 'wrote'}),
		]);
		expect(JSON.parse(readFileSync(path.join(dir, 'status.json'), 'utf8')).snapshot.state).toBe('done');
	});

	it('calls a failure after the abort a cancellation, and any other failure a failure', async () => {
		const cancelled = lifecycleIn();
		cancelled.lifecycle.cancel();
		await cancelled.lifecycle.fail(abortError(cancelled.lifecycle.signal), 'the run was cancelled');
		expect(cancelled.events.at(-1)).toMatchObject({type: 'run-end', state: 'cancelled'});

		const failed = lifecycleIn();
		await failed.lifecycle.fail(new Error('disk full'), 'disk full');
		expect(failed.events.at(-1)).toMatchObject({type: 'run-end', state: 'failed', message: 'disk full'});
	});

	it("follows the caller's signal, and writes no status before the run folder is known to be writable", async () => {
		const outer = new AbortController();
		const {lifecycle, dir} = lifecycleIn(outer.signal);
		outer.abort(abortError('interrupted'));
		expect(lifecycle.signal.aborted).toBe(true);
		await lifecycle.end('failed', 'cannot write the run folder');
		expect(() => readFileSync(path.join(dir, 'status.json'))).toThrow();
	});
});
