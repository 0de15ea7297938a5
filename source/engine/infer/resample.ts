/**
 * Bilinear resampling of float planes, identical to PyTorch's
 * `F.interpolate(x, size, mode='bilinear', align_corners=False, antialias=True)` (the PIL algorithm):
 * a triangle filter stretched by the reduction factor when down-sampling, plain half-pixel-centred
 * bilinear when up-sampling. The recipe uses that call, so deepmask resizes exactly as the models were checked.
 */
type AxisWeights = {start: Int32Array; size: Int32Array; weights: Float32Array; taps: number};

function axisWeights(inSize: number, outSize: number): AxisWeights {
	const scale = inSize / outSize;
	const support = scale >= 1 ? scale : 1;
	const invScale = scale >= 1 ? 1 / scale : 1;
	const taps = Math.ceil(support) * 2 + 1;
	const start = new Int32Array(outSize);
	const size = new Int32Array(outSize);
	const weights = new Float32Array(outSize * taps);
	for (let i = 0; i < outSize; i++) {
		const center = scale * (i + 0.5);
		const lo = Math.max(Math.trunc(center - support + 0.5), 0);
		const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
		start[i] = lo;
		size[i] = hi - lo;
		let total = 0;
		for (let j = 0; j < hi - lo; j++) {
			const w = Math.max(0, 1 - Math.abs((j + lo - center + 0.5) * invScale));
			weights[i * taps + j] = w;
			total += w;
		}
		if (total > 0) for (let j = 0; j < hi - lo; j++) weights[i * taps + j] /= total;
	}
	return {start, size, weights, taps};
}

/** Resize one row-major plane of width × height to toWidth × toHeight. */
export function resizePlane(
	src: Float32Array,
	width: number,
	height: number,
	toWidth: number,
	toHeight: number,
): Float32Array {
	if (width === toWidth && height === toHeight) return src;
	return resizeRows((y, row) => row.set(src.subarray(y * width, (y + 1) * width)), 1, width, height, toWidth, toHeight);
}

/**
 * Resize `channels` planes of width × height, given a row at a time (`fillRow(y, row)` writes row y of plane c
 * at row[c × width …]), to toWidth × toHeight, plane-major. The same sums in the same order as resizePlane on
 * each plane, without the source planes ever being held whole. Into `into` when given (overwritten), else into
 * new planes.
 */
export function resizeRows(
	fillRow: (y: number, row: Float32Array) => void,
	channels: number,
	width: number,
	height: number,
	toWidth: number,
	toHeight: number,
	into?: Float32Array,
): Float32Array {
	const row = new Float32Array(width * channels);
	const toPlane = toWidth * toHeight;
	const out = into ? into.fill(0) : new Float32Array(channels * toPlane);
	if (width === toWidth && height === toHeight) {
		for (let y = 0; y < height; y++) {
			fillRow(y, row);
			for (let c = 0; c < channels; c++) out.set(row.subarray(c * width, (c + 1) * width), c * toPlane + y * width);
		}
		return out;
	}
	// The weights in locals: property reads in the inner loops cost more than the arithmetic (same sums, same order).
	const {
		start: columnStart,
		size: columnTaps,
		weights: columnWeights,
		taps: columnStride,
	} = axisWeights(width, toWidth);
	const {start: rowStart, size: rowTaps, weights: rowWeights, taps: rowStride} = axisWeights(height, toHeight);
	// Each plane resized along the rows first: toWidth × height per channel.
	const rowsPlane = toWidth * height;
	const rows = new Float32Array(channels * rowsPlane);
	for (let y = 0; y < height; y++) {
		fillRow(y, row);
		for (let c = 0; c < channels; c++) {
			const at = c * rowsPlane + y * toWidth;
			for (let x = 0; x < toWidth; x++) {
				const lo = c * width + columnStart[x];
				const base = x * columnStride;
				const taps = columnTaps[x];
				let sum = 0;
				for (let j = 0; j < taps; j++) sum += row[lo + j] * columnWeights[base + j];
				rows[at + x] = sum;
			}
		}
	}
	for (let c = 0; c < channels; c++) {
		const from = c * rowsPlane;
		for (let y = 0; y < toHeight; y++) {
			const lo = rowStart[y];
			const base = y * rowStride;
			const at = c * toPlane + y * toWidth;
			for (let j = 0; j < rowTaps[y]; j++) {
				const w = rowWeights[base + j];
				const source = from + (lo + j) * toWidth;
				for (let x = 0; x < toWidth; x++) out[at + x] += rows[source + x] * w;
			}
		}
	}
	return out;
}

/** Resize each of `planes` planes (plane-major) of width × height to toWidth × toHeight. */
export function resizePlanes(
	src: Float32Array,
	planes: number,
	width: number,
	height: number,
	toWidth: number,
	toHeight: number,
): Float32Array {
	if (planes === 1) return resizePlane(src, width, height, toWidth, toHeight);
	const out = new Float32Array(planes * toWidth * toHeight);
	for (let p = 0; p < planes; p++) {
		out.set(
			resizePlane(src.subarray(p * width * height, (p + 1) * width * height), width, height, toWidth, toHeight),
			p * toWidth * toHeight,
		);
	}
	return out;
}
