import {writeSync} from 'node:fs';
import {render} from 'ink';
import {App, type AppOutcome, type AppServices, type QuitRequests} from './app.js';
import {colorWanted} from './theme.js';

/** Enter the alternate screen (saving the normal one) and home the cursor. */
const ENTER_ALTERNATE_SCREEN = '\x1b[?1049h\x1b[H';
/** Show the cursor and go back to the normal screen as it was. */
const LEAVE_ALTERNATE_SCREEN = '\x1b[?25h\x1b[?1049l';

const SIGNAL_CODES = {SIGINT: 130, SIGTERM: 143, SIGHUP: 129} as const;
type HandledSignal = keyof typeof SIGNAL_CODES;

/** A signal asks the app to quit gracefully; if it has not within this time (or on a second signal), leave at once. */
const FORCE_AFTER_MS = 8000;

/**
 * Run the full-screen app until the user quits. The terminal is restored on every way out:
 * normal exit, a thrown error, Ctrl-C, SIGINT/SIGTERM/SIGHUP, and process exit itself.
 */
export async function runTui(options: {services: AppServices; initialPreset?: string}): Promise<AppOutcome> {
	const {stdout, stdin} = process;
	let restored = false;
	const restore = () => {
		if (restored) return;
		restored = true;
		try {
			if (stdin.isTTY) stdin.setRawMode(false);
		} catch {
			// The terminal may be gone (SSH drop); nothing left to restore then.
		}
		try {
			writeSync(stdout.fd, LEAVE_ALTERNATE_SCREEN);
		} catch {
			// Same: a revoked pty answers EIO.
		}
	};

	const listeners = new Set<(code: number) => void>();
	const quitRequests: QuitRequests = {
		subscribe: (listener) => {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
	};
	let signals = 0;
	const onSignal = (signal: HandledSignal) => {
		const code = SIGNAL_CODES[signal];
		const leaveNow = () => {
			restore();
			process.exit(code);
		};
		if (signals++ > 0 || listeners.size === 0) return leaveNow();
		for (const listener of listeners) listener(code);
		setTimeout(leaveNow, FORCE_AFTER_MS).unref();
	};
	const handlers = Object.fromEntries((Object.keys(SIGNAL_CODES) as HandledSignal[]).map((signal) => [signal, () => onSignal(signal)])) as Record<HandledSignal, () => void>;
	for (const [signal, handler] of Object.entries(handlers)) process.on(signal, handler);
	process.on('exit', restore);

	let outcome: AppOutcome = {code: 0, summary: []};
	stdout.write(ENTER_ALTERNATE_SCREEN);
	try {
		const instance = render(
			<App
				services={options.services}
				initialPreset={options.initialPreset}
				color={colorWanted()}
				quitRequests={quitRequests}
				onOutcome={(result) => {
					outcome = result;
				}}
			/>,
			{exitOnCtrlC: false, patchConsole: true, maxFps: 10},
		);
		await instance.waitUntilExit();
	} finally {
		for (const [signal, handler] of Object.entries(handlers)) process.off(signal, handler);
		restore();
		process.off('exit', restore);
	}
	return outcome;
}
