import {render} from 'ink';
import {readRunStatus} from '../../engine/status.js';
import {enterAlternateScreen, SIGNAL_CODES} from '../alternate-screen.js';
import {colorWanted} from '../theme.js';
import {WatchApp} from './watch-app.js';
import {anchoredStdout} from '../anchored-stdout.js';
import {renderOptions} from '../render-options.js';

/** Watch the run folder full-screen until the user quits; the terminal is restored on every way out. Resolves to the exit code. */
export async function runWatch(options: {runDir: string}): Promise<number> {
	// A run that has not written its status yet is waited for: the view polls until it appears.
	const initial = await readRunStatus(options.runDir).catch(() => undefined);
	const restore = enterAlternateScreen();
	// A watcher holds nothing that needs a graceful stop: a signal restores the terminal and leaves.
	const handlers = Object.entries(SIGNAL_CODES).map(([signal, code]) => {
		const handler = () => {
			restore();
			process.exit(code);
		};
		process.on(signal, handler);
		return [signal, handler] as const;
	});

	let code = 0;
	try {
		const instance = render(
			<WatchApp runDir={options.runDir} initial={initial} color={colorWanted()} onQuit={(value) => (code = value)} />,
			{...renderOptions, stdout: anchoredStdout(process.stdout)},
		);
		await instance.waitUntilExit();
	} finally {
		for (const [signal, handler] of handlers) process.off(signal, handler);
		restore();
	}
	return code;
}
