/** The streaming COG writer read back with geotiff.js (no GDAL): layout, pixels, overviews, BigTIFF, no leftovers. */
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fromArrayBuffer} from 'geotiff';
import {afterAll, describe, expect, it} from 'vitest';
import {georeferencingTags, nodataTag, paletteTags} from '../../source/engine/geo/geotiff.js';
import {cogLevels, openStreamingCog, type CogOptions} from '../../source/engine/geo/streaming-cog.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-cog-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

/** A class raster with structure at every scale: no two overview choices of pixels give the same image. */
function classes(width: number, height: number): Uint8Array {
	const data = new Uint8Array(width * height);
	let seed = 7;
	for (let i = 0; i < data.length; i++) {
		seed = (seed * 1103515245 + 12345) >>> 0;
		data[i] = (seed >>> 16) % 3;
	}
	return data;
}

/** Independent reference: nearest neighbour as GDAL picks pixels, from the level above. */
function downsample(
	source: Uint8Array,
	width: number,
	height: number,
	to: {width: number; height: number},
): Uint8Array {
	const out = new Uint8Array(to.width * to.height);
	for (let y = 0; y < to.height; y++) {
		const sy = Math.min(height - 1, Math.floor(0.5 + (y * height) / to.height));
		for (let x = 0; x < to.width; x++) {
			const sx = Math.min(width - 1, Math.floor(0.5 + (x * width) / to.width));
			out[y * to.width + x] = source[sy * width + sx];
		}
	}
	return out;
}

function options(width: number, height: number, extra: Partial<CogOptions> = {}): CogOptions {
	return {
		width,
		height,
		tileSize: 256,
		imageTags: [
			...paletteTags([
				[0, 0, 0],
				[255, 140, 0],
				[0, 90, 255],
			]),
			nodataTag(255),
		],
		fullResolutionTags: georeferencingTags({
			width,
			height,
			bbox: {xmin: 1000, ymax: 2000, xmax: 1000 + width / 2, ymin: 2000 - height / 2},
			epsg: 3857,
		}),
		...extra,
	};
}

async function write(file: string, data: Uint8Array, width: number, rowsPerCall: number, extra?: Partial<CogOptions>) {
	const height = data.length / width;
	const cog = await openStreamingCog(file, options(width, height, extra));
	for (let y = 0; y < height; y += rowsPerCall)
		await cog.writeRows(data.subarray(y * width, Math.min(height, y + rowsPerCall) * width));
	await cog.close();
	const bytes = readFileSync(file);
	return {bytes, tiff: await fromArrayBuffer(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length))};
}

