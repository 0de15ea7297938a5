import {execFile} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, describe, expect, it} from 'vitest';
import {runCli} from '../helpers/cli.js';

const recorder = fileURLToPath(new URL('../helpers/record-modules.mjs', import.meta.url));
const logDir = mkdtempSync(path.join(tmpdir(), 'deepmask-startup-'));
const heavy = /onnxruntime-node|\/sharp\/|\/ink\/|\/react\//;

afterAll(() => rmSync(logDir, {recursive: true, force: true}));

/** Every module URL the command line resolves while answering `args`. */
async function modulesLoadedBy(args: string[]): Promise<string[]> {
	const logFile = path.join(logDir, `${args.join('_').replaceAll('-', '')}.txt`);
	const result = await runCli(args, {env: {NODE_OPTIONS: `--import "${recorder}"`, DEEPMASK_MODULE_LOG: logFile}});
	expect(result.code, result.stderr).toBe(0);
	return readFileSync(logFile, 'utf8').split('\n').filter(Boolean);
}

/** Every module URL a process resolves while it imports `module` (from source, through tsx). */
function modulesImportedBy(module: string): Promise<string[]> {
	const logFile = path.join(logDir, `${path.basename(module)}.txt`);
	return new Promise((resolve, reject) => {
		execFile(
			process.execPath,
			['--import', 'tsx', '--import', recorder, '--input-type=module', '-e', `await import(${JSON.stringify(module)})`],
			{env: {...process.env, DEEPMASK_MODULE_LOG: logFile}},
			(error) => (error ? reject(error) : resolve(readFileSync(logFile, 'utf8').split('\n').filter(Boolean))),
		);
	});
}

describe('start-up', () => {
	it.each([[['--help']], [['--version']], [['presets']], [['plan', '--preset', 'demo']]])(
		'deepmask %j loads neither onnxruntime, sharp nor Ink',
		async (args) => {
			const modules = await modulesLoadedBy(args);
			expect(modules.some((url) => url.includes('/source/cli.tsx'))).toBe(true);
			expect(modules.filter((url) => heavy.test(url))).toEqual([]);
		},
	);

	it('deepmask watch (the dashboard) loads Ink but neither onnxruntime nor sharp', async () => {
		const modules = await modulesImportedBy(
			fileURLToPath(new URL('../../source/ui/watch/run-watch.tsx', import.meta.url)),
		);
		expect(modules.some((url) => url.includes('/ink/'))).toBe(true);
		expect(modules.filter((url) => /onnxruntime-node|\/sharp\//.test(url))).toEqual([]);
	});
});
