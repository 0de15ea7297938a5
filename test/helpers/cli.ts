import {execFile} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type CliResult = {code: number; stdout: string; stderr: string};

/** Run the command line from source (through tsx), as a user would run `deepmask ARGS`. */
export function runCli(
	args: string[],
	options: {env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number} = {},
): Promise<CliResult> {
	return new Promise((resolve) => {
		execFile(
			process.execPath,
			['--import', 'tsx', path.join(root, 'source/cli.tsx'), ...args],
			{
				cwd: options.cwd ?? root,
				env: {...process.env, NO_COLOR: '1', ...options.env},
				timeout: options.timeoutMs ?? 120_000,
				maxBuffer: 64 * 1024 * 1024,
			},
			(error, stdout, stderr) => {
				const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
				resolve({code, stdout, stderr});
			},
		);
	});
}
