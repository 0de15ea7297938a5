/**
 * The demo town's plan: a slightly irregular street grid (rotated against north) and, per block, a
 * deterministic set of objects (buildings, trees, cars, paved areas) generated from a hash of the
 * block's indices. Everything is expressed in the grid frame (u, v): metres, rotated GRID_ANGLE
 * anticlockwise from EPSG:3857 x/y about DEMO_ORIGIN, so the same block always holds the same
 * objects whatever area or resolution is rendered.
 */
import {hash3, sequence, valueNoise} from './noise.js';

/** The middle of the demo town, in EPSG:3857 metres. The town thins out into fields over ~5 km. */
export const DEMO_ORIGIN = {x: 1_000_000, y: 6_000_000} as const;

const gridAngle = (14 * Math.PI) / 180;
export const gridCos = Math.cos(gridAngle);
export const gridSin = Math.sin(gridAngle);

const blockPitch = 105;
const lineJitter = 18;

export function toGridU(x: number, y: number): number {
	return gridCos * (x - DEMO_ORIGIN.x) + gridSin * (y - DEMO_ORIGIN.y);
}

export function toGridV(x: number, y: number): number {
	return -gridSin * (x - DEMO_ORIGIN.x) + gridCos * (y - DEMO_ORIGIN.y);
}

export function gridToWorld(u: number, v: number): {x: number; y: number} {
	return {x: DEMO_ORIGIN.x + gridCos * u - gridSin * v, y: DEMO_ORIGIN.y + gridSin * u + gridCos * v};
}

/** Position of the i-th street running along v (constant u). */
export function lineU(i: number): number {
	return i * blockPitch + (hash3(i, 11, 1) - 0.5) * 2 * lineJitter;
}

/** Position of the j-th street running along u (constant v). */
export function lineV(j: number): number {
	return j * blockPitch + (hash3(j, 13, 2) - 0.5) * 2 * lineJitter;
}

/**
 * Index of the street line at or below `value`. Lines never move more than half a pitch, so one step
 * either way is all it takes; a loop would never end where i + 1 === i (values past 2^53 pitches).
 */
export function lineIndex(value: number, line: (i: number) => number): number {
	let i = Math.floor(value / blockPitch);
	if (line(i) > value) i--;
	else if (line(i + 1) <= value) i++;
	return i;
}

/** Ground height (metres, 100–160) of the gently rolling terrain. */
export function terrainHeight(u: number, v: number): number {
	const broad = 0.65 * valueNoise(u / 1400, v / 1400, 21) + 0.35 * valueNoise(u / 650, v / 650, 22);
	const local = valueNoise(u / 260, v / 260, 23);
	return 130 + 48 * (broad - 0.5) + 10 * (local - 0.5);
}

/** Urban density 0–1: 1 in the centre, fading to countryside about 4–6 km out. */
export function density(u: number, v: number): number {
	const distance = Math.hypot(u, v);
	const value = 1.05 - distance / 5000 + 0.5 * (valueNoise(u / 900, v / 900, 31) - 0.5);
	return Math.min(1, Math.max(0, value));
}

export const RoadKind = {none: 0, track: 1, minor: 2, main: 3} as const;
const roadHalfWidth = [0, 2, 4, 7];

/** Kind of the street segment of line `line` (axis 0: constant u; 1: constant v) between cross streets seg and seg+1. */
export function roadKind(axis: 0 | 1, line: number, seg: number): number {
	if (hash3(line, axis, 41) < 0.2) return RoadKind.main;
	const mid =
		axis === 0 ? [lineU(line), (lineV(seg) + lineV(seg + 1)) / 2] : [(lineU(seg) + lineU(seg + 1)) / 2, lineV(line)];
	const d = density(mid[0], mid[1]);
	const h = hash3(line * 7919 + seg, axis, 43);
	if (d > 0.3) return h < 0.07 ? RoadKind.none : RoadKind.minor;
	return h < 0.45 ? RoadKind.track : h < 0.65 ? RoadKind.minor : RoadKind.none;
}

export function halfWidthOf(kind: number): number {
	return roadHalfWidth[kind];
}

/** Width of the pavement/verge beside a road. */
export function sidewalkOf(kind: number, blockDensity: number): number {
	if (kind === RoadKind.main || kind === RoadKind.minor) return blockDensity > 0.25 ? 2.5 : 1;
	return kind === RoadKind.track ? 0.5 : 0;
}

