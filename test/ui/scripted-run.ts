import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {LoadedPreset} from '../../source/config/presets.js';
import {mergeStats} from '../../source/engine/masks/run-stats.js';
import type {StatsDocument} from '../../source/engine/masks/stats-types.js';
import {summariseTile} from '../../source/engine/masks/tile-stats.js';
import {makePlan, type Tile} from '../../source/engine/geo/plan.js';
import type {RunEvent} from '../../source/engine/pipeline/events.js';
import {applyEvent, emptySnapshot} from '../../source/engine/pipeline/snapshot.js';
import type {AppServices} from '../../source/ui/app.js';
import type {ReviewSession, RunHandle} from '../../source/ui/engine-api.js';
import {realServices} from './harness.js';

/**
 * A run driven by a scripted sequence of RunEvents (for the dashboard and review screens
 * without the network or models): every tile is downloaded on each layer, inferred by three
 * models, and reviewed from synthetic probabilities through the real statistics code.
 */
export type ScriptOptions = {
	stepMs?: number;
	runDir: string;
	failAfter?: number;
	models?: string[];
	/** How long a cancelled run goes on before it ends (a real one finishes the work in flight). */
	cancelTakesMs?: number;
	/** Time between two written tiles. */
	writeStepMs?: number;
	/** Write a mask file per tile too (masks/<tile>.tif, empty), as a real run does. */
	maskFiles?: boolean;
};

const SIDE = 32;

/** A blob per tile whose size depends on the tile, so tiles sort differently. */
function probabilities(tile: Tile, models: string[]): {ensemble: Uint8Array; members: Uint8Array[]} {
	const members = models.map((_, member) => {
		const plane = new Uint8Array(SIDE * SIDE);
		const radius = 4 + ((tile.row * 3 + tile.col * 5) % 9) + member;
		for (let y = 0; y < SIDE; y++) {
			for (let x = 0; x < SIDE; x++) {
				const distance = Math.hypot(x - SIDE / 2, y - SIDE / 2);
				plane[y * SIDE + x] = Math.max(0, Math.min(255, Math.round(255 / (1 + Math.exp(distance - radius)))));
			}
		}
		return plane;
	});
	const ensemble = new Uint8Array(SIDE * SIDE).map((_, pixel) =>
		Math.round(members.reduce((sum, plane) => sum + plane[pixel], 0) / members.length),
	);
	return {ensemble, members};
}

function script(preset: LoadedPreset, models: string[], runDir: string): RunEvent[] {
	const plan = makePlan(preset.preset);
	const layers = preset.preset.layers.dsm ? (['rgb', 'dsm'] as const) : (['rgb'] as const);
	const at = 0;
	const events: RunEvent[] = [
		{
			at,
			type: 'run-start',
			runDir,
			preset: preset.name,
			tiles: plan.tiles.length,
			rows: plan.rows,
			cols: plan.cols,
			layers: [...layers],
			models,
		},
		{at, type: 'stage', stage: 'fetch', state: 'start'},
		{at, type: 'log', level: 'info', message: `fetching ${plan.tiles.length} tiles`},
	];
	for (const model of models) events.push({at, type: 'model-ready', model, provider: 'cpu'});
	for (const tile of plan.tiles) {
		for (const layer of layers) {
			events.push({at, type: 'tile-queued', layer, tileId: tile.id});
			events.push({at, type: 'tile-progress', layer, tileId: tile.id, bytes: 40_000});
		}
		if (tile.col === 1)
			events.push({at, type: 'tile-retry', layer: 'rgb', tileId: tile.id, attempt: 1, reason: 'HTTP 503'});
		for (const layer of layers)
			events.push({at, type: 'tile-fetched', layer, tileId: tile.id, bytes: 90_000, skipped: false, ms: 40});
		for (const model of models) events.push({at, type: 'model-tile', model, tileId: tile.id, ms: 25, batch: 1});
		events.push({at, type: 'tile-inferred', tileId: tile.id, skipped: false});
		events.push({at, type: 'log', level: 'info', message: `tile ${tile.id} inferred`});
	}
	events.push({at, type: 'stage', stage: 'review', state: 'start'});
	return events;
}

export type ScriptedRun = RunHandle & {events: RunEvent[]};

