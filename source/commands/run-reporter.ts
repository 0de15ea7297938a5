import type {RunEvent} from '../engine/pipeline/events.js';

/** Plain progress lines for logs and pipes: one line per event worth a line, no cursor movement. */
export function plainRunReporter(stream: NodeJS.WritableStream): (event: RunEvent) => void {
	let tiles = 0;
	let layers = 1;
	const fetched = new Map<string, number>();
	let fetchedTiles = 0;
	let inferred = 0;
	let written = 0;
	const reasons = new Set<string>();
	const line = (text: string) => stream.write(`${text}\n`);
	const count = (n: number) => `[${String(n).padStart(String(tiles).length)}/${tiles}]`;
	return (event) => {
		switch (event.type) {
			case 'run-start':
				tiles = event.tiles;
				layers = event.layers.length;
				line(
					`run ${event.preset}: ${event.tiles} tiles (${event.rows} × ${event.cols}${event.skipped ? `, ${event.skipped} outside the area skipped` : ''}) into ${event.runDir}`,
				);
				return;
			case 'tile-fetched': {
				const seen = (fetched.get(event.tileId) ?? 0) + 1;
				fetched.set(event.tileId, seen);
				if (seen === layers) {
					fetched.delete(event.tileId);
					line(`fetch  ${count(++fetchedTiles)} ${event.tileId}${event.skipped ? ' (kept from an earlier run)' : ''}`);
				}
				return;
			}
			case 'tile-retry':
				line(`fetch  ${event.tileId} ${event.layer}: retry ${event.attempt} (${event.reason})`);
				return;
			case 'model-ready': {
				// Every model falls back for the same reason (no CUDA here): say it once.
				const reason = event.reason && !reasons.has(event.reason) ? ` (${event.reason})` : '';
				if (event.reason) reasons.add(event.reason);
				line(`model  ${event.model} on ${event.provider}${reason}`);
				return;
			}
			case 'tile-inferred':
				line(`infer  ${count(++inferred)} ${event.tileId}${event.skipped ? ' (kept from an earlier run)' : ''}`);
				return;
			case 'tile-written':
				line(`write  ${count(++written)} ${event.tileId}`);
				return;
			case 'writes-restarted':
				written = 0;
				line('write  again at the new threshold');
				return;
			case 'paused':
				line(event.paused ? 'paused' : 'resumed');
				return;
			case 'log':
				line(`${event.level === 'info' ? '' : `${event.level}: `}${event.message}`);
				return;
			case 'run-end':
				if (event.state !== 'done') line(`run ${event.state}${event.message ? `: ${event.message}` : ''}`);
				return;
			default:
		}
	};
}