export const BlockKind = {residential: 0, commercial: 1, industrial: 2, park: 3, field: 4, forest: 5} as const;

export function blockKind(i: number, j: number): number {
	const u = (lineU(i) + lineU(i + 1)) / 2;
	const v = (lineV(j) + lineV(j + 1)) / 2;
	const d = density(u, v);
	const h = hash3(i, j, 51);
	if (d > 0.75) return h < 0.45 ? BlockKind.commercial : h < 0.93 ? BlockKind.residential : BlockKind.park;
	if (d > 0.3)
		return h < 0.72
			? BlockKind.residential
			: h < 0.82
				? BlockKind.commercial
				: h < 0.9
					? BlockKind.industrial
					: h < 0.96
						? BlockKind.park
						: BlockKind.field;
	if (d > 0.12)
		return h < 0.35
			? BlockKind.residential
			: h < 0.42
				? BlockKind.industrial
				: h < 0.8
					? BlockKind.field
					: BlockKind.forest;
	return h < 0.1 ? BlockKind.residential : h < 0.72 ? BlockKind.field : BlockKind.forest;
}

/** A box-shaped object: a building (1–2 rectangles: a plain or L-shaped footprint), a plant box on a roof, or a car. */
export type Box = {
	/** Centre and orientation (cos, sin against the grid's u axis). */
	cu: number;
	cv: number;
	cos: number;
	sin: number;
	/** Footprint as local rectangles [x0, x1, y0, y1, ...], x along the box's own axis. */
	rects: number[];
	/** Half length (along local x) and half width (local y) of the whole box. */
	a: number;
	b: number;
	/** Radius of a circle about the centre that holds the footprint. */
	radius: number;
	roof: 'flat' | 'gable' | 'hip';
	/** Absolute ground height under the box, eave height above it, extra height of the ridge. */
	base: number;
	eave: number;
	ridge: number;
	color: [number, number, number];
	/** Only buildings count as ground truth; rooftop units sit inside their building's footprint. */
	kind: 'building' | 'rooftop' | 'car';
};

export type Tree = {cu: number; cv: number; radius: number; height: number; color: [number, number, number]};

/** A flat painted area: car park (with bay lines) or concrete yard. */
export type Pavement = {
	cu: number;
	cv: number;
	cos: number;
	sin: number;
	a: number;
	b: number;
	color: [number, number, number];
	bays: boolean;
};

type BlockObjects = {boxes: Box[]; trees: Tree[]; pavements: Pavement[]};

type Rect = {u0: number; u1: number; v0: number; v1: number};

/** The buildable interior of block (i, j): inside its streets and pavements. */
function blockInterior(i: number, j: number): Rect {
	const d = density((lineU(i) + lineU(i + 1)) / 2, (lineV(j) + lineV(j + 1)) / 2);
	const inset = (kind: number) => halfWidthOf(kind) + sidewalkOf(kind, d) + 0.5;
	return {
		u0: lineU(i) + inset(roadKind(0, i, j)),
		u1: lineU(i + 1) - inset(roadKind(0, i + 1, j)),
		v0: lineV(j) + inset(roadKind(1, j, i)),
		v1: lineV(j + 1) - inset(roadKind(1, j + 1, i)),
	};
}

type Rgb = [number, number, number];

const roofPalettes: Record<'pitched' | 'flat' | 'industrial' | 'car', Rgb[]> = {
	pitched: [
		[158, 72, 52],
		[139, 58, 42],
		[170, 92, 66],
		[118, 84, 66],
		[96, 74, 62],
		[72, 72, 76],
		[58, 60, 64],
		[110, 108, 104],
	],
	flat: [
		[112, 112, 110],
		[128, 126, 122],
		[176, 174, 168],
		[204, 202, 196],
		[64, 66, 68],
		[92, 90, 88],
		[140, 118, 96],
		[150, 150, 154],
	],
	industrial: [
		[196, 198, 198],
		[176, 178, 180],
		[150, 156, 162],
		[120, 122, 124],
		[168, 120, 92],
		[214, 212, 206],
	],
	car: [
		[200, 200, 204],
		[30, 32, 36],
		[150, 20, 24],
		[40, 60, 120],
		[120, 124, 128],
		[230, 230, 226],
		[60, 90, 60],
	],
};

const treeGreens: Rgb[] = [
	[58, 92, 42],
	[70, 104, 48],
	[48, 80, 40],
	[84, 110, 56],
	[62, 86, 52],
	[96, 116, 60],
];

