import {describe, expect, it} from 'vitest';
import {histogramRows} from '../../source/ui/components/histogram.js';
import {tileMapLines} from '../../source/ui/components/tile-map.js';
import {formatBytes} from '../../source/app/format.js';
import {fit, formatDuration} from '../../source/ui/format.js';
import {makePlan} from '../../source/engine/geo/plan.js';
import {writtenLine} from '../../source/ui/summary.js';
import {wrapText} from '../../source/ui/wrap.js';

const planOf = (extent: {xmin: number; ymin: number; xmax: number; ymax: number}) =>
	makePlan({
		extent: {...extent, crs: 'EPSG:3857'},
		crs: 'EPSG:3857',
		cellSize: 1,
		tileSize: 100,
		snap: {mode: 'symmetric', alignToGrid: false},
		maxTiles: 1000,
	});

describe('view helpers', () => {
	it('draws the tile grid with the requested extent inside the padding, within the size given', () => {
		const plan = planOf({xmin: 0, ymin: 0, xmax: 250, ymax: 150});
		expect([plan.rows, plan.cols]).toEqual([2, 3]);
		const lines = tileMapLines(plan, 30, 10);
		expect(lines.length).toBeLessThanOrEqual(10);
		for (const line of lines) expect([...line].length).toBeLessThanOrEqual(30);
		const all = lines.join('');
		expect(all).toMatch(/[█▓]/);
		expect(all).toMatch(/[░▒]/);
		// Symmetric padding: the middle of the map is requested, the corners are padding.
		const middle = lines[Math.floor(lines.length / 2)];
		expect('█▓').toContain([...middle][Math.floor([...middle].length / 2)]);
		expect('░▒').toContain([...lines[0]][0]);
	});

	it('draws histogram bars on a log scale, the largest bin full height', () => {
		const rows = histogramRows([1000, 0, 10, 0], 2);
		expect(rows).toHaveLength(2);
		expect([...rows[0]][0]).toBe('█');
		expect([...rows[1]][1]).toBe(' ');
		expect([...rows[1]][2]).not.toBe(' ');
	});

	it('summarises what was written, grouped by folder', () => {
		const line = writtenLine('demo', {
			runDir: '/out',
			tiles: 2,
			files: ['/out/masks/a.tif', '/out/masks/b.tif', '/out/masks.vrt', '/out/stats.json'],
		});
		expect(line).toBe('demo: wrote masks of 2 tiles to /out: masks/ (2), masks.vrt, stats.json');
	});

	it('wraps and fits text to a width', () => {
		expect(wrapText('a bb ccc dddd', 6)).toEqual(['a bb', 'ccc', 'dddd']);
		expect(wrapText('abcdefgh', 3)).toEqual(['abc', 'def', 'gh']);
		expect(fit('abcdef', 4)).toBe('abc…');
		expect(fit('ab', 4)).toBe('ab  ');
		expect(formatBytes(1536)).toBe('1.5 kB');
		expect(formatDuration(3_723_000)).toBe('1:02:03');
	});
});
