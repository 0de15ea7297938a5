/**
 * Renders a piece of the demo scene to PNG files for looking at it:
 * npx tsx test/demo/render-png.ts OUTDIR [xmin ymin cellSize width height]
 */
import sharp from 'sharp';
import path from 'node:path';
import {mkdirSync} from 'node:fs';
import {DEMO_ORIGIN, renderScene} from '../../source/demo/scene.js';

const [out = '/tmp/deepmask-scene', x0, y0, cell, w, h] = process.argv.slice(2);
const cellSize = Number(cell ?? 0.5);
const width = Number(w ?? 1024);
const height = Number(h ?? 1024);
const xmin = Number(x0 ?? DEMO_ORIGIN.x - (width * cellSize) / 2);
const ymin = Number(y0 ?? DEMO_ORIGIN.y - (height * cellSize) / 2);
const bbox = {xmin, ymin, xmax: xmin + width * cellSize, ymax: ymin + height * cellSize};
mkdirSync(out, {recursive: true});
const started = performance.now();
const scene = renderScene({bbox, width, height});
console.log(`rendered ${width}×${height} in ${(performance.now() - started).toFixed(0)} ms`);
await sharp(scene.rgb!, {raw: {width, height, channels: 3}})
	.png()
	.toFile(path.join(out, 'rgb.png'));
const dsm = scene.dsm!;
let lo = Infinity;
let hi = -Infinity;
for (const z of dsm) {
	lo = Math.min(lo, z);
	hi = Math.max(hi, z);
}
const grey = Uint8Array.from(dsm, (z) => ((z - lo) / (hi - lo)) * 255);
await sharp(grey, {raw: {width, height, channels: 1}})
	.png()
	.toFile(path.join(out, 'dsm.png'));
await sharp(
	Uint8Array.from(scene.buildings!, (b) => b * 255),
	{raw: {width, height, channels: 1}},
)
	.png()
	.toFile(path.join(out, 'buildings.png'));
console.log(`DSM ${lo.toFixed(1)}–${hi.toFixed(1)} m; wrote ${out}/{rgb,dsm,buildings}.png`);
