/**
 * Writing the tiles' masks (and what else is written per tile), and remembering at which threshold they
 * were written: a headless run writes each tile as soon as it is inferred, and the final write redoes
 * the tiles only when the threshold moved since.
 */
import {sameThreshold, type Threshold} from '../classes/threshold.js';
import type {GeoRaster} from '../geo/georaster.js';
import type {Tile} from '../geo/plan.js';
import type {RunOutputs} from '../outputs/run-outputs.js';
import type {RunLifecycle} from './lifecycle.js';

export type MaskWriterContext = {outputs: RunOutputs; lifecycle: RunLifecycle};

export class MaskWriter {
	readonly files: string[] = [];
	private readonly written = new Set<string>();
	private threshold: Threshold | undefined;

	constructor(private readonly context: MaskWriterContext) {}

	/** The run's output formats: their run-wide step comes after the tiles. */
	get outputs(): RunOutputs {
		return this.context.outputs;
	}

	/** Whether a format needs the tiles' RGB. */
	get needsRgb(): boolean {
		return this.context.outputs.usesRgb;
	}

	/** Whether every one of `tiles` was written at `threshold`. */
	covers(tiles: Tile[], threshold: Threshold): boolean {
		return (
			this.threshold !== undefined &&
			sameThreshold(this.threshold, threshold) &&
			tiles.every((tile) => this.written.has(tile.id))
		);
	}

	/** Forget what was written (at another threshold): the next writes replace it. */
	restart(threshold: Threshold): void {
		if (this.written.size > 0) this.context.lifecycle.emit({type: 'writes-restarted'});
		this.threshold = threshold;
		this.written.clear();
		this.files.length = 0;
	}

	async write(tile: Tile, mask: Uint8Array, rgb: GeoRaster | undefined, threshold: Threshold): Promise<void> {
		if (this.threshold === undefined || !sameThreshold(this.threshold, threshold)) this.restart(threshold);
		const {outputs, lifecycle} = this.context;
		this.files.push(...(await outputs.writeTile({tile, mask, size: {width: tile.width, height: tile.height}, rgb})));
		this.written.add(tile.id);
		lifecycle.emit({type: 'tile-written', tileId: tile.id});
	}
}
