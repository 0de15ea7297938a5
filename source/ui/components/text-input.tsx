import {useEffect, useRef} from 'react';
import {Text} from 'ink';
import {useKeys} from '../hooks/use-keys.js';

type TextInputProps = {
	value: string;
	onChange: (value: string) => void;
	onSubmit: (value: string) => void;
	onCancel: () => void;
	isActive: boolean;
};

/** A one-line controlled input: type, Backspace, Ctrl-U clears, Enter submits, Esc cancels. */
export function TextInput({value, onChange, onSubmit, onCancel, isActive}: TextInputProps) {
	// Keys of one chunk arrive before the next render: each edits the value the previous one left.
	const current = useRef(value);
	useEffect(() => {
		current.current = value;
	}, [value]);
	const change = (next: string) => {
		current.current = next;
		onChange(next);
	};
	useKeys(
		(input, key) => {
			if (key.return) onSubmit(current.current);
			else if (key.escape) onCancel();
			else if (key.backspace || key.delete) change(current.current.slice(0, -1));
			else if (key.ctrl && input === 'u') change('');
			else if (!key.ctrl && !key.meta && !key.tab && !key.upArrow && !key.downArrow && !key.leftArrow && !key.rightArrow) {
				// eslint-disable-next-line no-control-regex
				const printable = input.replace(/[\x00-\x1f\x7f]/g, '');
				if (printable) change(current.current + printable);
			}
		},
		{isActive, keepText: true},
	);
	return (
		<Text>
			{value}
			{isActive ? <Text inverse> </Text> : null}
		</Text>
	);
}
