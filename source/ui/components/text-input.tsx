import {Text, useInput} from 'ink';

type TextInputProps = {
	value: string;
	onChange: (value: string) => void;
	onSubmit: (value: string) => void;
	onCancel: () => void;
	isActive: boolean;
};

/** A one-line controlled input: type, Backspace, Ctrl-U clears, Enter submits, Esc cancels. */
export function TextInput({value, onChange, onSubmit, onCancel, isActive}: TextInputProps) {
	useInput(
		(input, key) => {
			if (key.return) onSubmit(value);
			else if (key.escape) onCancel();
			else if (key.backspace || key.delete) onChange(value.slice(0, -1));
			else if (key.ctrl && input === 'u') onChange('');
			else if (!key.ctrl && !key.meta && !key.tab && !key.upArrow && !key.downArrow && !key.leftArrow && !key.rightArrow) {
				// eslint-disable-next-line no-control-regex
				const printable = input.replace(/[\x00-\x1f\x7f]/g, '');
				if (printable) onChange(value + printable);
			}
		},
		{isActive},
	);
	return (
		<Text>
			{value}
			{isActive ? <Text inverse> </Text> : null}
		</Text>
	);
}
