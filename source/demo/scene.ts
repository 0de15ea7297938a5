/**
 * Renders the procedural demo town (layout.ts) for any extent in EPSG:3857 at any cell size:
 * an aerial-photo-like RGB, a DSM in metres and the building ground truth. Every pixel is sampled
 * at its centre from functions of world position only, so renders of overlapping areas agree.
 *
 * Two passes: per pixel, the ground (terrain, fields, lawns, streets); then per object near the
 * extent, the objects rasterised over their own pixel range with a height buffer (boxes and trees),
 * and their cast shadows tested against that height buffer.
 */
import type {Bbox} from '../engine/geo/georaster.js';
import {
	BlockKind,
	blockKind,
	blockObjects,
	density,
	gridCos,
	gridSin,
	gridToWorld,
	halfWidthOf,
	inRects,
	lineIndex,
	lineU,
	lineV,
	RoadKind,
	roadKind,
	sidewalkOf,
	terrainHeight,
	toGridU,
	toGridV,
	type Box,
	type Pavement,
	type Tree,
} from './layout.js';
import {hash3, valueNoise} from './noise.js';

export {DEMO_ORIGIN} from './layout.js';

export type SceneLayer = 'rgb' | 'dsm' | 'buildings' | 'landcover';
type SceneRequest = {bbox: Bbox; width: number; height: number};
type SceneRender = {rgb?: Uint8Array; dsm?: Float32Array; buildings?: Uint8Array; landcover?: Uint8Array};

/**
 * The land-cover truth's class ids (the `landcover` layer, for multi-class models): building = the
 * building footprints (the `buildings` layer), tree = visible tree crowns outside them, road = the
 * carriageway of every street (main, minor and tracks; not pavements) where no crown hides it,
 * background = the rest (cars keep the road under them).
 */
export const LandCover = {background: 0, building: 1, road: 2, tree: 3} as const;

const allSceneLayers: ReadonlySet<SceneLayer> = new Set(['rgb', 'dsm', 'buildings']);

/** The demo's CRS: Web Mercator metres. */
export const SCENE_EPSG = 3857;

// The sun: azimuth 200° (clockwise from north), 42° above the horizon.
const sunAzimuth = (200 * Math.PI) / 180;
const sunTan = Math.tan((42 * Math.PI) / 180);
const sunX = Math.sin(sunAzimuth);
const sunY = Math.cos(sunAzimuth);
const sunU = gridCos * sunX + gridSin * sunY;
const sunV = -gridSin * sunX + gridCos * sunY;

/** Objects further than this outside the extent cannot reach into it (tallest shadow, widest crown). */
const objectMargin = 50;
/** Above this many blocks (very coarse overviews) only the ground is drawn. */
const maxBlocks = 60_000;

export function renderScene(request: SceneRequest, layers: ReadonlySet<SceneLayer> = allSceneLayers): SceneRender {
	const canvas = new Canvas(request);
	canvas.paintGround();
	if (canvas.blockCount() <= maxBlocks) canvas.paintObjects();
	const result: SceneRender = {};
	if (layers.has('rgb')) result.rgb = new Uint8Array(canvas.rgb.buffer);
	if (layers.has('dsm')) result.dsm = canvas.dsm();
	if (layers.has('buildings')) result.buildings = canvas.buildings;
	if (layers.has('landcover')) result.landcover = canvas.landcover;
	return result;
}

/** What groundColour returns for a pixel on a street's carriageway. */
const onStreet = 1;

/** Pixel centre coordinates, rounded to the micrometre so that a sub-extent on the same grid gets bit-identical positions. */
function centres(start: number, step: number, count: number): Float64Array {
	const out = new Float64Array(count);
	for (let k = 0; k < count; k++) out[k] = Math.round((start + (k + 0.5) * step) * 1e6) / 1e6;
	return out;
}

class Canvas {
	readonly width: number;
	readonly height: number;
	readonly rgb: Uint8ClampedArray;
	readonly surface: Float32Array;
	readonly buildings: Uint8Array;
	readonly landcover: Uint8Array;
	private readonly shadow: Float32Array;
	private readonly xs: Float64Array;
	private readonly ys: Float64Array;
	private readonly bbox: Bbox;
	private readonly cellX: number;
	private readonly cellY: number;
	// Street lines and per-block facts for the grid range that covers the extent plus a margin.
	private readonly i0: number;
	private readonly j0: number;
	private readonly us: Float64Array;
	private readonly vs: Float64Array;
	private readonly kinds: Uint8Array;
	private readonly densities: Float32Array;
	private readonly alongV: Uint8Array;
	private readonly alongU: Uint8Array;

