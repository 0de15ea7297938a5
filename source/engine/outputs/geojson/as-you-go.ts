/**
 * masks.geojson's polygons made while a run writes its mask tiles, so that the run-wide step after the last tile
 * only writes the file: each row of tiles is polygonised (MaskFeatures, in plan order as from the mask files) once
 * it and the first row below it are complete, from the values the mask files hold. It gives up, leaving the work
 * to the mask files, when a tile comes twice (written again at another threshold), when the tiles differ in size,
 * or when what it holds (rows waiting for a tile, the features' text) outgrows a bound; finalise then reads the
 * files as before.
 */
import {clipsToArea, outsideAreaValue} from '../../geo/area-clip.js';
import type {Tile} from '../../geo/plan.js';
import {resizeNearest, type Size} from '../../geo/resize-nearest.js';
import {assemble, MaskFeatures, type GeoJsonOptions, type MaskRow, type MosaicPlan} from './geojson.js';

/** Bytes of waiting mask tiles and features' text held at most before giving up (memory stays bounded). */
export const heldBytesLimit = 256 * 1024 * 1024;

export class PolygonsAsYouGo {
	private readonly waiting = new Map<number, Map<number, Uint8Array>>();
	private readonly seen = new Set<string>();
	private readonly tilesPerRow: number[];
	private readonly text: string[] = [];
	private features: MaskFeatures | undefined;
	private size: Size | undefined;
	/** The next row of tiles to polygonise, and that row assembled when it was the row below the last one. */
	private nextRow = 0;
	private assembled: MaskRow | undefined;
	private held = 0;
	private gaveUp = false;

	constructor(
		private readonly plan: MosaicPlan & Parameters<typeof clipsToArea>[0],
		private readonly options: GeoJsonOptions,
		private readonly limit = heldBytesLimit,
	) {
		this.tilesPerRow = Array.from({length: plan.rows}, () => 0);
		for (const tile of plan.tiles) this.tilesPerRow[tile.row]++;
	}

	/** A tile's mask (class ids at `size`) as its mask file holds it at `maskSize`. */
	add(tile: Tile, mask: Uint8Array, size: Size, maskSize: Size = size): void {
		if (this.gaveUp) return;
		if (
			this.seen.has(tile.id) ||
			(this.size && (this.size.width !== maskSize.width || this.size.height !== maskSize.height))
		)
			return this.giveUp();
		this.seen.add(tile.id);
		this.size = maskSize;
		const resized = resizeNearest(mask, size, maskSize);
		// What the mask files' readers see: nodata outside the area as background.
		const values = clipsToArea(this.plan)
			? resized.map((value) => (value === outsideAreaValue ? 0 : value))
			: Uint8Array.from(resized);
		let row = this.waiting.get(tile.row);
		if (!row) this.waiting.set(tile.row, (row = new Map()));
		row.set(tile.col, values);
		this.held += values.length;
		this.advance();
		if (this.held > this.limit) this.giveUp();
	}

	/** The features' text and count once every tile of the plan came and none twice; else undefined. */
	result(): {text: string[]; features: number} | undefined {
		if (this.gaveUp || !this.features || this.nextRow < this.plan.rows) return undefined;
		return {text: this.text, features: this.features.count};
	}

	private complete(row: number): boolean {
		return (this.waiting.get(row)?.size ?? 0) === this.tilesPerRow[row];
	}

	private rowAt(row: number): MaskRow {
		const rasters = this.waiting.get(row) ?? new Map<number, Uint8Array>();
		this.waiting.delete(row);
		for (const raster of rasters.values()) this.held -= raster.length;
		return assemble(rasters, this.plan.cols, this.size!);
	}

	private advance(): void {
		const {rows} = this.plan;
		while (this.nextRow < rows && (this.assembled || this.complete(this.nextRow))) {
			const last = this.nextRow === rows - 1;
			if (!last && !this.complete(this.nextRow + 1)) return;
			const current = this.assembled ?? this.rowAt(this.nextRow);
			this.assembled = last ? undefined : this.rowAt(this.nextRow + 1);
			this.features ??= new MaskFeatures(this.plan, current, this.options);
			const text = this.features.row(current, this.assembled?.values.subarray(0, current.width));
			if (text) {
				this.text.push(text);
				this.held += text.length;
			}
			this.nextRow++;
		}
	}

	private giveUp(): void {
		this.gaveUp = true;
		this.waiting.clear();
		this.text.length = 0;
		this.assembled = undefined;
	}
}
