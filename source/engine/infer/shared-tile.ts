import type {DsmImage, RgbImage} from './preprocess.js';
import type {TileLayout} from './protocol.js';
import type {PredictInput} from './types.js';

/**
 * Copy a tile's rasters once into memory that every worker of the ensemble reads (none writes it), instead
 * of one copy per worker. The DSM comes first so that its float32 samples are aligned.
 */
export function shareTile(input: PredictInput): {tile: SharedArrayBuffer; layout: TileLayout} {
	const {rgb, dsm, rgbNodata} = input;
	const outside = input.context?.outside;
	const dsmBytes = dsm ? dsm.data.length * Float32Array.BYTES_PER_ELEMENT : 0;
	const tile = new SharedArrayBuffer(dsmBytes + rgb.data.length + (rgbNodata?.length ?? 0) + (outside?.length ?? 0));
	if (dsm) new Float32Array(tile, 0, dsm.data.length).set(dsm.data);
	new Uint8Array(tile, dsmBytes).set(rgb.data);
	if (rgbNodata) new Uint8Array(tile, dsmBytes + rgb.data.length).set(rgbNodata);
	if (outside) new Uint8Array(tile, dsmBytes + rgb.data.length + (rgbNodata?.length ?? 0)).set(outside);
	const layout: TileLayout = {width: rgb.width, height: rgb.height, hasDsm: dsm !== undefined, nodata: dsm?.nodata};
	if (rgbNodata) layout.hasRgbNodata = true;
	if (outside) layout.hasOutside = true;
	return {tile, layout};
}

/** The rasters of a shared tile, as views on its buffer (read only). */
export function tileImages(
	tile: SharedArrayBuffer,
	layout: TileLayout,
): {rgb: RgbImage; dsm?: DsmImage; outside?: Uint8Array} {
	const {width, height, hasDsm, nodata, hasRgbNodata, hasOutside} = layout;
	const pixels = width * height;
	const dsmBytes = hasDsm ? pixels * Float32Array.BYTES_PER_ELEMENT : 0;
	const rgb: RgbImage = {data: new Uint8Array(tile, dsmBytes, pixels * 3), width, height};
	if (hasRgbNodata) rgb.nodata = new Uint8Array(tile, dsmBytes + pixels * 3, pixels);
	const images: {rgb: RgbImage; dsm?: DsmImage; outside?: Uint8Array} = {rgb};
	if (hasDsm) images.dsm = {data: new Float32Array(tile, 0, pixels), width, height, nodata};
	if (hasOutside) images.outside = new Uint8Array(tile, dsmBytes + pixels * (hasRgbNodata ? 4 : 3), pixels);
	return images;
}
