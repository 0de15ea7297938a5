/** The dashboard's ETAs: the slower of downloading and inference at their own paces, counting down between events. */
import {describe, expect, it} from 'vitest';
import type {RunEvent} from '../../source/engine/pipeline/events.js';
import {applyEvent, emptySnapshot, etaMs, fetchEtaMs} from '../../source/engine/pipeline/snapshot.js';

function runWith(events: Array<Omit<RunEvent, 'at'> & {at: number}>) {
	const snapshot = emptySnapshot(0);
	const start = {
		type: 'run-start',
		at: 0,
		runDir: '/tmp/run',
		preset: 'demo',
		tiles: 10,
		rows: 2,
		cols: 5,
		layers: ['rgb'],
		models: ['a'],
	};
	for (const event of [start, ...events]) applyEvent(snapshot, event as RunEvent);
	return snapshot;
}

const fetched = (tile: number, at: number) => ({
	type: 'tile-fetched',
	layer: 'rgb',
	tileId: `t${tile}`,
	bytes: 1,
	skipped: false,
	ms: 1000,
	at,
});
const inferred = (tile: number, at: number) => [
	{type: 'model-tile', model: 'a', tileId: `t${tile}`, ms: 2000, batch: 1, at},
	{type: 'tile-inferred', tileId: `t${tile}`, skipped: false, at},
];

describe('ETAs', () => {
	it('say nothing until both downloading and inference have a pace', () => {
		const snapshot = runWith([fetched(0, 1000)] as never);
		expect(fetchEtaMs(snapshot, 1000)).toBe(9000);
		expect(etaMs(snapshot, 1000)).toBeUndefined();
	});

	it('follow the slower stage: downloads done in 10 s, inference at 2 s a tile takes 20 s', () => {
		const events = [
			...[0, 1, 2, 3, 4].map((tile) => fetched(tile, 1000 * (tile + 1))),
			...inferred(0, 3000),
			...inferred(1, 5000),
		];
		const snapshot = runWith(events as never);
		expect(fetchEtaMs(snapshot, 5000)).toBe(5000);
		// Inference started at 1 s, two tiles by 5 s: 2 s a tile, 8 tiles left.
		expect(etaMs(snapshot, 5000)).toBe(16_000);
	});

	it('count down between events, and never below what is left once late', () => {
		const events = [fetched(0, 1000), ...inferred(0, 3000)];
		const snapshot = runWith(events as never);
		const now = etaMs(snapshot, 3000)!;
		expect(etaMs(snapshot, 4000)).toBe(now - 1000);
		expect(etaMs(snapshot, 1_000_000)).toBe(9 * 2000);
	});
});
