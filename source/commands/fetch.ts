import path from 'node:path';
import type {Command} from 'commander';
import {abortError} from '../errors.js';
import type {FetchEvent, FetchSummary} from '../engine/fetch/fetch-tiles.js';
import {formatBytes} from '../app/format.js';
import {presetFromOptions, withPresetOptions, type PresetOptionValues} from './preset-options.js';

type FetchOptionValues = PresetOptionValues & {out?: string; json?: boolean};

/** Without a finished tile for this long, a line says that downloads are still moving. */
const heartbeatMs = 5000;

/** Plain stderr lines: one per finished tile, retries, failures and log lines. No cursor tricks. */
function plainReporter(layerCount: number, total: number): (event: FetchEvent) => void {
	const parts = new Map<string, {bytes: string[]; skipped: boolean}>();
	const receiving = new Map<string, number>();
	let finished = 0;
	let lastLine = Date.now();
	const width = String(total).length;
	const line = (text: string) => {
		lastLine = Date.now();
		process.stderr.write(`${text}\n`);
	};
	return (event) => {
		switch (event.type) {
			case 'tile-progress': {
				receiving.set(`${event.tileId} ${event.layer}`, event.bytes);
				if (Date.now() - lastLine < heartbeatMs) return;
				const received = [...receiving.values()].reduce((sum, bytes) => sum + bytes, 0);
				line(
					`  ${finished}/${total} tiles done; ${formatBytes(received)} received for ${receiving.size} tile layers in flight`,
				);
				return;
			}
			case 'tile-done': {
				receiving.delete(`${event.tileId} ${event.layer}`);
				const tile = parts.get(event.tileId) ?? {bytes: [], skipped: true};
				tile.bytes.push(`${event.layer} ${formatBytes(event.bytes)}`);
				tile.skipped &&= event.skipped;
				parts.set(event.tileId, tile);
				if (tile.bytes.length < layerCount) return;
				parts.delete(event.tileId);
				finished++;
				line(
					`[${String(finished).padStart(width)}/${total}] ${event.tileId}  ${tile.skipped ? 'kept (valid earlier download)' : 'downloaded'}  ${tile.bytes.join('  ')}`,
				);
				return;
			}
			case 'tile-retry':
				line(`  ${event.tileId} ${event.layer}: retry ${event.attempt} (${event.reason})`);
				return;
			case 'tile-failed':
				line(`  ${event.tileId} ${event.layer}: failed: ${event.error}`);
				return;
			case 'log':
				line(`${event.level}: ${event.message}`);
				return;
			default:
		}
	};
}

function summaryLine(summary: FetchSummary, runDir: string): string {
	return `fetched ${summary.tiles} tiles into ${runDir}: ${summary.downloaded} downloaded, ${summary.skipped} kept from an earlier run, ${formatBytes(summary.bytesWritten)} written in ${(summary.ms / 1000).toFixed(1)} s`;
}

export function register(program: Command): void {
	withPresetOptions(program.command('fetch'))
		.description('download the RGB and DSM tiles of a preset into a run folder (resumes: valid tiles are kept)')
		.option('-o, --out <dir>', "run folder (default: the preset's output.dir)")
		.option('--json', 'NDJSON events on stdout instead of progress lines on stderr')
		.addHelpText('after', '\nExample:\n  deepmask fetch --preset demo --out /tmp/demo-run')
		.action(async (options: FetchOptionValues) => {
			const {preset, area} = await presetFromOptions(options);
			const [{fetchAll}, {makePlan}, {connectServices}] = await Promise.all([
				import('../engine/fetch/fetch-tiles.js'),
				import('../engine/geo/plan.js'),
				import('../app/embedded-service.js'),
			]);
			const plan = makePlan(preset, area);
			const runDir = path.resolve(options.out ?? preset.output.dir);
			const onEvent = options.json
				? (event: FetchEvent) => process.stdout.write(`${JSON.stringify(event)}\n`)
				: plainReporter(preset.layers.dsm ? 2 : 1, plan.tiles.length);

			const services = await connectServices(preset);
			const controller = new AbortController();
			const interrupt = () =>
				controller.abort(abortError('interrupted; run the same command again to resume (finished tiles are kept)'));
			process.once('SIGINT', interrupt);
			process.once('SIGTERM', interrupt);
			try {
				const summary = await fetchAll({
					plan,
					layers: preset.layers,
					runDir,
					concurrency: preset.concurrency,
					signal: controller.signal,
					onEvent,
					urlRewrite: services.urlRewrite,
				});
				if (options.json) process.stdout.write(`${JSON.stringify({type: 'summary', runDir, ...summary})}\n`);
				else process.stdout.write(`${summaryLine(summary, runDir)}\n`);
			} finally {
				process.off('SIGINT', interrupt);
				process.off('SIGTERM', interrupt);
				await services.close();
			}
		});
}