	constructor({bbox, width, height}: SceneRequest) {
		if (!(width >= 1 && height >= 1 && Number.isInteger(width) && Number.isInteger(height)))
			throw new Error(`invalid render size ${width}×${height}`);
		if (!(bbox.xmax > bbox.xmin && bbox.ymax > bbox.ymin))
			throw new Error(`invalid render bbox ${JSON.stringify(bbox)}`);
		this.width = width;
		this.height = height;
		this.bbox = bbox;
		this.cellX = (bbox.xmax - bbox.xmin) / width;
		this.cellY = (bbox.ymax - bbox.ymin) / height;
		this.xs = centres(bbox.xmin, this.cellX, width);
		this.ys = centres(bbox.ymax, -this.cellY, height);
		const pixels = width * height;
		this.rgb = new Uint8ClampedArray(pixels * 3);
		this.surface = new Float32Array(pixels);
		this.buildings = new Uint8Array(pixels);
		this.landcover = new Uint8Array(pixels);
		this.shadow = new Float32Array(pixels);

		const corners = [
			[bbox.xmin, bbox.ymin],
			[bbox.xmin, bbox.ymax],
			[bbox.xmax, bbox.ymin],
			[bbox.xmax, bbox.ymax],
		];
		const us = corners.map(([x, y]) => toGridU(x, y));
		const vs = corners.map(([x, y]) => toGridV(x, y));
		this.i0 = lineIndex(Math.min(...us) - objectMargin, lineU) - 1;
		this.j0 = lineIndex(Math.min(...vs) - objectMargin, lineV) - 1;
		const i1 = lineIndex(Math.max(...us) + objectMargin, lineU) + 2;
		const j1 = lineIndex(Math.max(...vs) + objectMargin, lineV) + 2;
		const ni = i1 - this.i0 + 1;
		const nj = j1 - this.j0 + 1;
		this.us = Float64Array.from({length: ni}, (_, k) => lineU(this.i0 + k));
		this.vs = Float64Array.from({length: nj}, (_, k) => lineV(this.j0 + k));
		this.kinds = new Uint8Array(ni * nj);
		this.densities = new Float32Array(ni * nj);
		this.alongV = new Uint8Array(ni * nj);
		this.alongU = new Uint8Array(ni * nj);
		if (ni * nj > maxBlocks * 4) return;
		for (let a = 0; a < ni - 1; a++) {
			for (let b = 0; b < nj - 1; b++) {
				const k = a * nj + b;
				const i = this.i0 + a;
				const j = this.j0 + b;
				this.kinds[k] = blockKind(i, j);
				this.densities[k] = density((this.us[a] + this.us[a + 1]) / 2, (this.vs[b] + this.vs[b + 1]) / 2);
				this.alongV[k] = roadKind(0, i, j);
				this.alongU[k] = roadKind(1, j, i);
			}
		}
	}

	blockCount(): number {
		return (this.us.length - 1) * (this.vs.length - 1);
	}

	dsm(): Float32Array {
		const out = new Float32Array(this.surface.length);
		for (let p = 0; p < out.length; p++) {
			const x = this.xs[p % this.width];
			const y = this.ys[Math.floor(p / this.width)];
			// A little sensor noise, fixed to 0.5 m cells of the ground.
			out[p] = this.surface[p] + (hash3(Math.floor(x * 2), Math.floor(y * 2), 91) - 0.5) * 0.16;
		}
		return out;
	}

	paintGround(): void {
		const nj = this.vs.length;
		for (let row = 0; row < this.height; row++) {
			const y = this.ys[row];
			let a = 0;
			let b = nj - 2;
			for (let col = 0; col < this.width; col++) {
				const x = this.xs[col];
				const u = toGridU(x, y);
				const v = toGridV(x, y);
				while (a > 0 && this.us[a] > u) a--;
				while (a < this.us.length - 2 && this.us[a + 1] <= u) a++;
				while (b > 0 && this.vs[b] > v) b--;
				while (b < nj - 2 && this.vs[b + 1] <= v) b++;
				const p = row * this.width + col;
				this.surface[p] = terrainHeight(u, v);
				if (this.groundColour(p * 3, u, v, a, b) === onStreet) this.landcover[p] = LandCover.road;
			}
		}
	}