export function blockObjects(i: number, j: number): BlockObjects {
	const out: BlockObjects = {boxes: [], trees: [], pavements: []};
	const interior = blockInterior(i, j);
	if (interior.u1 - interior.u0 < 8 || interior.v1 - interior.v0 < 8) return out;
	const random = sequence(Math.floor(hash3(i, j, 61) * 4_294_967_296));
	const kind = blockKind(i, j);
	const builder = new BlockBuilder(out, random, blockRotation(random, kind));
	if (kind === BlockKind.residential) builder.residential(interior);
	else if (kind === BlockKind.commercial) builder.commercial(interior);
	else if (kind === BlockKind.industrial) builder.industrial(interior);
	else if (kind === BlockKind.park) builder.scatterTrees(interior, 1 / 180, 0.6);
	else if (kind === BlockKind.forest) builder.scatterTrees(interior, 1 / 45, 1.5);
	else builder.fieldEdge(interior);
	builder.parkedCars(i, j, interior);
	return out;
}

function blockRotation(random: () => number, kind: number): number {
	if (kind === BlockKind.park || kind === BlockKind.forest || kind === BlockKind.field) return 0;
	const pick = random();
	const sign = random() < 0.5 ? -1 : 1;
	if (pick < 0.55) return 0;
	if (pick < 0.82) return (sign * (2 + random() * 5) * Math.PI) / 180;
	return (sign * (8 + random() * 14) * Math.PI) / 180;
}

class BlockBuilder {
	constructor(
		private readonly out: BlockObjects,
		private readonly random: () => number,
		private readonly angle: number,
	) {}

	private between(min: number, max: number): number {
		return min + this.random() * (max - min);
	}

	private pick<T>(items: readonly T[]): T {
		return items[Math.floor(this.random() * items.length)];
	}

	residential(r: Rect): void {
		const width = r.u1 - r.u0;
		const height = r.v1 - r.v0;
		const depth = this.between(18, 27);
		const rows: Array<{v0: number; v1: number; front: 1 | -1}> = [];
		if (height >= 2 * depth + 4) {
			rows.push({v0: r.v0, v1: r.v0 + depth, front: -1}, {v0: r.v1 - depth, v1: r.v1, front: 1});
			this.scatterTrees({u0: r.u0, u1: r.u1, v0: r.v0 + depth + 1, v1: r.v1 - depth - 1}, 1 / 260, 0.9);
		} else if (height >= 14) {
			rows.push({v0: r.v0, v1: r.v1, front: this.random() < 0.5 ? -1 : 1});
		} else {
			this.scatterTrees(r, 1 / 200, 0.8);
			return;
		}
		for (const row of rows) {
			const count = Math.max(1, Math.floor(width / this.between(12, 20)));
			const lotWidth = width / count;
			for (let k = 0; k < count; k++)
				this.house({u0: r.u0 + k * lotWidth, u1: r.u0 + (k + 1) * lotWidth, v0: row.v0, v1: row.v1}, row.front);
		}
	}

	/** One residential lot: a house near the street side, a garden with trees behind, sometimes a shed. */
	private house(lot: Rect, front: 1 | -1): void {
		const lotW = lot.u1 - lot.u0;
		const lotD = lot.v1 - lot.v0;
		if (this.random() < 0.1) {
			this.scatterTrees(lot, 1 / 90, 0.8);
			return;
		}
		const w = Math.max(6, Math.min(lotW - 2, lotW * this.between(0.6, 0.88)));
		const d = Math.max(6, Math.min(lotD - 6, this.between(9, 15)));
		const setback = this.between(1.5, 5);
		const cu = (lot.u0 + lot.u1) / 2 + this.between(-1, 1) * Math.max(0, (lotW - w) / 2 - 1);
		const cv = front === 1 ? lot.v1 - setback - d / 2 : lot.v0 + setback + d / 2;
		const pitched = this.random() < 0.68;
		const house = this.building({
			lot,
			cu,
			cv,
			length: w,
			width: d,
			angleJitter: 2,
			roof: pitched ? (this.random() < 0.6 ? 'gable' : 'hip') : 'flat',
			eave: this.between(3, 7),
			ridge: pitched ? this.between(1.5, 4) : 0,
			color: this.pick(pitched ? roofPalettes.pitched : roofPalettes.flat),
			lShape: !pitched && this.random() < 0.45 ? -front : 0,
		});
		if (house && this.random() < 0.6) this.driveway(house, lot, front);
		const backV0 = front === 1 ? lot.v0 : cv + d / 2 + 1;
		const backV1 = front === 1 ? cv - d / 2 - 1 : lot.v1;
		const back: Rect = {u0: lot.u0 + 1, u1: lot.u1 - 1, v0: backV0, v1: backV1};
		if (this.random() < 0.22 && back.v1 - back.v0 > 8 && back.u1 - back.u0 > 8) {
			const size = this.between(6, 7.5);
			this.building({
				lot: back,
				cu: this.between(back.u0 + size / 2, back.u1 - size / 2),
				cv: (back.v0 + back.v1) / 2,
				length: size,
				width: 6,
				angleJitter: 1,
				roof: 'flat',
				eave: this.between(2.6, 3.4),
				ridge: 0,
				color: this.pick(roofPalettes.flat),
				lShape: 0,
			});
		}
		this.scatterTrees(back, 1 / 110, 1);
		if (house && this.random() < 0.3) this.treeAgainst(house);
	}

