import type {ReactNode} from 'react';
import {Box, Text} from 'ink';
import {useTheme} from '../theme.js';

type PaneProps = {
	title: string;
	focused?: boolean;
	width?: number | string;
	height?: number;
	flexGrow?: number;
	children: ReactNode;
};

/**
 * A bordered pane with its title in the top border (saves a row at 80×24). The focused pane
 * has a double border, visible without colour.
 */
export function Pane({title, focused = false, width, height, flexGrow, children}: PaneProps) {
	const theme = useTheme();
	const [left, line, right] = focused ? ['╔═', '═', '╗'] : ['╭─', '─', '╮'];
	const borderColor = focused ? theme.focus : undefined;
	return (
		<Box
			flexDirection="column"
			width={width}
			height={height}
			flexGrow={flexGrow}
			flexShrink={width === undefined ? 1 : 0}
			overflow="hidden"
		>
			<Box height={1} flexShrink={0}>
				<Box flexShrink={0}>
					<Text color={borderColor} dimColor={!focused}>
						{left}
					</Text>
				</Box>
				<Box flexShrink={0}>
					<Text bold color={focused ? theme.focus : undefined} wrap="truncate">
						{` ${title} `}
					</Text>
				</Box>
				<Box flexGrow={1} height={1} overflow="hidden">
					<Text color={borderColor} dimColor={!focused}>
						{line.repeat(400)}
					</Text>
				</Box>
				<Box flexShrink={0}>
					<Text color={borderColor} dimColor={!focused}>
						{right}
					</Text>
				</Box>
			</Box>
			<Box
				flexDirection="column"
				flexGrow={1}
				borderStyle={focused ? 'double' : 'round'}
				borderTop={false}
				borderColor={borderColor}
				borderDimColor={!focused}
				overflow="hidden"
				paddingX={1}
			>
				{children}
			</Box>
		</Box>
	);
}
