import type {ReactNode} from 'react';
import {Box, Spacer, Text} from 'ink';
import type {KeyHelp} from '../keys.js';
import type {TerminalSize} from '../hooks/use-terminal-size.js';
import {HintBar} from './hint-bar.js';

/** The smallest terminal the screens are laid out for. */
export const MIN_SIZE = {columns: 80, rows: 24};

export function tooSmall(size: TerminalSize): boolean {
	return size.columns < MIN_SIZE.columns || size.rows < MIN_SIZE.rows;
}

/**
 * The whole screen: title line, body, key hint bar. One row shorter than the terminal:
 * Ink 6 clears the whole terminal on every frame as tall as the terminal (flicker).
 * Below 80×24 it says so on one line instead of dropping rows that stay selectable; the
 * screens stay mounted (hidden, in the same place of the tree, so that React keeps their
 * state), so a run and its review go on and come back as they were on enlarging.
 */
export function Frame({
	size,
	title,
	status,
	keys,
	prompt,
	children,
}: {
	size: TerminalSize;
	title: string;
	status?: ReactNode;
	keys: KeyHelp[];
	/** A question or message of the app's own (quit?), one line, shown whatever the size: in the hint bar's place. */
	prompt?: ReactNode;
	children: ReactNode;
}) {
	const small = tooSmall(size);
	const shown = small ? 'none' : 'flex';
	return (
		<Box flexDirection="column" width={size.columns} height={Math.max(1, size.rows - 1)} overflow="hidden">
			{small ? (
				<Box key="too-small" flexDirection="column">
					<Text bold wrap="wrap">
						{`deepmask: enlarge the terminal to ${MIN_SIZE.columns}×${MIN_SIZE.rows}; now ${size.columns}×${size.rows}`}
					</Text>
					<Text dimColor wrap="wrap">
						q quit · Ctrl-C quit now
					</Text>
					{prompt}
				</Box>
			) : null}
			<Box key="title" display={shown} flexShrink={0}>
				<Text inverse bold>
					{' deepmask '}
				</Text>
				<Text bold> {title}</Text>
				<Spacer />
				{status}
			</Box>
			<Box key="body" display={shown} flexDirection="column" flexGrow={1} flexShrink={1} overflow="hidden">
				{children}
			</Box>
			{/* A question takes the hint bar's row (its own keys are in it): a row more would squeeze every pane. */}
			<Box key="hints" display={shown} flexShrink={0}>
				{prompt && !small ? prompt : <HintBar keys={keys} width={size.columns} />}
			</Box>
		</Box>
	);
}