	/** A paved strip from the street to the house, beside it. */
	private driveway(house: Box, lot: Rect, front: 1 | -1): void {
		const leftRoom = house.cu - house.a - lot.u0;
		const rightRoom = lot.u1 - (house.cu + house.a);
		const room = Math.max(leftRoom, rightRoom);
		if (room < 3.5) return;
		const cu = leftRoom > rightRoom ? lot.u0 + room / 2 : lot.u1 - room / 2;
		const v0 = front === 1 ? house.cv : lot.v0;
		const v1 = front === 1 ? lot.v1 : house.cv;
		const colors: Rgb[] = [
			[150, 148, 144],
			[118, 116, 114],
			[168, 156, 138],
		];
		this.out.pavements.push({
			cu,
			cv: (v0 + v1) / 2,
			cos: 1,
			sin: 0,
			a: Math.min(1.6, room / 2 - 0.3),
			b: (v1 - v0) / 2,
			color: this.pick(colors),
			bays: false,
		});
	}

	commercial(r: Rect): void {
		const cols = r.u1 - r.u0 > 72 ? 2 : 1;
		const rows = r.v1 - r.v0 > 72 ? 2 : 1;
		const cellW = (r.u1 - r.u0) / cols;
		const cellH = (r.v1 - r.v0) / rows;
		for (let c = 0; c < cols; c++) {
			for (let k = 0; k < rows; k++) {
				const cell: Rect = {
					u0: r.u0 + c * cellW,
					u1: r.u0 + (c + 1) * cellW,
					v0: r.v0 + k * cellH,
					v1: r.v0 + (k + 1) * cellH,
				};
				if (this.random() < 0.27) {
					this.carPark(cell);
					continue;
				}
				const building = this.building({
					lot: cell,
					cu: (cell.u0 + cell.u1) / 2,
					cv: (cell.v0 + cell.v1) / 2,
					length: Math.min(40, cellW * this.between(0.6, 0.92)),
					width: Math.min(40, cellH * this.between(0.55, 0.9)),
					angleJitter: 0,
					roof: 'flat',
					eave: this.between(8, 25),
					ridge: 0,
					color: this.pick(roofPalettes.flat),
					lShape: this.random() < 0.3 ? (this.random() < 0.5 ? 1 : -1) : 0,
				});
				if (building) this.rooftopUnits(building);
				if (building && this.random() < 0.35) this.treeAgainst(building);
			}
		}
		this.edgeTrees(r);
	}

	industrial(r: Rect): void {
		this.out.pavements.push({
			cu: (r.u0 + r.u1) / 2,
			cv: (r.v0 + r.v1) / 2,
			cos: 1,
			sin: 0,
			a: (r.u1 - r.u0) / 2,
			b: (r.v1 - r.v0) / 2,
			color: [150, 148, 142],
			bays: false,
		});
		const split = r.u1 - r.u0 > 70 && this.random() < 0.7;
		const cells = split
			? [
					{...r, u1: (r.u0 + r.u1) / 2},
					{...r, u0: (r.u0 + r.u1) / 2},
				]
			: [r];
		for (const cell of cells) {
			this.building({
				lot: cell,
				cu: (cell.u0 + cell.u1) / 2,
				cv: (cell.v0 + cell.v1) / 2 + this.between(-4, 4),
				length: Math.min(40, (cell.u1 - cell.u0) * this.between(0.6, 0.9)),
				width: Math.min(40, (cell.v1 - cell.v0) * this.between(0.45, 0.75)),
				angleJitter: 0,
				roof: 'flat',
				eave: this.between(5, 12),
				ridge: 0,
				color: this.pick(roofPalettes.industrial),
				lShape: 0,
			});
		}
	}

