import {useRef, useState} from 'react';
import {Text} from 'ink';
import {useKeys} from '../hooks/use-keys.js';

type TextInputProps = {
	/** The text the field starts with; from then on the field owns its text and reports it. */
	initial: string;
	onChange?: (value: string) => void;
	onSubmit: (value: string) => void;
	onCancel: () => void;
	isActive: boolean;
};

/** A one-line input: type, Backspace, Ctrl-U clears, Enter submits, Esc cancels. */
export function TextInput({initial, onChange, onSubmit, onCancel, isActive}: TextInputProps) {
	// The text lives in a ref, not in render state: keys can arrive faster than renders, and each must edit
	// the text the previous key left.
	const current = useRef(initial);
	const [value, setValue] = useState(initial);
	const change = (next: string) => {
		current.current = next;
		setValue(next);
		onChange?.(next);
	};
	useKeys(
		(input, key) => {
			if (key.return) onSubmit(current.current);
			else if (key.escape) onCancel();
			else if (key.backspace || key.delete) change(current.current.slice(0, -1));
			else if (key.ctrl && input === 'u') change('');
			else if (
				!key.ctrl &&
				!key.meta &&
				!key.tab &&
				!key.upArrow &&
				!key.downArrow &&
				!key.leftArrow &&
				!key.rightArrow
			) {
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
