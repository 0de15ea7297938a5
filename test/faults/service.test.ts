/**
 * Service faults during a whole run (plan → fetch → infer → write), in-process: each case ends with
 * nothing half-written and, when the run gets through or is resumed, the outputs of a clean run.
 * (Single-request faults of the fetcher alone, stalls and truncated bodies, are in test/fetch.)
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startImageService, type ImageService} from '../../source/demo/server.js';
import type {RunEvent} from '../../source/engine/pipeline/events.js';
import {exitCodeOf, UserError} from '../../source/errors.js';
import {startProxy, type Answer} from '../helpers/proxy.js';
import {listFiles, outputChecksums} from '../helpers/run-folder.js';
import {expectIntact, runError, runToEnd, tempDir, tinyPreset} from './helpers.js';

let service: ImageService;
let clean: Record<string, string>;

beforeAll(async () => {
	service = await startImageService({port: 0});
	const dir = tempDir('clean');
	await runToEnd(tinyPreset(service.url), dir);
	clean = outputChecksums(dir);
}, 60_000);

afterAll(async () => {
	await service.close();
});

const retries = (events: RunEvent[]) =>
	events.filter((event) => event.type === 'tile-retry') as Array<Extract<RunEvent, {type: 'tile-retry'}>>;

/** Fault the export requests numbered `from`..`to` (the first answer to each of several tiles), pass the rest. */
async function throughBurst(
	from: number,
	to: number,
	answer: (exportNumber: number) => Answer,
): Promise<{dir: string; events: RunEvent[]}> {
	const proxy = await startProxy(service.url, {
		intercept: (_url, exportNumber) => (exportNumber >= from && exportNumber <= to ? answer(exportNumber) : undefined),
	});
	try {
		const dir = tempDir('burst');
		const events: RunEvent[] = [];
		await runToEnd(tinyPreset(proxy.url), dir, (event) => events.push(event));
		return {dir, events};
	} finally {
		await proxy.close();
	}
}

