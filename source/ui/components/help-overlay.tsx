import {Box, Text} from 'ink';
import {globalKeys, type KeyHelp} from '../keys.js';
import {useTheme} from '../theme.js';

function KeyTable({title, keys, gapBelow = 0}: {title: string; keys: KeyHelp[]; gapBelow?: number}) {
	const theme = useTheme();
	// Not shrunk: a table too long for the terminal is cut at the bottom, its title kept.
	return (
		<Box flexDirection="column" marginBottom={gapBelow} flexShrink={0}>
			<Text bold color={theme.accent}>
				{title}
			</Text>
			{keys.map((key) => (
				<Text key={key.keys} wrap="truncate">
					<Text bold>{key.keys.padEnd(12)}</Text> {key.action}
				</Text>
			))}
		</Box>
	);
}

/** Every key of the current screen and of the whole app. */
export function HelpOverlay({screenTitle, keys}: {screenTitle: string; keys: KeyHelp[]}) {
	return (
		<Box flexDirection="column" borderStyle="round" paddingX={1} flexGrow={1} overflow="hidden">
			<KeyTable title={`Keys on ${screenTitle}`} keys={keys} gapBelow={1} />
			<KeyTable title="Keys everywhere" keys={globalKeys} />
			<Text dimColor>? or Esc closes this help</Text>
		</Box>
	);
}
