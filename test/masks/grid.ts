/** Hand-made masks for tests: '#' = 1, '.' = 0, rows separated by whitespace. */
export function grid(text: string): {mask: Uint8Array; width: number; height: number} {
	const rows = text.trim().split(/\s+/);
	const width = rows[0].length;
	const mask = new Uint8Array(width * rows.length);
	rows.forEach((row, y) => [...row].forEach((c, x) => (mask[y * width + x] = c === '#' ? 1 : 0)));
	return {mask, width, height: rows.length};
}

export function show(mask: Uint8Array, width: number): string {
	const rows: string[] = [];
	for (let i = 0; i < mask.length; i += width)
		rows.push([...mask.subarray(i, i + width)].map((v) => (v ? '#' : '.')).join(''));
	return rows.join(' ');
}