describe('service faults during a whole run', () => {
	it('gets through a burst of 5xx answers to the outputs of a clean run', async () => {
		const statuses = [500, 502, 503];
		const {dir, events} = await throughBurst(3, 8, (n) => ({
			status: statuses[n % 3],
			contentType: 'text/html',
			body: `<html><body><h1>${statuses[n % 3]}</h1></body></html>`,
		}));
		expect(retries(events).map((event) => event.reason)).toEqual(
			expect.arrayContaining([expect.stringMatching(/HTTP 50[023]/)]),
		);
		await expectIntact(dir);
		expect(outputChecksums(dir)).toEqual(clean);
	});

	it('gets through HTTP 200 answers carrying an ArcGIS error body', async () => {
		const body = JSON.stringify({
			error: {code: 500, message: 'Error exporting image', details: ['The server is busy; try again later.']},
		});
		const {dir, events} = await throughBurst(2, 7, () => ({status: 200, contentType: 'image/tiff', body}));
		expect(retries(events).map((event) => event.reason)).toEqual(
			expect.arrayContaining([expect.stringMatching(/ArcGIS error 500: Error exporting image/)]),
		);
		await expectIntact(dir);
		expect(outputChecksums(dir)).toEqual(clean);
	});

	it('gets through answers whose content type lies (an HTML page or plain JSON labelled as an image)', async () => {
		const {dir, events} = await throughBurst(2, 7, (n) =>
			n % 2 === 0
				? {status: 200, contentType: 'image/png', body: '<!DOCTYPE html><html><body>Please sign in</body></html>'}
				: {
						status: 200,
						contentType: 'image/tiff',
						body: '{"href":"http://elsewhere/out.tif","width":128,"height":128}',
					},
		);
		const reasons = retries(events).map((event) => event.reason);
		expect(reasons).toEqual(
			expect.arrayContaining([
				expect.stringMatching(/an HTML page instead of an image/),
				expect.stringMatching(/bytes that are not a TIFF, PNG or JPEG image/),
			]),
		);
		await expectIntact(dir);
		expect(outputChecksums(dir)).toEqual(clean);
	});

	it('stops before any download (exit 2) when the service description is an HTML page, naming the layer and URL', async () => {
		const proxy = await startProxy(service.url, {
			intercept: (url) =>
				url.pathname.endsWith('/MapServer')
					? {status: 200, contentType: 'application/json', body: '<html><body>Sign in to continue</body></html>'}
					: undefined,
		});
		try {
			const dir = tempDir('html-info');
			const error = await runError(tinyPreset(proxy.url), dir);
			expect(exitCodeOf(error)).toBe(2);
			expect(error.message).toMatch(
				/^layers\.rgb: http:\/\/127\.0\.0\.1:\d+\/arcgis\/rest\/services\/Demo\/Imagery\/MapServer is not a usable ArcGIS MapServer \(an HTML page instead of the service's JSON description\); check layers\.rgb\.url/,
			);
			expect(listFiles(dir).filter((file) => file.startsWith('tiles/'))).toEqual([]);
			await expectIntact(dir);
		} finally {
			await proxy.close();
		}
	});

	it('stops with the token message (exit 2) when the token expires mid-run, and resumes to a clean result with a fresh one', async () => {
		const variable = 'DEEPMASK_FAULT_TOKEN';
		const [expiring, fresh] = ['tok-alpha-7f3e', 'tok-beta-91c2'];
		const invalid = {
			status: 200,
			contentType: 'image/tiff',
			body: JSON.stringify({error: {code: 498, message: 'Invalid Token', details: []}}),
		};
		// The first token works for the service descriptions and three exports, then expires; the fresh one always works.
		const proxy = await startProxy(service.url, {
			intercept: (url, exportNumber) => {
				const token = url.searchParams.get('token');
				const isExport = /\/export(Image)?$/i.test(url.pathname);
				if (token === fresh || (token === expiring && (!isExport || exportNumber <= 3))) return undefined;
				return invalid;
			},
		});
		const previous = process.env[variable];
		try {
			const sets = ['rgb', 'dsm'].map((layer) => `layers.${layer}.token.env=${variable}`);
			const dir = tempDir('token');
			process.env[variable] = expiring;
			const error = await runError(tinyPreset(proxy.url, sets), dir);
			expect(error).toBeInstanceOf(UserError);
			expect(exitCodeOf(error)).toBe(2);
			expect(error.message).toMatch(
				new RegExp(`layers\\.(rgb|dsm): token invalid or expired .*set a fresh token in the env var ${variable}`),
			);
			expect(error.message).not.toContain(expiring);
			await expectIntact(dir);

			process.env[variable] = fresh;
			const events: RunEvent[] = [];
			await runToEnd(tinyPreset(proxy.url, sets), dir, (event) => events.push(event));
			expect(events.some((event) => event.type === 'tile-fetched' && event.skipped)).toBe(true);
			await expectIntact(dir);
			expect(outputChecksums(dir)).toEqual(clean);
		} finally {
			if (previous === undefined) delete process.env[variable];
			else process.env[variable] = previous;
			await proxy.close();
		}
	});

	it('retries through a service that goes away mid-run and comes back on the same port', async () => {
		let flaky = await startImageService({port: 0, faults: {latencyMs: 30}});
		const {port} = flaky;
		let reopened: Promise<void> | undefined;
		try {
			const dir = tempDir('vanish');
			const events: RunEvent[] = [];
			// One download at a time, so requests after the first tile are sure to meet the closed port.
			const oneAtATime = ['concurrency.downloads=1', 'concurrency.perHost=1'];
			await runToEnd(tinyPreset(flaky.url, oneAtATime), dir, (event) => {
				events.push(event);
				if (reopened || event.type !== 'tile-fetched') return;
				// Gone at the first fetched tile (the requests in flight are cut), back 400 ms later.
				reopened = flaky.close().then(async () => {
					await new Promise((resolve) => setTimeout(resolve, 400));
					flaky = await startImageService({port, faults: {latencyMs: 30}});
				});
			});
			await reopened;
			expect(retries(events).length).toBeGreaterThan(0);
			await expectIntact(dir);
			expect(outputChecksums(dir)).toEqual(clean);
		} finally {
			await reopened;
			await flaky.close();
		}
	});
});
