import {Text} from 'ink';
import {useTheme} from '../theme.js';

/** A bar of exactly `width` columns: █ done, ░ to do. */
export function ProgressBar({fraction, width}: {fraction: number; width: number}) {
	const theme = useTheme();
	const clamped = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
	const filled = Math.round(clamped * Math.max(0, width));
	return (
		<Text>
			<Text color={theme.bar}>{'█'.repeat(filled)}</Text>
			<Text dimColor>{'░'.repeat(Math.max(0, width - filled))}</Text>
		</Text>
	);
}