	/** Trees along a few edges of a block, as on a lane or a field boundary. */
	fieldEdge(r: Rect): void {
		if (this.random() < 0.5) this.edgeTrees(r);
		if (this.random() < 0.12 && r.u1 - r.u0 > 40 && r.v1 - r.v0 > 40) {
			// A farmstead: a barn and a house in one corner.
			const corner: Rect = {u0: r.u0 + 2, u1: r.u0 + 40, v0: r.v0 + 2, v1: r.v0 + 40};
			this.building({
				lot: corner,
				cu: r.u0 + 14,
				cv: r.v0 + 12,
				length: 24,
				width: 14,
				angleJitter: 3,
				roof: 'gable',
				eave: this.between(5, 8),
				ridge: this.between(3, 5),
				color: this.pick(roofPalettes.pitched),
				lShape: 0,
			});
			this.building({
				lot: corner,
				cu: r.u0 + 32,
				cv: r.v0 + 30,
				length: 11,
				width: 9,
				angleJitter: 3,
				roof: 'hip',
				eave: this.between(4, 6),
				ridge: 2.5,
				color: this.pick(roofPalettes.pitched),
				lShape: 0,
			});
		}
	}

	scatterTrees(r: Rect, perSquareMetre: number, sizeScale: number): void {
		const area = Math.max(0, r.u1 - r.u0) * Math.max(0, r.v1 - r.v0);
		const expected = area * perSquareMetre;
		const count = Math.floor(expected + this.random());
		for (let k = 0; k < count; k++) {
			const radius = Math.min(7, this.between(1.8, 4.5) * sizeScale);
			const cu = this.between(r.u0, r.u1);
			const cv = this.between(r.v0, r.v1);
			this.tree(cu, cv, radius);
		}
	}

	private tree(cu: number, cv: number, radius: number): void {
		const height = Math.min(15, Math.max(4, radius * this.between(1.6, 2.6)));
		this.out.trees.push({cu, cv, radius, height, color: this.pick(treeGreens)});
	}

	/** A tree beside a building whose crown hangs over part of the roof. */
	private treeAgainst(building: Box): void {
		const side = Math.floor(this.random() * 4);
		const along = this.between(-0.7, 0.7);
		const lx = side < 2 ? (side === 0 ? 1 : -1) * (building.a + 1.2) : along * building.a;
		const ly = side >= 2 ? (side === 2 ? 1 : -1) * (building.b + 1.2) : along * building.b;
		const radius = this.between(3, 5.5);
		this.tree(
			building.cu + lx * building.cos - ly * building.sin,
			building.cv + lx * building.sin + ly * building.cos,
			radius,
		);
	}

	private edgeTrees(r: Rect): void {
		const spacing = this.between(8, 14);
		const v = this.random() < 0.5 ? r.v0 + 1.5 : r.v1 - 1.5;
		for (let u = r.u0 + spacing / 2; u < r.u1; u += spacing) {
			if (this.random() < 0.85) this.tree(u, v + this.between(-0.5, 0.5), this.between(2.5, 4));
		}
	}

	private carPark(cell: Rect): void {
		const a = (cell.u1 - cell.u0) / 2 - 1.5;
		const b = (cell.v1 - cell.v0) / 2 - 1.5;
		if (a < 5 || b < 5) return;
		const cu = (cell.u0 + cell.u1) / 2;
		const cv = (cell.v0 + cell.v1) / 2;
		this.out.pavements.push({cu, cv, cos: 1, sin: 0, a, b, color: [88, 88, 90], bays: true});
		// Cars in the bays: bays are 2.5 m wide along u, rows 5 m deep facing a 6 m aisle.
		for (let row = -b + 2.5; row + 2.5 <= b; row += 8) {
			for (let u = -a + 1.25; u + 1.25 <= a; u += 2.5) {
				if (this.random() < 0.55) this.car(cu + u, cv + row, Math.PI / 2);
			}
			row += 3;
		}
	}

