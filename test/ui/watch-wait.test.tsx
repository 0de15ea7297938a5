import {mkdtempSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {render} from 'ink-testing-library';
import {expect, it} from 'vitest';
import {writeJsonAtomic} from '../../source/engine/fs/atomic.js';
import {applyEvent, emptySnapshot} from '../../source/engine/pipeline/snapshot.js';
import {WatchApp} from '../../source/ui/watch/watch-app.js';
import {until} from './harness.js';

it('waits for a run that has not written its status yet, then shows it', async () => {
	const runDir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-watch-wait-'));
	const app = render(
		<WatchApp runDir={runDir} size={{columns: 80, rows: 24}} color={false} intervalMs={50} onQuit={() => {}} />,
	);
	try {
		await until(() => app.lastFrame()?.includes('waiting for the run to write its status'), 'the waiting line');
		const snapshot = emptySnapshot();
		applyEvent(snapshot, {
			at: Date.now(),
			type: 'run-start',
			runDir,
			preset: 'demo',
			tiles: 4,
			rows: 2,
			cols: 2,
			layers: ['rgb'],
			models: ['unet'],
		});
		await writeJsonAtomic(path.join(runDir, 'status.json'), {
			pid: process.pid,
			host: os.hostname(),
			writtenAt: Date.now(),
			snapshot,
		});
		await until(() => app.lastFrame()?.includes('Downloads') && !app.lastFrame()?.includes('waiting'), 'the run');
		expect(app.lastFrame()).toContain('running');
	} finally {
		app.unmount();
	}
});
