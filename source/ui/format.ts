/** Number formatting for the terminal app: short, fixed-width friendly. */

/** m:ss, or h:mm:ss from an hour on. */
export function formatDuration(ms: number): string {
	const total = Math.max(0, Math.round(ms / 1000));
	const hours = Math.floor(total / 3600);
	const minutes = Math.floor((total % 3600) / 60);
	const seconds = String(total % 60).padStart(2, '0');
	return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

export function formatPercent(fraction: number, digits = 1): string {
	return `${(fraction * 100).toFixed(digits)}%`;
}

/** A plain number with at most `digits` decimals and no trailing zeros. */
export function formatNumber(value: number, digits = 2): string {
	if (Number.isInteger(value)) return value.toLocaleString('en');
	return value.toLocaleString('en', {maximumFractionDigits: digits});
}

/** An area in the plan CRS's unit (see areaUnit), square metres shortened to km² when large. */
export function formatArea(area: number, unit: string): string {
	if (unit === 'm²' && area >= 1e6) return `${formatNumber(area / 1e6, 2)} km²`;
	return `${formatNumber(area, area < 10 ? 2 : 0)} ${unit}`;
}

/** Cut or pad text to exactly `width` columns (no wrapping inside fixed panes). */
export function fit(text: string, width: number): string {
	if (width <= 0) return '';
	if (text.length > width) return width === 1 ? '…' : `${text.slice(0, width - 1)}…`;
	return text.padEnd(width);
}
