import {Box, Text} from 'ink';
import {useAppContext} from '../app-context.js';
import {Pane} from '../components/pane.js';
import {useKeys} from '../hooks/use-keys.js';
import {filesByFolder, writtenLine, type WriteResult} from '../summary.js';

type WrittenScreenProps = {preset: string; result: WriteResult; onDone: () => void};

/** As many of the names as fit in width, then how many more. */
function namesIn(names: string[], width: number): string {
	let line = '';
	for (const [index, name] of names.entries()) {
		const more = names.length - index - 1;
		const next = line ? `${line} ${name}` : name;
		const tail = more ? ` +${more} more` : '';
		if (`${next}${tail}`.length > width) return `${line} +${names.length - index} more`.trim();
		line = next;
	}
	return line;
}

/** What a write put where, until a key: the run folder, the tiles, the files by folder. */
export function WrittenScreen({preset, result, onDone}: WrittenScreenProps) {
	const {size, screenActive} = useAppContext();
	const groups = [...filesByFolder(result)];
	const nameWidth = Math.max(8, ...groups.map(([folder]) => folder.length)) + 2;
	const listWidth = size.columns - 4 - nameWidth - 10;
	useKeys(
		(input, key) => {
			// q and ? are the app's (quit, help), Ctrl-C too.
			if (input === 'q' || input === '?' || (key.ctrl && input === 'c')) return;
			onDone();
		},
		{isActive: screenActive},
	);
	return (
		<Box flexDirection="column" flexGrow={1}>
			<Pane title="Written" focused flexGrow={1}>
				<Text bold wrap="wrap">
					{writtenLine(preset, result)}
				</Text>
				<Text> </Text>
				<Text wrap="truncate">
					<Text bold>{'run folder'.padEnd(nameWidth + 10)}</Text>
					{result.runDir}
				</Text>
				{result.tiles === undefined ? null : (
					<Text wrap="truncate">
						<Text bold>{'tiles'.padEnd(nameWidth + 10)}</Text>
						{result.tiles}
					</Text>
				)}
				{groups.map(([folder, files]) => (
					<Text key={folder} wrap="truncate">
						<Text bold>{folder.padEnd(nameWidth)}</Text>
						{folder.endsWith('/')
							? `${`${files.length} file${files.length === 1 ? '' : 's'}`.padEnd(10)}${namesIn(files, listWidth)}`
							: ''}
					</Text>
				))}
			</Pane>
			<Text dimColor>Any key returns to Presets (q quits).</Text>
		</Box>
	);
}
