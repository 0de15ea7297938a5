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

describe('start-up', () => {
	it.each([[['--help']], [['--version']], [['presets']], [['plan', '--preset', 'demo']]])(
		'deepmask %j loads neither onnxruntime, sharp nor Ink',
		async (args) => {
			const modules = await modulesLoadedBy(args);
			expect(modules.some((url) => url.includes('/source/cli.tsx'))).toBe(true);
			expect(modules.filter((url) => heavy.test(url))).toEqual([]);
		},
	);
});
