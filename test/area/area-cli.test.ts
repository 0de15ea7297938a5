import {describe, expect, it} from 'vitest';
import {runCli} from '../helpers/cli.js';

const demoAreas = 'http://127.0.0.1:7070/arcgis/rest/services/Demo/Areas/FeatureServer/0';

describe('deepmask plan --area', () => {
	it("reads the embedded demo's feature layer (its service started for the read) and counts kept and skipped tiles", async () => {
		const args = ['plan', '--preset', 'demo', '--set', 'tileSize=128', '--area', demoAreas];
		const text = await runCli([...args, '--area-where', "NAME = 'Centre L'"]);
		expect(text.code, text.stderr).toBe(0);
		expect(text.stdout).toContain(`area           ${demoAreas} (where NAME = 'Centre L')`);
		expect(text.stdout).toMatch(/tiles {10}5 of 9 in the area, 4 skipped/);
		expect(text.stdout).toMatch(/download {7}≈ 560 kB, 448 kB saved/);
		const json = await runCli([...args, '--area-where', "KIND = 'district'", '--area-clip', 'false', '--json']);
		expect(json.code, json.stderr).toBe(0);
		const plan = JSON.parse(json.stdout) as {area: {covered: number; skipped: number; clip: boolean}; tiles: unknown[]};
		expect(plan.area.clip).toBe(false);
		expect(plan.area.covered).toBe(plan.tiles.length);
		expect(plan.area.skipped).toBeGreaterThan(0);
	});
});
