/**
 * A single-band 8-bit Cloud-Optimized GeoTIFF written as its rows arrive, top to bottom, in memory bounded
 * by one row of tiles per level of the pyramid (the overviews' rows are a half, a quarter, … as wide).
 *
 * Each level keeps the rows of its current row of tiles; when that row is complete its tiles are deflated
 * and appended, with their leader and trailer (cog-layout.ts), to the level's own temporary data file,
 * and their offsets and sizes recorded. Every row a level receives goes on, as it passes, to the next
 * level. The overviews are what GDAL's COG driver makes of a paletted image: sizes halved (rounded down)
 * until the smallest fits in one tile, each from the level above by nearest neighbour (GDAL's pixel
 * choice, `floor(0.5 + i × ratio)`), so class ids stay class ids. At the end the head is written and the
 * levels' data appended after it, the smallest overview first, into a temporary file that is renamed
 * over the target: nothing half-written stays.
 */
import {open, rename, rm, type FileHandle} from 'node:fs/promises';
import {promisify} from 'node:util';
import {deflate} from 'node:zlib';
import {openTemporary} from '../fs/atomic.js';
import {storageError} from '../fs/storage-errors.js';
import {blockLeaderBytes, blockTrailerBytes, cogHead, cogHeadBytes, type CogImage} from './cog-layout.js';
import type {TiffTag} from './tiff-writer.js';

const deflateAsync = promisify(deflate);

export type CogOptions = {
	width: number;
	height: number;
	/** Tags of every level: photometric, palette, NoData. */
	imageTags: TiffTag[];
	/** Tags of the full resolution only: georeferencing, software. */
	fullResolutionTags: TiffTag[];
	/** Tile width and height, 256 or 512 (GDAL's default). */
	tileSize?: 256 | 512;
	/** The value of the edge tiles' pixels beyond the image (default 0). */
	fill?: number;
	/** BigTIFF even when the file stays under 4 GiB (it is BigTIFF anyway past that). */
	bigTiff?: boolean;
};

export type StreamingCog = {
	/** Appends whole rows, top to bottom; `rows.length` is a multiple of the width. */
	writeRows(rows: Uint8Array): Promise<void>;
	/** Once every row is written: writes the file. */
	close(): Promise<void>;
	/** Removes what was written so far (after a failure). */
	discard(): Promise<void>;
};

type Size = {width: number; height: number};

/** The full resolution, then each overview GDAL's COG driver would make. */
export function cogLevels(width: number, height: number, tileSize: number): Size[] {
	const levels = [{width, height}];
	while (width > tileSize || height > tileSize) {
		width = Math.max(1, Math.floor(width / 2));
		height = Math.max(1, Math.floor(height / 2));
		levels.push({width, height});
	}
	return levels;
}

/** GDAL's nearest-neighbour source index of each of `size` pixels taken from `sourceSize`. */
function nearestSources(size: number, sourceSize: number): Int32Array {
	const ratio = sourceSize / size;
	return Int32Array.from({length: size}, (_, i) => Math.min(sourceSize - 1, Math.floor(0.5 + i * ratio)));
}

class Level {
	readonly across: number;
	readonly offsets: Float64Array;
	readonly byteCounts: Uint32Array;
	dataBytes = 0;
	/** Rows received so far. */
	received = 0;
	private readonly rows: Uint8Array;
	/** The row of tiles cut out of `rows` for deflate, reused by every flush (each waits for its deflates). */
	private readonly tiles: Uint8Array[];
	private readonly stride: number;
	private buffered = 0;
	private tile = 0;
	/** For an overview: which row and columns of the level above each of its rows and columns takes. */
	private readonly sourceRows?: Int32Array;
	private readonly sourceColumns?: Int32Array;
	private readonly scratch?: Uint8Array;

	constructor(
		readonly size: Size,
		private readonly tileSize: number,
		private readonly fill: number,
		private readonly data: FileHandle,
		source: Size | undefined,
		private readonly next: Level | undefined,
	) {
		this.across = Math.ceil(size.width / tileSize);
		const tiles = this.across * Math.ceil(size.height / tileSize);
		this.offsets = new Float64Array(tiles);
		this.byteCounts = new Uint32Array(tiles);
		this.stride = this.across * tileSize;
		this.rows = new Uint8Array(this.stride * tileSize).fill(fill);
		this.tiles = Array.from({length: this.across}, () => new Uint8Array(tileSize * tileSize));
		if (source) {
			this.sourceRows = nearestSources(size.height, source.height);
			this.sourceColumns = nearestSources(size.width, source.width);
			this.scratch = new Uint8Array(size.width);
		}
	}

	/** Row `y` of the level above has passed: this overview takes its rows from it. */
	async take(row: Uint8Array, y: number): Promise<void> {
		while (this.received < this.size.height && this.sourceRows![this.received] === y) {
			const columns = this.sourceColumns!;
			for (let x = 0; x < columns.length; x++) this.scratch![x] = row[columns[x]];
			await this.push(this.scratch!);
		}
	}

