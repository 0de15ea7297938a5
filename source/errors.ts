import {redactSecrets} from './secrets.js';

/** Exit codes of the command line (DESIGN §3.1). */
export const ExitCode = {ok: 0, failed: 1, usage: 2, interrupted: 130} as const;

/**
 * A problem with what the user gave us (preset, flags, input files, models):
 * printed without a stack trace, exit code 2. The message names the problem and the fix.
 */
export class UserError extends Error {
	override name = 'UserError';
	readonly exitCode: number = ExitCode.usage;
}

/** A run that could not finish for reasons outside the input (service down, disk full): exit code 1. */
export class RunError extends Error {
	override name = 'RunError';
	readonly exitCode: number = ExitCode.failed;
}

export function exitCodeOf(error: unknown): number {
	if (error instanceof UserError || error instanceof RunError) return error.exitCode;
	if (isAbortError(error)) return ExitCode.interrupted;
	return ExitCode.failed;
}

/** What an unknown thrown value says (its message when it is an Error), secrets cut out. */
export function messageOf(error: unknown): string {
	return redactSecrets(error instanceof Error ? error.message : String(error));
}

export function isAbortError(error: unknown): boolean {
	return error instanceof Error && error.name === 'AbortError';
}

/**
 * The error of an interrupted operation (exit code 130): an AbortError with this message, or, from an aborted
 * signal, the signal's reason when that is already an AbortError (so the interrupter's message is kept).
 */
export function abortError(from: string | AbortSignal = 'interrupted'): Error {
	if (typeof from !== 'string' && isAbortError(from.reason)) return from.reason as Error;
	const error = new Error(typeof from === 'string' ? from : 'interrupted');
	error.name = 'AbortError';
	return error;
}