	/** Colour of the bare ground at (u, v), which lies in block (a, b) of the local tables; onStreet on a carriageway. */
	private groundColour(o: number, u: number, v: number, a: number, b: number): typeof onStreet | void {
		const nj = this.vs.length;
		const k = a * nj + b;
		const d = this.densities[k];
		const du0 = u - this.us[a];
		const du1 = this.us[a + 1] - u;
		const dv0 = v - this.vs[b];
		const dv1 = this.vs[b + 1] - v;
		// Nearest street on each axis and its kind for this stretch.
		const westKind = this.alongV[k];
		const eastKind = this.alongV[k + nj];
		const southKind = this.alongU[k];
		const northKind = this.alongU[k + 1];
		const acrossU = du0 < du1 ? du0 : du1;
		const kindU = du0 < du1 ? westKind : eastKind;
		const acrossV = dv0 < dv1 ? dv0 : dv1;
		const kindV = dv0 < dv1 ? southKind : northKind;
		const grain = hash3(Math.floor(u * 4), Math.floor(v * 4), 71) - 0.5;
		const onU = acrossU < halfWidthOf(kindU);
		const onV = acrossV < halfWidthOf(kindV);
		if (onU || onV) {
			const kind = onU && onV ? Math.max(kindU, kindV) : onU ? kindU : kindV;
			if (kind === RoadKind.track) {
				this.set(o, 142, 128, 104, grain * 18, valueNoise(u / 3, v / 3, 72));
				return onStreet;
			}
			const wear = valueNoise(u / 7, v / 7, 73);
			// Dashed centre line on main roads, away from crossings.
			const centreLine = onU !== onV && kind === RoadKind.main && (onU ? acrossU : acrossV) < 0.35;
			const along = onU ? v : u;
			if (centreLine && ((along % 9) + 9) % 9 < 4.5) this.set(o, 214, 214, 206, grain * 10, 0.5);
			else this.set(o, 96, 97, 99, grain * 14, wear);
			return onStreet;
		}
		const sideU = acrossU < halfWidthOf(kindU) + sidewalkOf(kindU, d);
		const sideV = acrossV < halfWidthOf(kindV) + sidewalkOf(kindV, d);
		if ((sideU && kindU >= RoadKind.minor) || (sideV && kindV >= RoadKind.minor)) {
			if (d > 0.25) return this.set(o, 170, 167, 158, grain * 12, valueNoise(u / 2, v / 2, 74));
			return this.grass(o, u, v, grain, 0.3);
		}
		// Footpath through a gap in the street grid.
		if ((kindU === RoadKind.none && acrossU < 1) || (kindV === RoadKind.none && acrossV < 1)) {
			if (d > 0.3) return this.set(o, 176, 164, 140, grain * 14, valueNoise(u / 2, v / 2, 75));
		}
		switch (this.kinds[k]) {
			case BlockKind.commercial:
				if (valueNoise(u / 14, v / 14, 83) < 0.55)
					return this.set(o, 148, 146, 140, grain * 14, valueNoise(u / 5, v / 5, 84));
				return this.grass(o, u, v, grain, 0.2);
			case BlockKind.park: {
				const cu = (this.us[a] + this.us[a + 1]) / 2;
				const cv = (this.vs[b] + this.vs[b + 1]) / 2;
				if (Math.abs(u - cu - (v - cv)) < 2 || Math.abs(u - cu + (v - cv)) < 2)
					return this.set(o, 182, 168, 136, grain * 12, valueNoise(u / 2, v / 2, 76));
				return this.grass(o, u, v, grain, 0);
			}
			case BlockKind.field:
				return this.field(o, u, v, grain, this.i0 + a, this.j0 + b);
			case BlockKind.forest:
				return this.set(o, 54, 72, 40, grain * 16, valueNoise(u / 3, v / 3, 77));
			default:
				return this.grass(o, u, v, grain, 0.45);
		}
	}

	private grass(o: number, u: number, v: number, grain: number, dryness: number): void {
		const patch = valueNoise(u / 9, v / 9, 81);
		const dry = Math.min(1, Math.max(0, dryness + (patch - 0.5) * 0.9));
		if (valueNoise(u / 3.5, v / 3.5, 82) > 0.86 && dryness > 0.3) return this.set(o, 124, 102, 80, grain * 18, patch);
		this.rgb[o] = 80 + dry * 48 + grain * 20;
		this.rgb[o + 1] = 112 + dry * 18 + grain * 20;
		this.rgb[o + 2] = 52 + dry * 28 + grain * 14;
	}

