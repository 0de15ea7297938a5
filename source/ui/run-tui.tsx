import {render} from 'ink';
import {enterAlternateScreen, SIGNAL_CODES, type HandledSignal} from './alternate-screen.js';
import {App, type AppOutcome, type AppServices, type QuitRequests} from './app.js';
import {colorWanted} from './theme.js';
import {anchoredStdout} from './anchored-stdout.js';
import {renderOptions} from './render-options.js';

/** A signal asks the app to quit gracefully; if it has not within this time (or on a second signal), leave at once. */
const FORCE_AFTER_MS = 8000;
/**
 * Ink's signal-exit re-raises a signal right after its own cleanup when it thinks it is the last
 * listener; that echo arrives within milliseconds and must not count as the user's second signal.
 */
const ECHO_MS = 300;

/** After the app has ended the exit code is set: a late signal (or signal-exit's echo) must not kill the summary. */
const ignoreLateSignal = () => {};

/**
 * Run the full-screen app until the user quits. The terminal is restored on every way out:
 * normal exit, a thrown error, Ctrl-C, SIGINT/SIGTERM/SIGHUP, and process exit itself.
 */
export async function runTui(options: {services: AppServices; initialPreset?: string}): Promise<AppOutcome> {
	const restore = enterAlternateScreen();
	const listeners = new Set<(code: number) => void>();
	const quitRequests: QuitRequests = {
		subscribe: (listener) => {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
	};
	let firstSignalAt: number | undefined;
	const onSignal = (signal: HandledSignal) => {
		const code = SIGNAL_CODES[signal];
		const leaveNow = () => {
			restore();
			process.exit(code);
		};
		const now = Date.now();
		if (firstSignalAt === undefined) {
			firstSignalAt = now;
			if (listeners.size === 0) return leaveNow();
			for (const listener of listeners) listener(code);
			setTimeout(leaveNow, FORCE_AFTER_MS).unref();
		} else if (now - firstSignalAt > ECHO_MS) leaveNow();
	};
	const handlers = Object.fromEntries(
		(Object.keys(SIGNAL_CODES) as HandledSignal[]).map((signal) => [signal, () => onSignal(signal)]),
	) as Record<HandledSignal, () => void>;
	for (const [signal, handler] of Object.entries(handlers)) process.on(signal, handler);

	let outcome: AppOutcome = {code: 0, summary: []};
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
			{...renderOptions, stdout: anchoredStdout(process.stdout)},
		);
		await instance.waitUntilExit();
	} finally {
		for (const [signal, handler] of Object.entries(handlers)) {
			process.off(signal, handler);
			process.on(signal, ignoreLateSignal);
		}
		restore();
	}
	return outcome;
}
