/**
 * The memory figure alone, as `npm run bench` measures it (a run over 16× the tiles against 1×, each run in a fresh
 * process): `npx tsx bench/memory-figure.ts [REPEATS] [TILES…]`, default 5 repeats of 16 and 256 tiles of 64 px.
 * Prints each repeat's peak RSS and ratio, then the JSON.
 */
import {memoryByExtent, memoryRatios} from './figures.js';
import {median} from './measure.js';

const [repeats = 5, ...tiles] = process.argv.slice(2).map(Number);
const tileCounts = tiles.length >= 2 ? tiles : [16, 256];
const results = await memoryByExtent(tileCounts, 64, repeats);
const [first, last] = [results[0], results.at(-1)!];
const ratios = memoryRatios(results);
ratios.forEach((ratio, repeat) =>
	process.stderr.write(
		`${first.peakRssMb[repeat].toFixed(0)} → ${last.peakRssMb[repeat].toFixed(0)} MB: ${ratio.toFixed(2)}×\n`,
	),
);
process.stderr.write(
	`${last.tiles} tiles over ${first.tiles}: median ${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×)\n`,
);
process.stdout.write(`${JSON.stringify({results, ratios})}\n`);
