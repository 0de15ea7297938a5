/**
 * Renders the demo scene into training and validation arrays for train.py:
 *   <out>/<split>_rgb.u8   N×S×S×3 uint8
 *   <out>/<split>_dsm.f32  N×S×S float32 (metres, little-endian)
 *   <out>/<split>_y.u8     N×S×S uint8 building truth (0/1), or with --classes landcover the land-cover
 *                          class ids (0 background, 1 building, 2 road, 3 tree: LandCover in source/demo/scene.ts)
 *   <out>/<split>.json     {count, size, cells}
 * Training patches come from areas.json's `train` box, away from every held-out box; each has a random
 * cell size in [0.5, 1.0] m so the models work for 0.5 m tiles at native resolution (sliding) and for
 * 512-px tiles resized to 256 (about 1 m). Validation patches come from the held-out `suburb` box.
 *
 * Usage: npx tsx models/recipe/render-dataset.ts OUT_DIR [TRAIN_COUNT] [VAL_COUNT] [--classes landcover]
 */
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {sequence} from '../../source/demo/noise.js';
import {renderScene} from '../../source/demo/scene.js';

type Box = {xmin: number; ymin: number; xmax: number; ymax: number};
const areas = JSON.parse(readFileSync(new URL('./areas.json', import.meta.url), 'utf8')) as {
	train: Box;
	margin: number;
	heldOut: Record<string, Box>;
};

const size = 256;
const args = process.argv.slice(2);
const classesAt = args.indexOf('--classes');
const classes = classesAt >= 0 ? args.splice(classesAt, 2)[1] : 'building';
if (classes !== 'building' && classes !== 'landcover') throw new Error(`--classes ${classes}: building or landcover`);
const truthLayer = classes === 'landcover' ? 'landcover' : 'buildings';
const [outDir = 'models/recipe/data', trainCount = '640', valCount = '48'] = args;

const overlaps = (a: Box, b: Box, margin: number) =>
	a.xmin < b.xmax + margin && a.xmax > b.xmin - margin && a.ymin < b.ymax + margin && a.ymax > b.ymin - margin;

function patches(count: number, region: Box, seed: number, avoidHeldOut: boolean): Array<{bbox: Box; cell: number}> {
	const next = sequence(seed);
	const out: Array<{bbox: Box; cell: number}> = [];
	while (out.length < count) {
		const cell = 0.5 + 0.5 * next();
		const extent = size * cell;
		const xmin = region.xmin + next() * (region.xmax - region.xmin - extent);
		const ymin = region.ymin + next() * (region.ymax - region.ymin - extent);
		const bbox = {xmin, ymin, xmax: xmin + extent, ymax: ymin + extent};
		if (avoidHeldOut && Object.values(areas.heldOut).some((box) => overlaps(bbox, box, areas.margin))) continue;
		out.push({bbox, cell});
	}
	return out;
}

function write(split: string, list: Array<{bbox: Box; cell: number}>): void {
	const pixels = size * size;
	const rgb = new Uint8Array(list.length * pixels * 3);
	const dsm = new Float32Array(list.length * pixels);
	const truth = new Uint8Array(list.length * pixels);
	list.forEach(({bbox}, index) => {
		const scene = renderScene({bbox, width: size, height: size}, new Set(['rgb', 'dsm', truthLayer]));
		rgb.set(scene.rgb!, index * pixels * 3);
		dsm.set(scene.dsm!, index * pixels);
		truth.set(scene[truthLayer]!, index * pixels);
	});
	mkdirSync(outDir, {recursive: true});
	writeFileSync(path.join(outDir, `${split}_rgb.u8`), rgb);
	writeFileSync(path.join(outDir, `${split}_dsm.f32`), new Uint8Array(dsm.buffer));
	writeFileSync(path.join(outDir, `${split}_y.u8`), truth);
	writeFileSync(path.join(outDir, `${split}.json`), JSON.stringify({count: list.length, size, classes, cells: list.map((patch) => patch.cell)}));
	process.stderr.write(`${split}: ${list.length} patches of ${size} px\n`);
}

write('train', patches(Number(trainCount), areas.train, 1, true));
write('val', patches(Number(valCount), areas.heldOut.suburb, 2, false));
