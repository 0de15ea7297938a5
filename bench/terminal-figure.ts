/** The terminal app's idle output: bench/terminal-bytes.tsx in its own process, without CI set. */
import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'terminal-bytes.tsx');

export type TerminalBytes = Record<string, {standard: number; incremental: number}>;

export function terminalBytesFigure(seconds: number): TerminalBytes {
	const {CI: _ci, ...env} = process.env;
	const result = spawnSync(process.execPath, ['--import', 'tsx', script, String(seconds)], {env, encoding: 'utf8'});
	if (result.status !== 0) throw new Error(`terminal-bytes exited ${result.status}: ${result.stderr}`);
	return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as TerminalBytes;
}
