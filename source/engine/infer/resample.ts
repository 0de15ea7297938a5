/**
 * Bilinear resampling of float planes, identical to PyTorch's
 * `F.interpolate(x, size, mode='bilinear', align_corners=False, antialias=True)` (the PIL algorithm):
 * a triangle filter stretched by the reduction factor when down-sampling, plain half-pixel-centred
 * bilinear when up-sampling. The recipe uses that call, so deepmask resizes exactly as the models were checked.
 */
/**
 * Output i takes size[i] samples from start[i] with weights[i × taps …]; taps, the stride, is the longest size
 * rounded up to a multiple of 4, the weights past size[i] being 0 (see resizeAlong).
 */
type AxisWeights = {start: Int32Array; size: Int32Array; weights: Float32Array; taps: number; run?: Run};

/**
 * Outputs first … end − 1 repeat the weights of the first `period` of them, each one's first tap `stride` samples
 * after that of the output `period` before it: a resize by ½ (period 1, four taps) or by 2 (period 2, two taps)
 * everywhere but at the axis's ends. resizeAlong takes such a run with the weights in locals, twice as fast as
 * reading them per output.
 */
type Run = {first: number; end: number; period: number; stride: number};

function axisWeights(inSize: number, outSize: number): AxisWeights {
	const scale = inSize / outSize;
	const support = scale >= 1 ? scale : 1;
	const invScale = scale >= 1 ? 1 / scale : 1;
	const start = new Int32Array(outSize);
	const size = new Int32Array(outSize);
	const centers = Array.from({length: outSize}, (_, i) => scale * (i + 0.5));
	centers.forEach((center, i) => {
		start[i] = Math.max(Math.trunc(center - support + 0.5), 0);
		size[i] = Math.min(Math.trunc(center + support + 0.5), inSize) - start[i];
	});
	const taps = Math.ceil(Math.max(0, ...size) / 4) * 4;
	const weights = new Float32Array(outSize * taps);
	centers.forEach((center, i) => {
		let total = 0;
		for (let j = 0; j < size[i]; j++) {
			const w = Math.max(0, 1 - Math.abs((j + start[i] - center + 0.5) * invScale));
			weights[i * taps + j] = w;
			total += w;
		}
		if (total > 0) for (let j = 0; j < size[i]; j++) weights[i * taps + j] /= total;
	});
	// Rounded to float32 as PyTorch's are.
	return {start, size, weights, taps, run: halvingRun(start, weights, taps) ?? doublingRun(start, size, weights, taps)};
}

/** The outputs around the middle whose weights and first taps repeat with `period` (see Run); undefined if too few. */
function repeatingRun(start: Int32Array, weights: Float32Array, taps: number, period: number): Run | undefined {
	const outputs = start.length;
	const middle = Math.floor(outputs / 2);
	if (middle < period * 2) return undefined;
	const stride = start[middle] - start[middle - period];
	const repeats = (x: number) => {
		if (start[x] - start[x - period] !== stride) return false;
		for (let j = 0; j < taps; j++) if (weights[x * taps + j] !== weights[(x - period) * taps + j]) return false;
		return true;
	};
	let first = middle - period;
	while (first >= 1 && repeats(first - 1 + period)) first--;
	let end = middle;
	while (end < outputs && repeats(end)) end++;
	return end - first >= period * 4 ? {first, end, period, stride} : undefined;
}

function halvingRun(start: Int32Array, weights: Float32Array, taps: number): Run | undefined {
	return taps === 4 ? repeatingRun(start, weights, taps, 1) : undefined;
}

/** Only where each output of the run has at most two taps (the others' weights are 0). */
function doublingRun(start: Int32Array, size: Int32Array, weights: Float32Array, taps: number): Run | undefined {
	const run = taps === 4 ? repeatingRun(start, weights, taps, 2) : undefined;
	return run && size.subarray(run.first, run.first + 2).every((taps) => taps <= 2) ? run : undefined;
}

/**
 * Resize one row-major plane of width × height to toWidth × toHeight: into `into` when given (overwritten), else
 * into a new plane, or `src` itself when the size is the same.
 */
export function resizePlane(
	src: Float32Array,
	width: number,
	height: number,
	toWidth: number,
	toHeight: number,
	into?: Float32Array,
): Float32Array {
	if (width !== toWidth || height !== toHeight)
		return resizeRows(
			(y, row) => row.set(src.subarray(y * width, (y + 1) * width)),
			1,
			width,
			height,
			toWidth,
			toHeight,
			into,
		);
	if (!into) return src;
	into.set(src);
	return into;
}

