import {writeSync} from 'node:fs';
import {render} from 'ink';
import {readRunStatus} from '../../engine/shard/run-status.js';
import {colorWanted} from '../theme.js';
import {WatchApp} from './watch-app.js';

const ENTER_ALTERNATE_SCREEN = '\x1b[?1049h\x1b[H';
const LEAVE_ALTERNATE_SCREEN = '\x1b[?25h\x1b[?1049l';
const SIGNAL_CODES = {SIGINT: 130, SIGTERM: 143, SIGHUP: 129} as const;

/** Watch the run folder full-screen until the user quits; the terminal is restored on every way out. Resolves to the exit code. */
export async function runWatch(options: {runDir: string}): Promise<number> {
	const {stdout, stdin} = process;
	let restored = false;
	const restore = () => {
		if (restored) return;
		restored = true;
		try {
			if (stdin.isTTY) stdin.setRawMode(false);
			writeSync(stdout.fd, LEAVE_ALTERNATE_SCREEN);
		} catch {
			// The terminal may be gone (SSH drop); nothing left to restore then.
		}
	};
	// A watcher holds nothing that needs a graceful stop: a signal restores the terminal and leaves.
	const handlers = Object.entries(SIGNAL_CODES).map(([signal, code]) => {
		const handler = () => {
			restore();
			process.exit(code);
		};
		process.on(signal, handler);
		return [signal, handler] as const;
	});
	process.on('exit', restore);

	let code = 0;
	const initial = await readRunStatus(options.runDir);
	stdout.write(ENTER_ALTERNATE_SCREEN);
	try {
		const instance = render(<WatchApp runDir={options.runDir} initial={initial} color={colorWanted()} onQuit={(value) => (code = value)} />, {exitOnCtrlC: false, patchConsole: true, maxFps: 10});
		await instance.waitUntilExit();
	} finally {
		for (const [signal, handler] of handlers) process.off(signal, handler);
		restore();
		process.off('exit', restore);
	}
	return code;
}
