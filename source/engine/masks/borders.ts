/**
 * The mask values along a tile's four edges, bit-packed and base64-encoded so that `stats.json` can
 * carry them for every tile; the seam check compares them between neighbours.
 */

export type BorderStrips = {
	/** Top row, left to right. */
	top: string;
	/** Bottom row, left to right. */
	bottom: string;
	/** Left column, top to bottom. */
	left: string;
	/** Right column, top to bottom. */
	right: string;
};

function pack(mask: Uint8Array, start: number, step: number, length: number): string {
	const bytes = new Uint8Array(Math.ceil(length / 8));
	for (let k = 0; k < length; k++) if (mask[start + k * step]) bytes[k >> 3] |= 0x80 >> (k & 7);
	return Buffer.from(bytes).toString('base64');
}

export function borderStrips(mask: Uint8Array, width: number, height: number): BorderStrips {
	return {
		top: pack(mask, 0, 1, width),
		bottom: pack(mask, (height - 1) * width, 1, width),
		left: pack(mask, 0, width, height),
		right: pack(mask, width - 1, width, height),
	};
}

export function unpackStrip(strip: string, length: number): Uint8Array {
	const bytes = Buffer.from(strip, 'base64');
	const values = new Uint8Array(length);
	for (let k = 0; k < length; k++) values[k] = (bytes[k >> 3] >> (7 - (k & 7))) & 1;
	return values;
}

export type SeamComparison = {
	/** Pixel pairs compared (one pixel on each side of the seam, both with source data). */
	compared: number;
	/** Pairs where the two sides differ. */
	disagreeing: number;
	/** Pairs where at least one side is foreground. */
	foreground: number;
};

/**
 * Compares two facing strips of equal length, e.g. a tile's right column with its right neighbour's
 * left column. Positions where either side has no source data (`nodataA`, `nodataB`) are skipped.
 */
export function compareStrips(
	a: string,
	b: string,
	length: number,
	nodataA?: string,
	nodataB?: string,
): SeamComparison {
	const left = unpackStrip(a, length);
	const right = unpackStrip(b, length);
	const skipLeft = nodataA === undefined ? undefined : unpackStrip(nodataA, length);
	const skipRight = nodataB === undefined ? undefined : unpackStrip(nodataB, length);
	let compared = 0;
	let disagreeing = 0;
	let foreground = 0;
	for (let k = 0; k < length; k++) {
		if (skipLeft?.[k] || skipRight?.[k]) continue;
		compared++;
		if (left[k] !== right[k]) disagreeing++;
		if (left[k] || right[k]) foreground++;
	}
	return {compared, disagreeing, foreground};
}
