import type {ReactNode} from 'react';
import {Box, Spacer, Text} from 'ink';
import type {KeyHelp} from '../keys.js';
import type {TerminalSize} from '../hooks/use-terminal-size.js';
import {HintBar} from './hint-bar.js';

/**
 * The whole screen: title line, body, key hint bar. One row shorter than the terminal:
 * Ink 6 clears the whole terminal on every frame as tall as the terminal (flicker).
 */
export function Frame({
	size,
	title,
	status,
	keys,
	children,
}: {
	size: TerminalSize;
	title: string;
	status?: ReactNode;
	keys: KeyHelp[];
	children: ReactNode;
}) {
	return (
		<Box flexDirection="column" width={size.columns} height={Math.max(1, size.rows - 1)} overflow="hidden">
			<Box flexShrink={0}>
				<Text inverse bold>
					{' deepmask '}
				</Text>
				<Text bold> {title}</Text>
				<Spacer />
				{status}
			</Box>
			<Box flexDirection="column" flexGrow={1} flexShrink={1} overflow="hidden">
				{children}
			</Box>
			<Box flexShrink={0}>
				<HintBar keys={keys} width={size.columns} />
			</Box>
		</Box>
	);
}
