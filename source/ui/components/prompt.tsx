import {Box, Text} from 'ink';
import {useKeys} from '../hooks/use-keys.js';
import {useKeyCapture} from '../app-context.js';
import {useTheme} from '../theme.js';
import {TextInput} from './text-input.js';

/** Ask for a line of text (Enter accepts, Esc cancels). */
export function TextPrompt({
	label,
	initial,
	onSubmit,
	onCancel,
}: {
	label: string;
	initial: string;
	onSubmit: (value: string) => void;
	onCancel: () => void;
}) {
	const theme = useTheme();
	useKeyCapture(true);
	return (
		<Box>
			<Text color={theme.accent} bold>
				{label}{' '}
			</Text>
			<TextInput initial={initial} onSubmit={onSubmit} onCancel={onCancel} isActive />
			<Text dimColor> Enter ok · Esc cancel</Text>
		</Box>
	);
}

/** A yes/no question: y yes; n or Esc no. */
export function Confirm({
	question,
	onYes,
	onNo,
	isActive = true,
}: {
	question: string;
	onYes: () => void;
	onNo: () => void;
	isActive?: boolean;
}) {
	const theme = useTheme();
	useKeyCapture(isActive);
	useKeys(
		(input, key) => {
			if (input === 'y' || input === 'Y') onYes();
			else if (input === 'n' || input === 'N' || key.escape) onNo();
		},
		{isActive},
	);
	return (
		<Box>
			<Text color={theme.warn} bold wrap="truncate">
				{question} <Text inverse> y </Text> yes <Text inverse> n </Text> no
			</Text>
		</Box>
	);
}