	private field(o: number, u: number, v: number, grain: number, i: number, j: number): void {
		const crops: Array<[number, number, number]> = [
			[178, 162, 102],
			[104, 136, 62],
			[124, 98, 74],
			[116, 142, 72],
			[150, 146, 84],
		];
		const crop = crops[Math.floor(hash3(i, j, 63) * crops.length)];
		const stripe = 2.5 + hash3(i, j, 64) * 6;
		const along = hash3(i, j, 65) < 0.5 ? u : v;
		const band = Math.floor(along / stripe) & 1;
		const shade = 0.93 + band * 0.1 + (valueNoise(u / 25, v / 25, 66) - 0.5) * 0.16;
		this.rgb[o] = crop[0] * shade + grain * 16;
		this.rgb[o + 1] = crop[1] * shade + grain * 16;
		this.rgb[o + 2] = crop[2] * shade + grain * 12;
	}

	private set(o: number, r: number, g: number, b: number, grain: number, variation: number): void {
		const f = 0.9 + variation * 0.2;
		this.rgb[o] = r * f + grain;
		this.rgb[o + 1] = g * f + grain;
		this.rgb[o + 2] = b * f + grain;
	}

	paintObjects(): void {
		const boxes: Box[] = [];
		const trees: Tree[] = [];
		const pavements: Pavement[] = [];
		const nj = this.vs.length;
		for (let a = 0; a < this.us.length - 1; a++) {
			for (let b = 0; b < nj - 1; b++) {
				const objects = blockObjects(this.i0 + a, this.j0 + b);
				boxes.push(...objects.boxes);
				trees.push(...objects.trees);
				pavements.push(...objects.pavements);
			}
		}
		for (const pavement of pavements) this.paintPavement(pavement);
		for (const box of boxes) this.paintBox(box);
		const treeBases = trees.map((tree) => terrainHeight(tree.cu, tree.cv));
		trees.forEach((tree, k) => this.paintTree(tree, treeBases[k]));
		for (const box of boxes) this.castBoxShadow(box);
		trees.forEach((tree, k) => this.castTreeShadow(tree, treeBases[k]));
		for (let p = 0; p < this.shadow.length; p++) {
			const s = this.shadow[p];
			if (s === 0) continue;
			const o = p * 3;
			this.rgb[o] = this.rgb[o] * (1 - 0.6 * s);
			this.rgb[o + 1] = this.rgb[o + 1] * (1 - 0.57 * s);
			this.rgb[o + 2] = this.rgb[o + 2] * (1 - 0.5 * s);
		}
	}

	/**
	 * Calls `visit(p, u, v)` for every pixel whose centre lies within the grid-frame rectangle
	 * reach of (cu, cv), extended by `trail` metres away from the sun.
	 */
	private forPixels(
		cu: number,
		cv: number,
		reach: number,
		trail: number,
		visit: (p: number, u: number, v: number) => void,
	): void {
		const eu = cu - sunU * trail;
		const ev = cv - sunV * trail;
		const u0 = Math.min(cu, eu) - reach;
		const u1 = Math.max(cu, eu) + reach;
		const v0 = Math.min(cv, ev) - reach;
		const v1 = Math.max(cv, ev) + reach;
		// World bounding box of that grid rectangle, then the pixel range whose centres may fall in it.
		let xmin = Infinity;
		let xmax = -Infinity;
		let ymin = Infinity;
		let ymax = -Infinity;
		for (const [u, v] of [
			[u0, v0],
			[u0, v1],
			[u1, v0],
			[u1, v1],
		]) {
			const {x, y} = gridToWorld(u, v);
			xmin = Math.min(xmin, x);
			xmax = Math.max(xmax, x);
			ymin = Math.min(ymin, y);
			ymax = Math.max(ymax, y);
		}
		const c0 = Math.max(0, Math.floor((xmin - this.bbox.xmin) / this.cellX - 0.5));
		const c1 = Math.min(this.width - 1, Math.ceil((xmax - this.bbox.xmin) / this.cellX - 0.5));
		const r0 = Math.max(0, Math.floor((this.bbox.ymax - ymax) / this.cellY - 0.5));
		const r1 = Math.min(this.height - 1, Math.ceil((this.bbox.ymax - ymin) / this.cellY - 0.5));
		for (let row = r0; row <= r1; row++) {
			const y = this.ys[row];
			for (let col = c0; col <= c1; col++) {
				const x = this.xs[col];
				visit(row * this.width + col, toGridU(x, y), toGridV(x, y));
			}
		}
	}

