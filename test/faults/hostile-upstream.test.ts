/**
 * A hostile upstream server (issue 17): it echoes the token in its error messages. Each run ends with a
 * named failure, and no secret reaches stderr, stdout, status.json or manifest.json.
 */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startImageService, type ImageService} from '../../source/demo/server.js';
import {startProxy} from '../helpers/proxy.js';
import {startHostileServer} from './hostile-server.js';
import {listFiles} from '../helpers/run-folder.js';
import {expectIntact, spawnCli, tempDir, tinyRunArgs, tinySets} from './helpers.js';

let service: ImageService;

beforeAll(async () => {
	service = await startImageService({port: 0});
});

afterAll(async () => {
	await service.close();
});

/** Every text a run left: its output streams and every JSON file of its folder. */
function everythingWritten(dir: string, streams: string[]): string {
	const files = listFiles(dir).filter((file) => file.endsWith('.json'));
	return [...streams, ...files.map((file) => readFileSync(path.join(dir, file), 'utf8'))].join('\n');
}

describe('a hostile upstream server', () => {
	const token = 'tok+en/SEKRET=42:xyz';
	const forms = [token, encodeURIComponent(token), new URLSearchParams({t: token}).toString().slice(2)];

	it('echoing the token in its error message: the run fails naming the layer, and the token is nowhere', async () => {
		const proxy = await startProxy(service.url, {
			intercept: (url) =>
				/export/i.test(url.pathname)
					? {
							status: 200,
							contentType: 'application/json',
							body: JSON.stringify({
								error: {
									code: 400,
									message: `Unable to complete operation for ${token}`,
									details: [`token ${forms[1]} or ${forms[2]} is not allowed here`],
								},
							}),
						}
					: undefined,
		});
		try {
			const dir = tempDir('token-echo');
			for (const [how, sets, env] of [
				['env', ['layers.rgb.token.env=DEEPMASK_TEST_TOKEN'], {DEEPMASK_TEST_TOKEN: token}],
				['value', [`layers.rgb.token.value=${token}`], {}],
			] as const) {
				const result = await spawnCli(tinyRunArgs(dir, [...tinySets(proxy.url), ...sets]), undefined, env);
				expect(result.code, `${how}: ${result.stderr}`).not.toBe(0);
				expect(result.stderr).toMatch(/deepmask: layers\.(rgb|dsm): /);
				const written = everythingWritten(dir, [result.stdout, result.stderr]);
				for (const form of forms) expect(written, `${how}: ${form}`).not.toContain(form);
				expect(written).toContain('REDACTED');
				await expectIntact(dir);
			}
		} finally {
			await proxy.close();
		}
	}, 60_000);

	it('--set with a token of the wrong shape names the field, never the value', async () => {
		const result = await spawnCli(['plan', '--preset', 'demo', '--set', `layers.rgb.token=${token}`]);
		expect(result.code).toBe(2);
		expect(result.stderr).toContain('layers.rgb.token');
		for (const form of forms) expect(result.stderr).not.toContain(form);
		const nested = await spawnCli(['plan', '--preset', 'demo', '--set', `layers.rgb.url.token.value=${token}`]);
		expect(nested.code).toBe(2);
		for (const form of forms) expect(nested.stderr).not.toContain(form);
	});
});

/** Polls the child's peak resident memory (VmHWM) until it exits; Linux only (undefined elsewhere). */
function peakRss(pid: number): {stop: () => number | undefined} {
	let peak: number | undefined;
	const read = () => {
		try {
			const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
			if (match) peak = Math.max(peak ?? 0, Number(match[1]) * 1024);
		} catch {
			// The process has exited: its last reading stands.
		}
	};
	const timer = setInterval(read, 25);
	return {
		stop: () => {
			clearInterval(timer);
			return peak;
		},
	};
}

describe('an upstream that sends more than was asked for', () => {
	for (const [hostility, reason] of [
		['gzip-bomb', /layers\.(rgb|dsm): an answer of more than \d+ bytes, far more than was asked for/],
		['endless', /layers\.(rgb|dsm): an answer of more than \d+ bytes, far more than was asked for/],
		['pixel-bomb', /layers\.(rgb|dsm): a 16000×16000 image instead of the 128×128 asked for/],
	] as const) {
		it(`${hostility}: the run fails naming it, with a peak RSS under 1 GB`, async () => {
			const server = await startHostileServer(service.url, hostility);
			try {
				const dir = tempDir(hostility);
				let watch: ReturnType<typeof peakRss> | undefined;
				const result = await spawnCli(tinyRunArgs(dir, tinySets(server.url)), (_, child) => {
					watch ??= peakRss(child.pid!);
				});
				const peak = watch?.stop();
				expect(result.code, result.stderr).toBe(1);
				expect(result.stderr).toMatch(reason);
				if (peak !== undefined) expect(peak).toBeLessThan(1024 ** 3);
				await expectIntact(dir);
			} finally {
				await server.close();
			}
		}, 90_000);
	}

	it('a redirect of the exports to another server is not followed: the run fails naming it, and nothing reaches it', async () => {
		const server = await startHostileServer(service.url, 'redirect');
		try {
			const dir = tempDir('redirect');
			const result = await spawnCli(tinyRunArgs(dir, tinySets(server.url)));
			expect(result.code, result.stderr).toBe(1);
			expect(result.stderr).toMatch(
				/layers\.(rgb|dsm): a redirect to http:\/\/127\.0\.0\.1:\d+, another server than the service's/,
			);
			expect(server.stolen()).toBe(0);
			await expectIntact(dir);
		} finally {
			await server.close();
		}
	}, 60_000);

	it('the local service answers a malformed percent-escape with HTTP 400, not 200 with an error 500', async () => {
		const answer = await fetch(`${service.url}/Demo/%zz/MapServer?f=json`);
		expect(answer.status).toBe(400);
		expect(await answer.text()).toContain('malformed percent-escape');
	});
});