export function scriptedRun(preset: LoadedPreset, options: ScriptOptions): ScriptedRun {
	const models = options.models ?? ['alpha', 'beta', 'gamma'];
	const plan = makePlan(preset.preset);
	const events = script(preset, models, options.runDir);
	const snapshot = emptySnapshot();
	const listeners = new Set<(event: RunEvent) => void>();
	let next = 0;
	let paused = false;
	let ended = false;
	let timer: NodeJS.Timeout | undefined;
	let settle: {resolve: (session: ReviewSession) => void; reject: (error: Error) => void};
	const review = new Promise<ReviewSession>((resolve, reject) => (settle = {resolve, reject}));
	review.catch(() => undefined);

	const publish = (event: RunEvent) => {
		const stamped = {...event, at: Date.now()};
		applyEvent(snapshot, stamped);
		for (const listener of listeners) listener(stamped);
	};
	const end = (state: 'done' | 'failed' | 'cancelled', message?: string) => {
		ended = true;
		clearTimeout(timer);
		publish({at: 0, type: 'run-end', state, message});
	};

	const summaries = (threshold: number): StatsDocument => {
		const tiles = plan.tiles.map((tile) => {
			const {ensemble, members} = probabilities(tile, models);
			return summariseTile({
				tile,
				probability: ensemble,
				members,
				models,
				width: SIDE,
				height: SIDE,
				threshold,
				postprocess: {minArea: 0, fillHoles: 0},
			});
		});
		const stats = tiles.map((tile) => tile.stats);
		return {
			overall: mergeStats(stats, {plan, threshold, models, postprocess: {minArea: 0, fillHoles: 0}}),
			tiles: stats,
		};
	};
	let threshold = 0.5;
	let current = summaries(threshold);
	const session: ReviewSession = {
		stats: () => current,
		areaUnit: 'm²',
		mode: preset.preset.inference.mode,
		thresholdClasses: ['foreground'],
		setThreshold: async (value) => {
			// A binary run: one threshold.
			threshold = value as number;
			current = summaries(threshold);
			return current;
		},
		preview: async (tileId, width, height) => {
			const tile = plan.tiles.find((entry) => entry.id === tileId);
			if (!tile) throw new Error(`no tile ${tileId}`);
			const {ensemble} = probabilities(tile, models);
			const rgb = new Uint8Array(width * height * 3);
			const mask = new Uint8Array(width * height);
			for (let y = 0; y < height; y++) {
				for (let x = 0; x < width; x++) {
					const value = ensemble[Math.floor((y * SIDE) / height) * SIDE + Math.floor((x * SIDE) / width)];
					rgb.set([value, 120, 255 - value], (y * width + x) * 3);
					mask[y * width + x] = value / 255 >= threshold ? 1 : 0;
				}
			}
			return {rgb, mask};
		},
		write: async () => {
			publish({at: 0, type: 'stage', stage: 'write', state: 'start'});
			mkdirSync(options.runDir, {recursive: true});
			const file = path.join(options.runDir, 'stats.json');
			writeFileSync(file, JSON.stringify(current));
			const files = [file];
			if (options.maskFiles) mkdirSync(path.join(options.runDir, 'masks'), {recursive: true});
			for (const tile of plan.tiles) {
				if (options.writeStepMs) await new Promise((resolve) => setTimeout(resolve, options.writeStepMs));
				if (options.maskFiles) {
					const mask = path.join(options.runDir, 'masks', `${tile.id}.tif`);
					writeFileSync(mask, '');
					files.push(mask);
				}
				publish({at: 0, type: 'tile-written', tileId: tile.id});
			}
			end('done');
			return {runDir: options.runDir, files, tiles: plan.tiles.length};
		},
		discard: async () => end('cancelled', 'discarded'),
	};

	const step = () => {
		if (paused || ended) return;
		if (options.failAfter !== undefined && next >= options.failAfter) {
			end('failed', 'the service answered HTTP 500 three times');
			settle.reject(new Error('the service answered HTTP 500 three times'));
			return;
		}
		const event = events[next++];
		if (!event) return settle.resolve(session);
		publish(event);
		timer = setTimeout(step, options.stepMs ?? 0);
	};
	timer = setTimeout(step, 0);

	return {
		events,
		review,
		snapshot: () => snapshot,
		subscribe: (listener) => {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		pause: () => {
			paused = true;
			publish({at: 0, type: 'paused', paused: true});
		},
		resume: () => {
			paused = false;
			publish({at: 0, type: 'paused', paused: false});
			timer = setTimeout(step, options.stepMs ?? 0);
		},
		cancel: () => {
			if (ended) return;
			setTimeout(() => {
				end('cancelled', 'cancelled by the user');
				settle.reject(Object.assign(new Error('cancelled'), {name: 'AbortError'}));
			}, options.cancelTakesMs ?? 0);
		},
	};
}

/** The app's real services with runs scripted (scriptedRun) into a fresh temporary folder, and that folder. */
export async function scriptedServices(
	options: Omit<ScriptOptions, 'runDir'>,
): Promise<{services: AppServices; runDir: string}> {
	const runDir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-ui-run-'));
	return {services: await realServices(({preset}) => scriptedRun(preset, {...options, runDir})), runDir};
}