	private paintPavement(pavement: Pavement): void {
		const {cu, cv, cos, sin, a, b, color} = pavement;
		this.forPixels(cu, cv, Math.hypot(a, b), 0, (p, u, v) => {
			const lx = (u - cu) * cos + (v - cv) * sin;
			const ly = -(u - cu) * sin + (v - cv) * cos;
			if (lx < -a || lx >= a || ly < -b || ly >= b) return;
			const grain = hash3(Math.floor(u * 4), Math.floor(v * 4), 78) - 0.5;
			const inBays = pavement.bays && (ly + b) % 11 < 5;
			if (inBays && (lx + a) % 2.5 < 0.25) return this.set(p * 3, 218, 218, 210, grain * 8, 0.5);
			this.set(p * 3, color[0], color[1], color[2], grain * 12, valueNoise(u / 6, v / 6, 79));
		});
	}

	private paintBox(box: Box): void {
		const {cu, cv, cos, sin, rects, a, b, roof, base, eave, ridge, color} = box;
		const ridgeAlongX = a >= b;
		const half = ridgeAlongX ? b : a;
		const sideShade = ridgeAlongX ? [-sin, cos] : [cos, sin];
		const endShade = ridgeAlongX ? [cos, sin] : [-sin, cos];
		const isBuilding = box.kind === 'building';
		const isCar = box.kind === 'car';
		this.forPixels(cu, cv, box.radius, 0, (p, u, v) => {
			const lx = (u - cu) * cos + (v - cv) * sin;
			const ly = -(u - cu) * sin + (v - cv) * cos;
			if (!inRects(rects, lx, ly)) return;
			if (isBuilding) {
				this.buildings[p] = 1;
				this.landcover[p] = LandCover.building;
			}
			let z = base + eave;
			let shade = 1;
			const across = ridgeAlongX ? ly : lx;
			const alongRidge = ridgeAlongX ? lx : ly;
			const length = ridgeAlongX ? a : b;
			if (roof === 'gable' || roof === 'hip') {
				const side = 1 - Math.abs(across) / half;
				const end = roof === 'hip' ? (length - Math.abs(alongRidge)) / half : Infinity;
				if (side <= end) {
					z += ridge * side;
					shade = 1 + 0.3 * Math.sign(across) * (sideShade[0] * sunU + sideShade[1] * sunV);
				} else {
					z += ridge * end;
					shade = 1 + 0.3 * Math.sign(alongRidge) * (endShade[0] * sunU + endShade[1] * sunV);
				}
			}
			if (z <= this.surface[p]) return;
			this.surface[p] = z;
			const grain = hash3(Math.floor(u * 4), Math.floor(v * 4), 87) - 0.5;
			const o = p * 3;
			if (
				roof === 'flat' &&
				isBuilding &&
				Math.min(
					lx - edgeOf(rects, lx, ly, 0),
					edgeOf(rects, lx, ly, 1) - lx,
					ly - edgeOf(rects, lx, ly, 2),
					edgeOf(rects, lx, ly, 3) - ly,
				) < 0.6
			) {
				shade = 1.12;
			}
			// The windscreen and rear window of a car read as a dark band.
			if (isCar && lx > 0.4 && lx < 1.3) {
				this.set(o, 36, 40, 46, grain * 6, 0.5);
				return;
			}
			const texture = (valueNoise(u / 1.5, v / 1.5, 88) - 0.5) * 0.12;
			this.rgb[o] = color[0] * (shade + texture) + grain * 12;
			this.rgb[o + 1] = color[1] * (shade + texture) + grain * 12;
			this.rgb[o + 2] = color[2] * (shade + texture) + grain * 12;
		});
	}

