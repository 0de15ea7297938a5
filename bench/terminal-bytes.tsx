/**
 * Bytes the terminal app writes per second while the dashboard sits idle on a run (downloads in
 * flight, nothing arriving: only the clocks move), with Ink's standard and incremental rendering.
 * Run in its own process with CI unset (Ink writes only the last frame under CI); prints JSON.
 */
import {PassThrough, Writable} from 'node:stream';
import {render} from 'ink';
import {loadPreset} from '../source/config/presets.js';
import {makePlan} from '../source/engine/geo/plan.js';
import {applyEvent, emptySnapshot} from '../source/engine/pipeline/snapshot.js';
import type {RunEvent} from '../source/engine/pipeline/events.js';
import {App} from '../source/ui/app.js';
import type {RunHandle} from '../source/ui/engine-api.js';
import {anchoredStdout} from '../source/ui/anchored-stdout.js';
import {renderOptions} from '../source/ui/render-options.js';

const seconds = Number(process.argv[2] ?? 5);

/** A run that has started eight downloads and then hears nothing. */
function idleRun(): RunHandle {
	const preset = loadPreset('demo');
	const plan = makePlan(preset.preset);
	const snapshot = emptySnapshot();
	const at = Date.now();
	const models = ['alpha', 'beta', 'gamma'];
	const events: RunEvent[] = [
		{
			at,
			type: 'run-start',
			runDir: '/tmp/idle',
			preset: 'demo',
			tiles: plan.tiles.length,
			rows: plan.rows,
			cols: plan.cols,
			layers: ['rgb', 'dsm'],
			models,
		},
		{at, type: 'stage', stage: 'fetch', state: 'start'},
		...models.map((model): RunEvent => ({at, type: 'model-ready', model, provider: 'cpu'})),
		...plan.tiles.slice(0, 4).flatMap((tile): RunEvent[] => [
			{at, type: 'tile-queued', layer: 'rgb', tileId: tile.id},
			{at, type: 'tile-queued', layer: 'dsm', tileId: tile.id},
		]),
		{at, type: 'log', level: 'info', message: 'fetching'},
	];
	for (const event of events) applyEvent(snapshot, event);
	return {
		snapshot: () => snapshot,
		subscribe: () => () => {},
		pause: () => {},
		resume: () => {},
		cancel: () => {},
		review: new Promise(() => {}),
	};
}

async function measure(columns: number, rows: number, incrementalRendering: boolean): Promise<number> {
	let bytes = 0;
	let counting = false;
	const stdout = Object.assign(
		new Writable({
			write(chunk: Buffer, _encoding, done) {
				if (counting) bytes += chunk.length;
				done();
			},
		}),
		{isTTY: true, columns, rows},
	);
	const stdin = Object.assign(new PassThrough(), {isTTY: true, setRawMode: () => {}, ref: () => {}, unref: () => {}});
	const services = {
		catalog: () => [{name: 'demo', source: 'shipped' as const, description: '', loaded: loadPreset('demo')}],
		startRun: idleRun,
		saveAsUserPreset: () => {
			throw new Error('not in the benchmark');
		},
		deleteUserPreset: () => {},
		rememberLastPreset: () => {},
		describeLayers: async () => [],
	};
	const instance = render(<App services={services} color onOutcome={() => {}} />, {
		...renderOptions,
		incrementalRendering,
		stdout: anchoredStdout(stdout as unknown as NodeJS.WriteStream),
		stdin: stdin as unknown as NodeJS.ReadStream,
		patchConsole: false,
	});
	await new Promise((resolve) => setTimeout(resolve, 500));
	stdin.write('\r');
	// Let the dashboard settle, then count.
	await new Promise((resolve) => setTimeout(resolve, 1500));
	counting = true;
	await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
	counting = false;
	instance.unmount();
	return bytes / seconds;
}

const result: Record<string, {standard: number; incremental: number}> = {};
for (const [columns, rows] of [
	[80, 24],
	[200, 50],
]) {
	result[`${columns}x${rows}`] = {
		standard: await measure(columns, rows, false),
		incremental: await measure(columns, rows, true),
	};
}
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
