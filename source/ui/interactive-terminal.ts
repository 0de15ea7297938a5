import {UserError} from '../errors.js';

/** As Ink's is-in-ci: in CI Ink draws only the last frame, which makes a live view useless. */
function inCi(env: NodeJS.ProcessEnv): boolean {
	if (env.CI === '0' || env.CI === 'false') return false;
	return 'CI' in env || 'CONTINUOUS_INTEGRATION' in env || Object.keys(env).some((name) => name.startsWith('CI_'));
}

/**
 * Refuse (UserError, exit 2) when a full-screen view cannot work here: no terminal on stdin or stdout, a
 * dumb terminal, or CI. `refusal` names the view and the command to use instead; `view` names it for the
 * CI hint ("the app", "the dashboard").
 */
export function requireInteractiveTerminal(refusal: string, view: string): void {
	if (!process.stdin.isTTY || !process.stdout.isTTY || process.env.TERM === 'dumb') throw new UserError(refusal);
	if (inCi(process.env)) throw new UserError(`${refusal} (CI is set in the environment; set CI=false to use ${view})`);
}

/** chalk reads the colour level when first imported: NO_COLOR must become FORCE_COLOR=0 before Ink loads. */
export function applyNoColor(): void {
	if (process.env.NO_COLOR) process.env.FORCE_COLOR = '0';
}
