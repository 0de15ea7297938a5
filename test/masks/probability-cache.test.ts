import {mkdtempSync, rmSync, utimesSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {ProbabilityCache, type Probability} from '../../source/engine/pipeline/probability-cache.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-cache-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

function file(name: string): string {
	const target = path.join(dir, name);
	writeFileSync(target, name);
	return target;
}

describe('ProbabilityCache', () => {
	const value = (bytes: number): Probability => ({data: new Uint8Array(bytes), width: bytes, height: 1});

	it('decodes once, and again when the file changes', async () => {
		const cache = new ProbabilityCache();
		const target = file('a.tif');
		let loads = 0;
		const load = async () => (loads++, value(4));
		await cache.get(target, load);
		await cache.get(target, load);
		expect(loads).toBe(1);
		utimesSync(target, new Date(), new Date(Date.now() + 5000));
		await cache.get(target, load);
		expect(loads).toBe(2);
	});

	it('drops the least recently used entries past its byte budget', async () => {
		const cache = new ProbabilityCache(10);
		const [a, b, c] = ['1.tif', '2.tif', '3.tif'].map(file);
		const loads: string[] = [];
		const load = (name: string) => async () => (loads.push(name), value(4));
		await cache.get(a, load('a'));
		await cache.get(b, load('b'));
		await cache.get(a, load('a'));
		await cache.get(c, load('c'));
		await cache.get(a, load('a'));
		await cache.get(b, load('b'));
		expect(loads).toEqual(['a', 'b', 'c', 'b']);
	});
});
