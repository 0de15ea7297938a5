/**
 * Per-class IoU / precision / recall of a `deepmask run`'s land-cover masks against the demo scene's
 * land-cover truth (LandCover in source/demo/scene.ts), rendered on each mask tile's own grid. Pixels
 * outside the extent or area (nodata 255) are left out. For runs of a demo preset with a four-class
 * ensemble (presets/demo-landcover.json), e.g. on a held-out box of areas.json:
 *
 *   deepmask run --preset demo-landcover --extent 1001800,5998200,1002568,5998712 --out /tmp/suburb --yes
 *   npx tsx models/recipe/score-landcover.ts /tmp/suburb
 *
 * Prints a markdown row per class and writes nothing.
 */
import {readdirSync} from 'node:fs';
import path from 'node:path';
import {LandCover, renderScene} from '../../source/demo/scene.js';
import {readGeoTiffFile} from '../../source/engine/geo/geotiff.js';

const [runDir] = process.argv.slice(2);
if (!runDir) {
	process.stderr.write('usage: score-landcover.ts RUN_DIR\n');
	process.exit(2);
}
const names = Object.keys(LandCover) as Array<keyof typeof LandCover>;
const counts = names.map(() => ({tp: 0, fp: 0, fn: 0}));
let pixels = 0;
let correct = 0;
const maskDir = path.join(runDir, 'masks');
const files = readdirSync(maskDir).filter((file) => file.endsWith('.tif'));
for (const file of files) {
	const mask = await readGeoTiffFile(path.join(maskDir, file));
	const {width, height, bbox} = mask;
	const truth = renderScene({bbox, width, height}, new Set(['landcover'])).landcover!;
	const data = mask.data as Uint8Array;
	for (let p = 0; p < truth.length; p++) {
		const predicted = data[p];
		if (predicted === 255) continue;
		const actual = truth[p];
		pixels++;
		if (predicted === actual) {
			correct++;
			counts[actual].tp++;
		} else {
			if (predicted < counts.length) counts[predicted].fp++;
			counts[actual].fn++;
		}
	}
}
const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b).toFixed(3);
process.stdout.write(`${files.length} mask tiles, ${pixels} pixels, accuracy ${ratio(correct, pixels)}\n`);
process.stdout.write('| class | IoU | precision | recall |\n|---|---|---|---|\n');
names.forEach((name, k) => {
	const {tp, fp, fn} = counts[k];
	process.stdout.write(`| ${name} | ${ratio(tp, tp + fp + fn)} | ${ratio(tp, tp + fp)} | ${ratio(tp, tp + fn)} |\n`);
});
