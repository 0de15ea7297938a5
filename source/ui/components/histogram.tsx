import {Box, Text} from 'ink';
import {useTheme} from '../theme.js';

const levels = ' ▁▂▃▄▅▆▇█';

/**
 * Vertical bars of a histogram over 0..1, `rows` characters tall, on a log scale (the
 * background bin dwarfs the rest otherwise), with the threshold marked under its bin.
 */
export function histogramRows(counts: number[], rows: number): string[] {
	const scaled = counts.map((count) => Math.log1p(count));
	const top = Math.max(...scaled, 0);
	const eighths = scaled.map((value) => (top > 0 ? Math.round((value / top) * rows * 8) : 0));
	const lines: string[] = [];
	for (let row = rows - 1; row >= 0; row--) {
		lines.push(eighths.map((value) => levels[Math.max(0, Math.min(8, value - row * 8))]).join(''));
	}
	return lines;
}

export function Histogram({counts, threshold, rows}: {counts: number[]; threshold: number; rows: number}) {
	const theme = useTheme();
	const marker = Math.min(counts.length - 1, Math.floor(threshold * counts.length));
	return (
		<Box flexDirection="column">
			{histogramRows(counts, rows).map((line, index) => (
				<Text key={index} color={theme.accent}>
					{line}
				</Text>
			))}
			<Text>
				{'0'.padEnd(marker)}
				<Text bold>^</Text>
				{'1'.padStart(counts.length - marker - 1)} <Text dimColor>log</Text>
			</Text>
		</Box>
	);
}
