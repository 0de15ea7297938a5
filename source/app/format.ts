/** Plain-text formatting shared by the commands and the terminal app. */

export function formatBytes(bytes: number): string {
	if (bytes < 1024) return `${Math.round(bytes)} B`;
	const units = ['kB', 'MB', 'GB', 'TB'];
	let value = bytes / 1024;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}
	return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** A coordinate or length in map units: no thousands separators (commas separate coordinates), at most 3 decimals. */
export function formatMapUnits(value: number): string {
	return Number.isInteger(value) ? String(value) : value.toFixed(3).replace(/\.?0+$/, '');
}
