import {Box, Text} from 'ink';
import type {TileStats} from '../../engine/index.js';
import {formatPercent} from '../format.js';
import {tileDisagreement, tileFraction} from '../review-stats.js';

export type MinimapMeasure = 'foreground' | 'disagreement';

export const minimapMeasures: MinimapMeasure[] = ['foreground', 'disagreement'];

const measureLabel: Record<MinimapMeasure, string> = {foreground: 'fg', disagreement: 'dis'};

/** The tile's measure, of class `classId` alone when given (a multi-class run's). */
function measureOf(tile: TileStats, measure: MinimapMeasure, classId?: number): number {
	return measure === 'foreground' ? tileFraction(tile, classId) : tileDisagreement(tile, classId);
}

/** Lowest to highest share of the run's largest value; the glyphs carry the map without colour. */
const shades = '·░▒▓█';
const selectedGlyph = '◆';

export type MinimapCell = {level: number; selected: boolean} | undefined;

/** Tile rows or columns [first, end) that a map character covers, at least one. */
function span(index: number, cells: number, tiles: number): [number, number] {
	const first = Math.floor((index * tiles) / cells);
	return [first, Math.max(first + 1, Math.floor(((index + 1) * tiles) / cells))];
}

/**
 * The tile grid in at most width × height characters: about square tiles (two characters wide per
 * row) when they fit, else a character per tile, else a character per block of tiles (their mean,
 * marked when the selected tile is among them). Levels are of the largest value, so small shares still show.
 */
export function minimapCells(
	tiles: TileStats[],
	measure: MinimapMeasure,
	selectedId: string | undefined,
	width: number,
	height: number,
	classId?: number,
): MinimapCell[][] {
	if (tiles.length === 0 || width < 1 || height < 1) return [];
	const gridRows = Math.max(...tiles.map((tile) => tile.row)) + 1;
	const gridCols = Math.max(...tiles.map((tile) => tile.col)) + 1;
	const byPlace = new Map(tiles.map((tile) => [`${tile.row}:${tile.col}`, tile]));
	const largest = Math.max(...tiles.map((tile) => measureOf(tile, measure, classId)));
	const scale = Math.min(Math.floor(width / (2 * gridCols)), Math.floor(height / gridRows));
	const columns = scale >= 1 ? gridCols * 2 * scale : Math.min(width, gridCols);
	const rows = scale >= 1 ? gridRows * scale : Math.min(height, gridRows);
	const lines: MinimapCell[][] = [];
	for (let y = 0; y < rows; y++) {
		const [rowFirst, rowEnd] = span(y, rows, gridRows);
		const line: MinimapCell[] = [];
		for (let x = 0; x < columns; x++) {
			const [colFirst, colEnd] = span(x, columns, gridCols);
			const covered: TileStats[] = [];
			for (let row = rowFirst; row < rowEnd; row++)
				for (let col = colFirst; col < colEnd; col++) {
					const tile = byPlace.get(`${row}:${col}`);
					if (tile) covered.push(tile);
				}
			if (covered.length === 0) {
				line.push(undefined);
				continue;
			}
			const mean = covered.reduce((sum, tile) => sum + measureOf(tile, measure, classId), 0) / covered.length;
			line.push({level: largest > 0 ? mean / largest : 0, selected: covered.some((tile) => tile.id === selectedId)});
		}
		lines.push(line);
	}
	return lines;
}

function shadeOf(level: number): string {
	return shades[Math.min(shades.length - 1, Math.round(level * (shades.length - 1)))];
}

/** Dark grey to gold (foreground, the preview's mask colour) or to red (disagreement). */
function colourOf(level: number, measure: MinimapMeasure): string {
	const [r, g, b] = measure === 'foreground' ? [0xff, 0xd7, 0x00] : [0xff, 0x30, 0x30];
	const mix = (high: number) =>
		Math.round(0x30 + (high - 0x30) * level)
			.toString(16)
			.padStart(2, '0');
	return `#${mix(r)}${mix(g)}${mix(b)}`;
}

/** The measure's name over the map, with the largest value when there is room for it. */
export function minimapLabel(tiles: TileStats[], measure: MinimapMeasure, width: number, classId?: number): string {
	const name = measureLabel[measure];
	const largest = formatPercent(Math.max(0, ...tiles.map((tile) => measureOf(tile, measure, classId))), 0);
	const long = `${name} █ ${largest}`;
	return long.length <= width ? long : name;
}

export function TileMinimap({
	tiles,
	measure,
	selectedId,
	width,
	height,
	color,
	classId,
}: {
	tiles: TileStats[];
	measure: MinimapMeasure;
	selectedId: string | undefined;
	width: number;
	height: number;
	color: boolean;
	/** A multi-class run's class whose figures the map shows; every class together when undefined. */
	classId?: number;
}) {
	const lines = minimapCells(tiles, measure, selectedId, width, height - 1, classId);
	return (
		<Box flexDirection="column" flexShrink={0}>
			<Text bold wrap="truncate">
				{minimapLabel(tiles, measure, width, classId)}
			</Text>
			{lines.map((line, y) => (
				<Text key={y}>
					{line.map((cell, x) =>
						cell === undefined ? (
							' '
						) : (
							<Text key={x} color={color ? colourOf(cell.level, measure) : undefined} inverse={cell.selected}>
								{cell.selected ? selectedGlyph : shadeOf(cell.level)}
							</Text>
						),
					)}
				</Text>
			))}
		</Box>
	);
}