	async push(row: Uint8Array): Promise<void> {
		this.rows.set(row, this.buffered * this.stride);
		this.buffered++;
		this.received++;
		if (this.buffered === this.tileSize || this.received === this.size.height) await this.flush();
		if (this.next) await this.next.take(row, this.received - 1);
	}

	/** Deflates the row of tiles and appends each, with its leader and trailer, to the data file. */
	private async flush(): Promise<void> {
		const {tileSize, stride} = this;
		const tiles = this.tiles.map((tile, column) => {
			for (let y = 0; y < tileSize; y++)
				tile.set(
					this.rows.subarray(y * stride + column * tileSize, y * stride + (column + 1) * tileSize),
					y * tileSize,
				);
			return deflateAsync(tile);
		});
		const parts: Uint8Array[] = [];
		const start = this.dataBytes;
		for (const compressed of await Promise.all(tiles)) {
			const leader = Buffer.alloc(blockLeaderBytes);
			leader.writeUInt32LE(compressed.length);
			parts.push(leader, compressed, compressed.subarray(compressed.length - blockTrailerBytes));
			this.offsets[this.tile] = this.dataBytes + blockLeaderBytes;
			this.byteCounts[this.tile] = compressed.length;
			this.dataBytes += blockLeaderBytes + compressed.length + blockTrailerBytes;
			this.tile++;
		}
		await this.data.writev(parts, start);
		this.rows.fill(this.fill);
		this.buffered = 0;
	}
}

const copyChunk = 1 << 20;
const classicLimit = 2 ** 32 - 1;

export async function openStreamingCog(file: string, options: CogOptions): Promise<StreamingCog> {
	const {width, height, imageTags, fullResolutionTags} = options;
	const tileSize = options.tileSize ?? 512;
	const fill = options.fill ?? 0;
	const sizes = cogLevels(width, height, tileSize);
	const temporaries: Array<{temporary: string; handle: FileHandle}> = [];
	const levels: Level[] = [];
	try {
		for (let k = sizes.length - 1; k >= 0; k--) {
			const data = await openTemporary(file);
			temporaries.push(data);
			levels.unshift(new Level(sizes[k], tileSize, fill, data.handle, sizes[k - 1], levels[0]));
		}
	} catch (error) {
		await removeAll(temporaries);
		throw storageError(error, file);
	}
	const [full] = levels;

	async function assemble(): Promise<void> {
		if (full.received !== height) throw new Error(`${file}: ${full.received} of ${height} rows were written`);
		const images: CogImage[] = levels.map((level, k) => ({
			...level.size,
			tags: k === 0 ? [...imageTags, ...fullResolutionTags] : imageTags,
			tileOffsets: level.offsets,
			tileByteCounts: level.byteCounts,
		}));
		const dataBytes = levels.reduce((sum, level) => sum + level.dataBytes, 0);
		const bigTiff = options.bigTiff === true || cogHeadBytes(images, tileSize, false) + dataBytes > classicLimit;
		// The smallest overview's data first, the full resolution's last.
		let base = cogHeadBytes(images, tileSize, bigTiff);
		for (let k = levels.length - 1; k >= 0; k--) {
			images[k].tileOffsets = levels[k].offsets.map((offset) => offset + base);
			base += levels[k].dataBytes;
		}
		const out = await openTemporary(file);
		temporaries.push(out);
		const head = cogHead(images, tileSize, bigTiff);
		await out.handle.write(head, 0, head.length, 0);
		let at = head.length;
		const chunk = Buffer.allocUnsafe(copyChunk);
		for (let k = levels.length - 1; k >= 0; k--) {
			const source = temporaries[levels.length - 1 - k].temporary;
			const reader = await open(source, 'r');
			try {
				for (let read = 0; read < levels[k].dataBytes;) {
					const {bytesRead} = await reader.read(chunk, 0, Math.min(copyChunk, levels[k].dataBytes - read), read);
					if (bytesRead === 0) throw new Error(`${source} ended after ${read} of ${levels[k].dataBytes} bytes`);
					await out.handle.write(chunk, 0, bytesRead, at);
					read += bytesRead;
					at += bytesRead;
				}
			} finally {
				await reader.close();
			}
		}
		await out.handle.sync();
		await out.handle.close();
		await rename(out.temporary, file);
		temporaries.pop();
	}

	return {
		async writeRows(rows) {
			if (rows.length % width !== 0) throw new Error(`${rows.length} bytes are not whole rows of ${width}`);
			if (full.received + rows.length / width > height) throw new Error(`${file} has only ${height} rows`);
			try {
				for (let start = 0; start < rows.length; start += width) await full.push(rows.subarray(start, start + width));
			} catch (error) {
				throw storageError(error, file);
			}
		},
		async close() {
			try {
				await assemble();
			} catch (error) {
				throw storageError(error, file);
			} finally {
				await removeAll(temporaries);
			}
		},
		discard: () => removeAll(temporaries),
	};
}

/** Closes and removes the temporary files (a handle already closed is fine). */
async function removeAll(temporaries: Array<{temporary: string; handle: FileHandle}>): Promise<void> {
	for (const {temporary, handle} of temporaries.splice(0)) {
		await handle.close().catch(() => undefined);
		await rm(temporary, {force: true});
	}
}
