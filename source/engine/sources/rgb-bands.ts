/** Which bands are red, green and blue: by their names (an ImageServer's `bandNames`, a GeoTIFF's band descriptions), as ArcGIS Pro and QGIS pick them. */

const spellings: Record<'red' | 'green' | 'blue', string[]> = {
	red: ['red', 'r', 'redband', 'bandred', 'rouge', 'rot', 'rojo', 'vermelho'],
	green: ['green', 'g', 'greenband', 'bandgreen', 'vert', 'grun', 'verde'],
	blue: ['blue', 'b', 'blueband', 'bandblue', 'bleu', 'blau', 'azul'],
};

function key(name: string): string {
	return name
		.normalize('NFD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/[^a-z]/g, '');
}

/** The 0-based ids of the red, green and blue bands, or undefined when the names do not say. */
export function rgbBandIds(bandNames: string[]): [number, number, number] | undefined {
	const keys = bandNames.map(key);
	const find = (colour: keyof typeof spellings) => {
		const matches = keys.flatMap((name, index) => (spellings[colour].includes(name) ? [index] : []));
		return matches.length === 1 ? matches[0] : undefined;
	};
	const ids = [find('red'), find('green'), find('blue')];
	return ids.every((id) => id !== undefined) ? (ids as [number, number, number]) : undefined;
}
