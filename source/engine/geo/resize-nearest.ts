export type Size = {width: number; height: number};

/** Nearest-neighbour resampling of a byte raster, `bands` bytes per pixel interleaved (pixel centres mapped onto the source). */
export function resizeNearest(data: Uint8Array, from: Size, to: Size, bands = 1): Uint8Array {
	if (from.width === to.width && from.height === to.height) return data;
	const result = new Uint8Array(to.width * to.height * bands);
	const columns = new Int32Array(to.width);
	for (let x = 0; x < to.width; x++)
		columns[x] = Math.min(from.width - 1, Math.floor(((x + 0.5) * from.width) / to.width));
	for (let y = 0; y < to.height; y++) {
		const sourceRow = Math.min(from.height - 1, Math.floor(((y + 0.5) * from.height) / to.height)) * from.width;
		const row = y * to.width;
		for (let x = 0; x < to.width; x++) {
			const source = (sourceRow + columns[x]) * bands;
			const target = (row + x) * bands;
			for (let b = 0; b < bands; b++) result[target + b] = data[source + b];
		}
	}
	return result;
}
