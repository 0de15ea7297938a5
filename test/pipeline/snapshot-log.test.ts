/** Why inference fell back to the CPU reaches the run's log, once, however many models fell back. */
import {describe, expect, it} from 'vitest';
import type {RunEvent} from '../../source/engine/pipeline/events.js';
import {applyEvent, emptySnapshot} from '../../source/engine/pipeline/snapshot.js';

describe('the run log', () => {
	it('says once why the models run on the CPU', () => {
		const snapshot = emptySnapshot(0);
		const reason = 'CUDA did not load (libcudnn.so.9: cannot open shared object file)';
		const events = [
			{
				type: 'run-start',
				at: 0,
				runDir: '/r',
				preset: 'demo',
				tiles: 4,
				rows: 2,
				cols: 2,
				layers: ['rgb'],
				models: ['a', 'b'],
			},
			{type: 'model-ready', at: 1, model: 'a', provider: 'cpu', reason},
			{type: 'model-ready', at: 2, model: 'b', provider: 'cpu', reason},
		];
		for (const event of events) applyEvent(snapshot, event as RunEvent);
		expect(snapshot.log).toEqual([{at: 1, level: 'warn', message: `inference on the CPU: ${reason}`}]);
		expect(snapshot.models.map((model) => model.providerReason)).toEqual([reason, reason]);
	});
});