/**
 * Resize `channels` planes of width × height, given a row at a time (`fillRow(y, row)` writes row y of plane c
 * at row[c × width …]), to toWidth × toHeight, plane-major. The same sums in the same order as resizePlane on
 * each plane, without the source planes ever being held whole. Into `into` when given (overwritten), else into
 * new planes. The samples must be finite (see resizeAlong).
 *
 * Each row is resized along x as it comes, into a ring of the last few such rows, and each output row is summed
 * from the ring as soon as its last source row is in: the ring stays in the cache, where a whole toWidth × height
 * plane per channel went through memory twice.
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
	const toPlane = toWidth * toHeight;
	const out = into ?? new Float32Array(channels * toPlane);
	if (width === toWidth && height === toHeight) {
		const row = new Float32Array(width * channels);
		for (let y = 0; y < height; y++) {
			fillRow(y, row);
			for (let c = 0; c < channels; c++) out.set(row.subarray(c * width, (c + 1) * width), c * toPlane + y * width);
		}
		return out;
	}
	const columns = axisWeights(width, toWidth);
	const rows = axisWeights(height, toHeight);
	// Zeros after the last plane's samples, where the last windows' padding taps read.
	const row = new Float32Array(width * channels + columns.taps);
	const ringRows = Math.max(1, ...rows.size);
	const ring = new Float32Array(ringRows * channels * toWidth);
	let next = 0;
	for (let y = 0; y < height; y++) {
		fillRow(y, row);
		for (let c = 0; c < channels; c++)
			resizeAlong(columns, row, c * width, toWidth, ring, ((y % ringRows) * channels + c) * toWidth);
		for (; next < toHeight && rows.start[next] + rows.size[next] <= y + 1; next++)
			sumRows(rows, next, ring, ringRows, channels, toWidth, out, toPlane);
	}
	for (; next < toHeight; next++) sumRows(rows, next, ring, ringRows, channels, toWidth, out, toPlane);
	return out;
}

/**
 * One row resized along x: each output the float64 sum of its taps in order, stored as float32. Four taps a
 * step, the weights padded with 0 to a multiple of 4: a padding tap reads the next samples (or the zeros after
 * the row), and adds 0 × sample, ±0 for a finite sample, which leaves the running sum (0 or more, never −0) as
 * it is. So the sums are those of the taps alone.
 */
function resizeAlong(
	columns: AxisWeights,
	row: Float32Array,
	from: number,
	toWidth: number,
	ring: Float32Array,
	at: number,
): void {
	const {run} = columns;
	if (!run) {
		alongTaps(columns, row, from, 0, toWidth, ring, at);
		return;
	}
	alongTaps(columns, row, from, 0, run.first, ring, at);
	if (run.period === 1) alongHalving(columns, run, row, from, ring, at);
	else alongDoubling(columns, run, row, from, ring, at);
	alongTaps(columns, row, from, run.end, toWidth, ring, at);
}

/** Outputs x0 … x1 − 1 of the row, any taps. */
function alongTaps(
	columns: AxisWeights,
	row: Float32Array,
	from: number,
	x0: number,
	x1: number,
	ring: Float32Array,
	at: number,
): void {
	// The weights in locals: property reads in the inner loop cost more than the arithmetic.
	const {start, weights, taps} = columns;
	if (taps === 4) {
		// Resizes by less than 2 (and the ends of halving and doubling) take four taps: without the loop over them,
		// twice as fast.
		for (let x = x0, w = x0 * 4; x < x1; x++, w += 4) {
			const k = from + start[x];
			ring[at + x] =
				0 +
				row[k] * weights[w] +
				row[k + 1] * weights[w + 1] +
				row[k + 2] * weights[w + 2] +
				row[k + 3] * weights[w + 3];
		}
		return;
	}
	for (let x = x0, w = x0 * taps; x < x1; x++, w += taps) {
		const k = from + start[x];
		let sum = 0;
		for (let j = 0; j < taps; j += 4)
			sum =
				sum +
				row[k + j] * weights[w + j] +
				row[k + j + 1] * weights[w + j + 1] +
				row[k + j + 2] * weights[w + j + 2] +
				row[k + j + 3] * weights[w + j + 3];
		ring[at + x] = sum;
	}
}

/** A period-1 run of four taps. */
function alongHalving(
	{start, weights}: AxisWeights,
	{first, end, stride}: Run,
	row: Float32Array,
	from: number,
	ring: Float32Array,
	at: number,
): void {
	const w = first * 4;
	const [w0, w1, w2, w3] = [weights[w], weights[w + 1], weights[w + 2], weights[w + 3]];
	for (let x = first, k = from + start[first]; x < end; x++, k += stride)
		ring[at + x] = 0 + row[k] * w0 + row[k + 1] * w1 + row[k + 2] * w2 + row[k + 3] * w3;
}