describe('streaming COG', () => {
	it('has the overviews GDAL makes: halved until one tile holds them', () => {
		expect(cogLevels(1100, 700, 256)).toEqual([
			{width: 1100, height: 700},
			{width: 550, height: 350},
			{width: 275, height: 175},
			{width: 137, height: 87},
		]);
		expect(cogLevels(1536, 1024, 512)).toEqual([
			{width: 1536, height: 1024},
			{width: 768, height: 512},
			{width: 384, height: 256},
		]);
		expect(cogLevels(300, 200, 512)).toEqual([{width: 300, height: 200}]);
	});

	it('writes GDAL’s ghost area, the IFDs before the data, every pixel and nearest-neighbour overviews', async () => {
		const [width, height] = [1100, 700];
		const data = classes(width, height);
		// Rows arrive in batches that are no multiple of the tile size.
		const {bytes, tiff} = await write(path.join(dir, 'classic.tif'), data, width, 93);
		expect(bytes.subarray(0, 4)).toEqual(Buffer.from([0x49, 0x49, 42, 0]));
		const ghost = bytes.subarray(8, 191).toString('latin1');
		expect(ghost).toBe(
			'GDAL_STRUCTURAL_METADATA_SIZE=000140 bytes\nLAYOUT=IFDS_BEFORE_DATA\nBLOCK_ORDER=ROW_MAJOR\n' +
				'BLOCK_LEADER=SIZE_AS_UINT4\nBLOCK_TRAILER=LAST_4_BYTES_REPEATED\nKNOWN_INCOMPATIBLE_EDITION=NO\n ',
		);
		expect(bytes.readUInt32LE(4)).toBe(192);

		expect(await tiff.getImageCount()).toBe(4);
		const full = await tiff.getImage(0);
		expect([full.getWidth(), full.getHeight(), full.getTileWidth(), full.getTileHeight()]).toEqual([
			1100, 700, 256, 256,
		]);
		expect(full.getOrigin()).toEqual([1000, 2000, 0]);
		expect(full.getResolution()).toEqual([0.5, -0.5, 0]);
		expect(full.getGDALNoData()).toBe(255);
		expect(full.fileDirectory.getValue('Compression')).toBe(8);
		const fullPixels = (await full.readRasters({interleave: true})) as Uint8Array;
		expect(Buffer.from(fullPixels).equals(Buffer.from(data))).toBe(true);

		let above = {data, width, height};
		const tileStarts: number[] = [];
		for (let k = 1; k < 4; k++) {
			const image = await tiff.getImage(k);
			const size = {width: image.getWidth(), height: image.getHeight()};
			expect(size).toEqual(cogLevels(width, height, 256)[k]);
			expect(image.fileDirectory.getValue('NewSubfileType')).toBe(1);
			expect(image.fileDirectory.getValue('PhotometricInterpretation')).toBe(3);
			expect(image.getGDALNoData()).toBe(255);
			const expected = downsample(above.data, above.width, above.height, size);
			const pixels = (await image.readRasters({interleave: true})) as Uint8Array;
			expect(Buffer.from(pixels).equals(Buffer.from(expected)), `overview ${k}`).toBe(true);
			above = {data: expected, ...size};
		}
		// The data of the smallest overview comes first, the full resolution's last; each block has its leader and trailer.
		for (let k = 0; k < 4; k++) {
			const image = await tiff.getImage(k);
			const offsets = (await image.fileDirectory.loadValue('TileOffsets')) as number[];
			const counts = (await image.fileDirectory.loadValue('TileByteCounts')) as number[];
			tileStarts.push(offsets[0]);
			offsets.forEach((offset, i) => {
				expect(bytes.readUInt32LE(offset - 4)).toBe(counts[i]);
				expect(bytes.subarray(offset + counts[i] - 4, offset + counts[i])).toEqual(
					bytes.subarray(offset + counts[i], offset + counts[i] + 4),
				);
				if (i > 0) expect(offset).toBeGreaterThan(offsets[i - 1]);
			});
		}
		expect([...tileStarts].sort((a, b) => b - a)).toEqual(tileStarts);
	});

	it('writes BigTIFF when asked, with the same pixels', async () => {
		const [width, height] = [600, 300];
		const data = classes(width, height);
		const {bytes, tiff} = await write(path.join(dir, 'big.tif'), data, width, 300, {bigTiff: true});
		expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x49, 0x49, 43, 0, 8, 0, 0, 0]));
		expect(Number(bytes.readBigUInt64LE(8))).toBe(200);
		expect(bytes.subarray(16, 59).toString('latin1')).toBe('GDAL_STRUCTURAL_METADATA_SIZE=000140 bytes\n');
		expect(await tiff.getImageCount()).toBe(3);
		const pixels = (await (await tiff.getImage(0)).readRasters({interleave: true})) as Uint8Array;
		expect(Buffer.from(pixels).equals(Buffer.from(data))).toBe(true);
	});

	it('refuses rows beyond the height and a close before the last row, and leaves nothing behind', async () => {
		const before = readdirSync(dir);
		const file = path.join(dir, 'short.tif');
		const cog = await openStreamingCog(file, options(100, 50));
		await cog.writeRows(new Uint8Array(100 * 30));
		await expect(cog.writeRows(new Uint8Array(100 * 30))).rejects.toThrow(/has only 50 rows/);
		await expect(cog.writeRows(new Uint8Array(150))).rejects.toThrow(/not whole rows of 100/);
		await expect(cog.close()).rejects.toThrow(/30 of 50 rows/);
		expect(readdirSync(dir)).toEqual(before);

		const discarded = await openStreamingCog(file, options(100, 50));
		await discarded.writeRows(new Uint8Array(100 * 10));
		await discarded.discard();
		expect(readdirSync(dir)).toEqual(before);
	});
});
