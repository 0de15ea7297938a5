import {Text} from 'ink';
import {globalKeys, type KeyHelp} from '../keys.js';

/** One line: the current screen's main keys (or a state such as "cancelling…"), then help and quit; cut at the terminal width. */
export function HintBar({keys, width}: {keys: KeyHelp[]; width: number}) {
	const parts = [...keys, ...globalKeys]
		.filter((key) => key.hint)
		.map((key) => (key.keys ? `${key.keys.split('  ')[0]} ${key.hint}` : key.hint!));
	let line = '';
	for (const part of parts) {
		const next = line ? `${line}  ${part}` : part;
		if (next.length > width - 1) break;
		line = next;
	}
	return (
		<Text dimColor wrap="truncate">
			{line}
		</Text>
	);
}