/** A period-2 run of two taps (the other two weights 0, whose products would add ±0). */
function alongDoubling(
	{start, weights}: AxisWeights,
	{first, end, stride}: Run,
	row: Float32Array,
	from: number,
	ring: Float32Array,
	at: number,
): void {
	const w = first * 4;
	const [a0, a1, b0, b1] = [weights[w], weights[w + 1], weights[w + 4], weights[w + 5]];
	let x = first;
	for (let j = from + start[first], k = from + start[first + 1]; x + 1 < end; x += 2, j += stride, k += stride) {
		ring[at + x] = 0 + row[j] * a0 + row[j + 1] * a1;
		ring[at + x + 1] = 0 + row[k] * b0 + row[k + 1] * b1;
	}
	if (x < end) ring[at + x] = 0 + row[from + start[x]] * a0 + row[from + start[x] + 1] * a1;
}

/**
 * Output row y of every channel from the ring: for each pixel, 0 plus each tap's product in order, rounded to
 * float32 after each addition (as adding the taps one by one into float32 planes filled with 0 does).
 */
function sumRows(
	rows: AxisWeights,
	y: number,
	ring: Float32Array,
	ringRows: number,
	channels: number,
	toWidth: number,
	out: Float32Array,
	toPlane: number,
): void {
	const lo = rows.start[y];
	const taps = rows.size[y];
	const base = y * rows.taps;
	if (rows.taps === 4) {
		sumFourRows(
			rows.weights.subarray(base, base + 4),
			lo,
			taps,
			ring,
			ringRows,
			channels,
			toWidth,
			out,
			y * toWidth,
			toPlane,
		);
		return;
	}
	for (let c = 0; c < channels; c++) {
		const at = c * toPlane + y * toWidth;
		out.fill(0, at, at + toWidth);
		let j = 0;
		// Two taps a pass: half the reads and writes of the output row.
		for (; j + 1 < taps; j += 2) {
			const w = rows.weights[base + j];
			const v = rows.weights[base + j + 1];
			const first = (((lo + j) % ringRows) * channels + c) * toWidth;
			const second = (((lo + j + 1) % ringRows) * channels + c) * toWidth;
			for (let x = 0; x < toWidth; x++)
				out[at + x] = Math.fround(out[at + x] + ring[first + x] * w) + ring[second + x] * v;
		}
		if (j < taps) {
			const w = rows.weights[base + j];
			const source = (((lo + j) % ringRows) * channels + c) * toWidth;
			for (let x = 0; x < toWidth; x++) out[at + x] += ring[source + x] * w;
		}
	}
}

/**
 * sumRows for at most four taps (halving and doubling), each pixel's sum kept in a local rather than added into the
 * output row tap by tap: the same roundings in the same order. Past the row's taps a weight is 0 and its row the
 * last tap's, so it adds 0 × a finite sample (±0), which leaves the sum (never −0, as it starts from 0 + …) as it is.
 */
function sumFourRows(
	weights: Float32Array,
	lo: number,
	taps: number,
	ring: Float32Array,
	ringRows: number,
	channels: number,
	toWidth: number,
	out: Float32Array,
	outRow: number,
	toPlane: number,
): void {
	const [w0, w1, w2, w3] = weights;
	const ringRow = (j: number) => ((lo + Math.min(j, taps - 1)) % ringRows) * channels * toWidth;
	const [r0, r1, r2, r3] = [ringRow(0), ringRow(1), ringRow(2), ringRow(3)];
	for (let c = 0, channel = 0; c < channels; c++, channel += toWidth) {
		const at = c * toPlane + outRow;
		const a = r0 + channel;
		const b = r1 + channel;
		const d = r2 + channel;
		const e = r3 + channel;
		if (taps <= 2) {
			// Doubling: the last two products are ±0.
			for (let x = 0; x < toWidth; x++) out[at + x] = Math.fround(0 + ring[a + x] * w0) + ring[b + x] * w1;
			continue;
		}
		for (let x = 0; x < toWidth; x++) {
			let sum = Math.fround(0 + ring[a + x] * w0);
			sum = Math.fround(sum + ring[b + x] * w1);
			sum = Math.fround(sum + ring[d + x] * w2);
			out[at + x] = sum + ring[e + x] * w3;
		}
	}
}

/** Resize each of `planes` planes (plane-major) of width × height to toWidth × toHeight; into `into` when given (overwritten). */
export function resizePlanes(
	src: Float32Array,
	planes: number,
	width: number,
	height: number,
	toWidth: number,
	toHeight: number,
	into?: Float32Array,
): Float32Array {
	if (planes === 1) return resizePlane(src, width, height, toWidth, toHeight, into);
	const out = into ?? new Float32Array(planes * toWidth * toHeight);
	const [plane, toPlane] = [width * height, toWidth * toHeight];
	for (let p = 0; p < planes; p++)
		resizePlane(
			src.subarray(p * plane, (p + 1) * plane),
			width,
			height,
			toWidth,
			toHeight,
			out.subarray(p * toPlane, (p + 1) * toPlane),
		);
	return out;
}