	parkedCars(i: number, j: number, r: Rect): void {
		const kind = roadKind(1, j, i);
		if (kind !== RoadKind.minor && kind !== RoadKind.main) return;
		// Along the street at the block's lower edge, in the lane next to the kerb.
		const v = lineV(j) + halfWidthOf(kind) - 1.3;
		for (let u = r.u0 + 4; u < r.u1 - 4; u += 6) {
			if (this.random() < 0.18) this.car(u, v, 0);
		}
	}

	private car(cu: number, cv: number, angle: number): void {
		const c = Math.cos(angle);
		const s = Math.sin(angle);
		const a = 2.25;
		const b = 0.9;
		this.out.boxes.push({
			cu,
			cv,
			cos: c,
			sin: s,
			rects: [-a, a, -b, b],
			a,
			b,
			radius: Math.hypot(a, b),
			roof: 'flat',
			base: terrainHeight(cu, cv),
			eave: 1.5,
			ridge: 0,
			color: this.pick(roofPalettes.car),
			kind: 'car',
		});
	}

	private rooftopUnits(building: Box): void {
		const count = Math.floor(this.random() * 3);
		for (let k = 0; k < count; k++) {
			const lx = this.between(-0.6, 0.6) * building.a;
			const ly = this.between(-0.6, 0.6) * building.b;
			if (!inRects(building.rects, lx, ly)) continue;
			const a = this.between(1, 2.5);
			const b = this.between(1, 2);
			this.out.boxes.push({
				cu: building.cu + lx * building.cos - ly * building.sin,
				cv: building.cv + lx * building.sin + ly * building.cos,
				cos: building.cos,
				sin: building.sin,
				rects: [-a, a, -b, b],
				a,
				b,
				radius: Math.hypot(a, b),
				roof: 'flat',
				base: building.base + building.eave,
				eave: this.between(1, 2.2),
				ridge: 0,
				color: [186, 186, 182],
				kind: 'rooftop',
			});
		}
	}

	/**
	 * A building of the given size centred near (cu, cv), rotated with the block, shrunk to stay
	 * inside `lot` with a 1 m margin. lShape ±1 cuts a corner on the +v/−v side of the box.
	 */
	private building(spec: {
		lot: Rect;
		cu: number;
		cv: number;
		length: number;
		width: number;
		angleJitter: number;
		roof: Box['roof'];
		eave: number;
		ridge: number;
		color: readonly number[];
		lShape: number;
	}): Box | undefined {
		const angle = this.angle + (this.between(-1, 1) * spec.angleJitter * Math.PI) / 180;
		const c = Math.cos(angle);
		const s = Math.sin(angle);
		let a = spec.length / 2;
		let b = spec.width / 2;
		const roomU = Math.min(spec.cu - spec.lot.u0, spec.lot.u1 - spec.cu) - 1;
		const roomV = Math.min(spec.cv - spec.lot.v0, spec.lot.v1 - spec.cv) - 1;
		const shrink = Math.min(
			1,
			roomU / (a * Math.abs(c) + b * Math.abs(s)),
			roomV / (a * Math.abs(s) + b * Math.abs(c)),
		);
		a *= shrink;
		b *= shrink;
		if (a < 3 || b < 3) return undefined;
		let rects = [-a, a, -b, b];
		if (spec.lShape !== 0 && a > 6 && b > 6) {
			const cutA = a * this.between(0.5, 1.1);
			const cutB = b * this.between(0.6, 1.1);
			const keepX: [number, number] = this.random() < 0.5 ? [-a, a - cutA] : [-a + cutA, a];
			rects =
				spec.lShape > 0
					? [-a, a, -b, b - cutB, keepX[0], keepX[1], b - cutB, b]
					: [-a, a, -b + cutB, b, keepX[0], keepX[1], -b, -b + cutB];
		}
		const box: Box = {
			cu: spec.cu,
			cv: spec.cv,
			cos: c,
			sin: s,
			rects,
			a,
			b,
			radius: Math.hypot(a, b),
			roof: rects.length > 4 ? 'flat' : spec.roof,
			base: terrainHeight(spec.cu, spec.cv),
			eave: spec.eave,
			ridge: rects.length > 4 ? 0 : spec.ridge,
			color: [spec.color[0], spec.color[1], spec.color[2]],
			kind: 'building',
		};
		this.out.boxes.push(box);
		return box;
	}
}

export function inRects(rects: number[], lx: number, ly: number): boolean {
	for (let k = 0; k < rects.length; k += 4) {
		if (lx >= rects[k] && lx < rects[k + 1] && ly >= rects[k + 2] && ly < rects[k + 3]) return true;
	}
	return false;
}
