import {Box, Text} from 'ink';
import type {Plan} from '../../engine/index.js';

/**
 * A character map of the tile grid: each character shows which tile its centre falls in,
 * alternating shades per tile; the requested extent is dark (█▓), the padding light (░▒), tiles outside the
 * plan's area (skipped) a dot.
 * Characters are about twice as tall as wide, so a row covers twice a column's map units.
 */
export function tileMapLines(plan: Plan, maxWidth: number, maxHeight: number): string[] {
	const {adjusted, requested} = plan;
	const spanX = adjusted.xmax - adjusted.xmin;
	const spanY = adjusted.ymax - adjusted.ymin;
	if (maxWidth < 1 || maxHeight < 1 || spanX <= 0 || spanY <= 0) return [];
	const unitsPerColumn = Math.max(spanX / maxWidth, spanY / (2 * maxHeight));
	const columns = Math.min(maxWidth, Math.max(1, Math.round(spanX / unitsPerColumn)));
	const rows = Math.min(maxHeight, Math.max(1, Math.round(spanY / (2 * unitsPerColumn))));
	const tileUnits = plan.tileSize * plan.cellSize;
	const kept = plan.area && new Set(plan.tiles.map((tile) => tile.row * plan.cols + tile.col));
	const lines: string[] = [];
	for (let row = 0; row < rows; row++) {
		let line = '';
		const y = adjusted.ymax - ((row + 0.5) * spanY) / rows;
		const tileRow = Math.min(plan.rows - 1, Math.floor((adjusted.ymax - y) / tileUnits));
		for (let column = 0; column < columns; column++) {
			const x = adjusted.xmin + ((column + 0.5) * spanX) / columns;
			const tileCol = Math.min(plan.cols - 1, Math.floor((x - adjusted.xmin) / tileUnits));
			if (kept && !kept.has(tileRow * plan.cols + tileCol)) {
				line += '·';
				continue;
			}
			const odd = (tileRow + tileCol) % 2 === 1;
			const inside = x >= requested.xmin && x <= requested.xmax && y >= requested.ymin && y <= requested.ymax;
			line += inside ? (odd ? '▓' : '█') : odd ? '▒' : '░';
		}
		lines.push(line);
	}
	return lines;
}

export function TileMap({plan, width, height}: {plan: Plan; width: number; height: number}) {
	return (
		<Box flexDirection="column">
			{tileMapLines(plan, width, height).map((line, index) => (
				<Text key={index}>{line}</Text>
			))}
		</Box>
	);
}
