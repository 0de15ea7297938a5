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
 * has a double border, visible without colour. Ink 6.8 re-applies only the style props that
 * changed, so a new borderStyle alone would bring back the top border turned off here (a blank
 * row that pushes the last one out): the bordered box is re-created when the focus changes.
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
				key={focused ? 'focused' : 'plain'}
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
