/**
 * Renders the small demo-scene images the inference tests use (test/fixtures/infer/resize/):
 * <name>.rgb.u8 (H×W×3), <name>.dsm.f32 (H×W, metres) and index.json. fixtures.py then adds each
 * image's reference probabilities computed by PyTorch. From the held-out `west` box (areas.json).
 *
 * Usage: npx tsx models/recipe/render-fixtures.ts OUT_DIR
 */
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {renderScene} from '../../source/demo/scene.js';

const out = path.join(process.argv[2] ?? 'test/fixtures/infer', 'resize');
const west = (JSON.parse(readFileSync(new URL('./areas.json', import.meta.url), 'utf8')) as {heldOut: Record<string, {xmin: number; ymin: number}>}).heldOut.west;
const images = [
	{name: 'a', width: 192, height: 192, cell: 0.75, dx: 40, dy: 60},
	{name: 'b', width: 128, height: 128, cell: 1.0, dx: 250, dy: 210},
	{name: 'c', width: 160, height: 144, cell: 0.6, dx: 120, dy: 330},
];
mkdirSync(out, {recursive: true});
const index = images.map(({name, width, height, cell, dx, dy}) => {
	const bbox = {xmin: west.xmin + dx, ymin: west.ymin + dy, xmax: west.xmin + dx + width * cell, ymax: west.ymin + dy + height * cell};
	const scene = renderScene({bbox, width, height});
	writeFileSync(path.join(out, `${name}.rgb.u8`), scene.rgb!);
	writeFileSync(path.join(out, `${name}.dsm.f32`), new Uint8Array(scene.dsm!.buffer));
	return {name, width, height, cell, bbox};
});
writeFileSync(path.join(out, 'index.json'), `${JSON.stringify({images: index}, null, 2)}\n`);