	private paintTree(tree: Tree, base: number): void {
		const {cu, cv, radius, height, color} = tree;
		const seed = Math.floor(cu * 7 + cv * 13);
		this.forPixels(cu, cv, radius * 1.1, 0, (p, u, v) => {
			const du = (u - cu) / radius;
			const dv = (v - cv) / radius;
			const rr = du * du + dv * dv;
			// Ragged crown edge.
			if (rr > 0.78 + 0.3 * valueNoise(u / 1.3, v / 1.3, seed)) return;
			const z = base + height * (0.62 + 0.38 * Math.sqrt(Math.max(0, 1 - rr)));
			if (z <= this.surface[p]) return;
			this.surface[p] = z;
			if (this.landcover[p] !== LandCover.building) this.landcover[p] = LandCover.tree;
			const lit = 0.8 + 0.35 * (du * sunU + dv * sunV) + (valueNoise(u / 0.9, v / 0.9, 89) - 0.5) * 0.5;
			const grain = hash3(Math.floor(u * 4), Math.floor(v * 4), 90) - 0.5;
			const o = p * 3;
			this.rgb[o] = color[0] * lit + grain * 10;
			this.rgb[o + 1] = color[1] * lit + grain * 12;
			this.rgb[o + 2] = color[2] * lit + grain * 8;
		});
	}

	private castBoxShadow(box: Box): void {
		const {cu, cv, cos, sin, rects} = box;
		const top = box.base + box.eave + box.ridge * 0.6;
		const trail = (box.eave + box.ridge + 4) / sunTan;
		// The sun direction in the box's own frame.
		const dx = sunU * cos + sunV * sin;
		const dy = -sunU * sin + sunV * cos;
		this.forPixels(cu, cv, box.radius, trail, (p, u, v) => {
			const z = this.surface[p];
			if (z >= top) return;
			const lx = (u - cu) * cos + (v - cv) * sin;
			const ly = -(u - cu) * sin + (v - cv) * cos;
			const entry = rayEntry(rects, lx, ly, dx, dy);
			if (entry > 0 && z + entry * sunTan < top) this.shadow[p] = 1;
		});
	}

	private castTreeShadow(tree: Tree, base: number): void {
		const {cu, cv, radius, height} = tree;
		const top = base + height * 0.9;
		const r = radius * 0.85;
		this.forPixels(cu, cv, radius, (height + 4) / sunTan, (p, u, v) => {
			const z = this.surface[p];
			if (z >= top) return;
			const along = (cu - u) * sunU + (cv - v) * sunV;
			if (along <= 0) return;
			const across2 = (cu - u) ** 2 + (cv - v) ** 2 - along * along;
			if (across2 >= r * r) return;
			const entry = along - Math.sqrt(r * r - across2);
			if (entry > 0 && z + entry * sunTan < top && this.shadow[p] < 0.8) this.shadow[p] = 0.8;
		});
	}
}

/** The coordinate of side `side` (0 x0, 1 x1, 2 y0, 3 y1) of the footprint rectangle holding (lx, ly). */
function edgeOf(rects: number[], lx: number, ly: number, side: number): number {
	for (let k = 0; k < rects.length; k += 4) {
		if (lx >= rects[k] && lx < rects[k + 1] && ly >= rects[k + 2] && ly < rects[k + 3]) return rects[k + side];
	}
	return 0;
}

/**
 * Distance along the ray (lx, ly) + s·(dx, dy), s > 0, to where it enters the footprint;
 * 0 or less when the point is inside, Infinity when the ray misses.
 */
function rayEntry(rects: number[], lx: number, ly: number, dx: number, dy: number): number {
	let best = Infinity;
	for (let k = 0; k < rects.length; k += 4) {
		let enter = -Infinity;
		let leave = Infinity;
		if (Math.abs(dx) < 1e-12) {
			if (lx < rects[k] || lx >= rects[k + 1]) continue;
		} else {
			const t0 = (rects[k] - lx) / dx;
			const t1 = (rects[k + 1] - lx) / dx;
			enter = Math.max(enter, Math.min(t0, t1));
			leave = Math.min(leave, Math.max(t0, t1));
		}
		if (Math.abs(dy) < 1e-12) {
			if (ly < rects[k + 2] || ly >= rects[k + 3]) continue;
		} else {
			const t0 = (rects[k + 2] - ly) / dy;
			const t1 = (rects[k + 3] - ly) / dy;
			enter = Math.max(enter, Math.min(t0, t1));
			leave = Math.min(leave, Math.max(t0, t1));
		}
		if (enter <= leave && leave > 0) best = Math.min(best, enter);
	}
	return best;
}
