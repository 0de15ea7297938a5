import {writeSync} from 'node:fs';

/** Enter the alternate screen (saving the normal one) and home the cursor. */
const ENTER_ALTERNATE_SCREEN = '\x1b[?1049h\x1b[H';
/** Show the cursor and go back to the normal screen as it was. */
const LEAVE_ALTERNATE_SCREEN = '\x1b[?25h\x1b[?1049l';

/** Exit codes for the signals a full-screen view handles (128 + the signal number). */
export const SIGNAL_CODES = {SIGINT: 130, SIGTERM: 143, SIGHUP: 129} as const;
export type HandledSignal = keyof typeof SIGNAL_CODES;

/**
 * Switch to the alternate screen. Returns the way back (raw mode off, cursor shown, normal screen
 * restored), safe to call more than once and also called on process exit.
 */
export function enterAlternateScreen(): () => void {
	const {stdout, stdin} = process;
	let restored = false;
	const restore = () => {
		if (restored) return;
		restored = true;
		process.off('exit', restore);
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
	process.on('exit', restore);
	stdout.write(ENTER_ALTERNATE_SCREEN);
	return restore;
}
