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
	if (error instanceof Error && error.name === 'AbortError') return ExitCode.interrupted;
	return ExitCode.failed;
}
