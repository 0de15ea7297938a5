import {execFile} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {describe, expect, it} from 'vitest';

const bin = fileURLToPath(new URL('../../bin/deepmask.js', import.meta.url));
const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
	scripts: Record<string, string>;
};

describe('launch flags', () => {
	it('bin/deepmask.js starts node with its V8 flags through env -S, and npm start passes the same', async () => {
		const shebang = readFileSync(bin, 'utf8').split('\n')[0];
		const flags = /^#!\/usr\/bin\/env -S node((?: --[\w-]+=\S+)+)$/.exec(shebang)?.[1].trim();
		expect(flags, shebang).toContain('--max-semi-space-size=');
		expect(packageJson.scripts.start).toBe(`node ${flags} bin/deepmask.js`);
		const {stdout} = await promisify(execFile)(bin, ['--version']);
		expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
	});
});
