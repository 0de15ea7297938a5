/**
 * The whole flow in a real terminal (tmux) as a fast typist drives it, at 80×24 and at 200×50: keys
 * are sent in bursts (one chunk each) and every selection must land where the keys say; a real run
 * of the demo town reaches the review, whose panes use the screen, and writes.
 */
import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readdirSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {packageRoot} from '../../source/package-info.js';
import {until} from './harness.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const socket = `deepmask-flow-${process.pid}`;
const session = 'flow';
const configDir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-flow-settings-'));
const outputDir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-flow-out-'));

function tmux(...args: string[]): string {
	return execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8'});
}
const screen = () => tmux('capture-pane', '-p', '-t', session);
const lines = () => screen().split('\n');
/** Keys as one chunk, the way a burst of typing or key repeat arrives. */
const burst = (keys: string) => tmux('send-keys', '-t', session, '-l', keys);
const key = (name: string) => tmux('send-keys', '-t', session, name);
/** Six user presets, then the shipped ones. */
const presetCount = 6 + readdirSync(path.join(packageRoot, 'presets')).filter((name) => name.endsWith('.json')).length;
const waitFor = (check: (text: string) => boolean, what: string, timeoutMs = 20_000) =>
	until(() => (check(screen()) ? screen() : undefined), `${what}; screen:\n${screen()}`, timeoutMs);

/** The bordered panes of a screen: their title and the share of their inner rows that are blank. */
function paneFill(rows: string[]): Array<{title: string; empty: number; inner: number}> {
	const panes = [];
	for (let top = 0; top < rows.length; top++) {
		for (let left = 0; left < rows[top].length; left++) {
			if (!'╭╔'.includes(rows[top][left])) continue;
			const right = [...rows[top]].findIndex((char, at) => at > left && '╮╗'.includes(char));
			let bottom = top + 1;
			while (bottom < rows.length && !'╰╚'.includes(rows[bottom][left] ?? '')) bottom++;
			if (right < 0 || bottom >= rows.length) continue;
			const inner = rows.slice(top + 1, bottom).map((row) => row.slice(left + 1, right));
			panes.push({
				title: rows[top]
					.slice(left, right)
					.replace(/[─═╭╔]/g, '')
					.trim(),
				empty: inner.filter((row) => !row.trim()).length,
				inner: inner.length,
			});
		}
	}
	return panes;
}

beforeAll(async () => {
	process.env.DEEPMASK_CONFIG_DIR = configDir;
	const {loadPreset, saveAsUserPreset} = await import('../../source/config/presets.js');
	// A 4 × 4 grid of 128-px tiles of the demo town, and five more presets for the list to move through.
	const demo = loadPreset('demo', {extent: '1000100,6000100,1000356,6000356', set: ['tileSize=128']});
	for (const name of ['a-one', 'a-two', 'a-three', 'a-four', 'a-five']) saveAsUserPreset(name, demo.raw, demo.preset);
	saveAsUserPreset('b-tiny', {...demo.raw, output: {dir: outputDir}}, demo.preset);
});

/**
 * A session that lives as long as this file, so killing a test's session never ends the server just as the next
 * test starts one (tmux then fails with "server exited unexpectedly").
 */
beforeAll(() => {
	if (hasTmux) tmux('new-session', '-d', '-s', `${socket}-keep`);
});

afterAll(() => {
	spawnSync('tmux', ['-L', socket, 'kill-server']);
});

describe.skipIf(!hasTmux)('the whole flow with keys in bursts (tmux)', {timeout: 300_000}, () => {
	for (const [columns, rows] of [
		[80, 24],
		[200, 50],
	]) {
		it(`at ${columns}×${rows}`, async () => {
			spawnSync('tmux', ['-L', socket, 'kill-session', '-t', session]);
			// Each size runs from scratch, not as a resume of the one before.
			rmSync(outputDir, {recursive: true, force: true});
			const cli = `${process.execPath} --import tsx ${path.join(packageRoot, 'source/cli.tsx')}`;
			tmux(
				'new-session',
				'-d',
				'-s',
				session,
				'-x',
				String(columns),
				'-y',
				String(rows),
				'-c',
				packageRoot,
				`env -u CI -u NO_COLOR DEEPMASK_CONFIG_DIR=${configDir} TERM=xterm-256color ${cli}; echo EXIT=$?; sleep 60`,
			);
			await waitFor((text) => text.includes(`/${presetCount})`), 'the presets', 60_000);

			// Presets: user presets come first (a-five a-four a-one a-three a-two b-tiny), then the shipped ones.
			burst('gjjjjj');
			await waitFor(
				(text) => text.includes(`Presets (6/${presetCount})`) && /›u\s*b-tiny/.test(text),
				'b-tiny, six down',
			);
			burst('kkkjjj');
			await waitFor((text) => text.includes(`Presets (6/${presetCount})`), 'three up and three down');
			key('Tab');
			burst('jjj');
			await waitFor(() => lines()[1].indexOf('╔', 2) > 0, 'focus on the details');
			key('Tab');
			await waitFor(
				(text) => lines()[1].startsWith('╔') && text.includes(`Presets (6/${presetCount})`),
				'back on the list',
			);
			expect(screen()).toMatch(/^Enter run {2}e edit/m);

			key('Enter');
			await waitFor((text) => text.includes('Run · b-tiny'), 'the dashboard');
			await waitFor((text) => text.includes('Tiles by foreground (16)'), 'the review', 240_000);

			// Review: 7 down, then the end and two up, then two sorts on.
			burst('jjjjjjj');
			await waitFor((text) => text.includes('· 8/16'), 'the eighth tile');
			burst('Gkk');
			await waitFor((text) => text.includes('· 14/16'), 'the fourteenth tile');
			burst('ss');
			await waitFor((text) => text.includes('Tiles by disagreement (16) · 14/16'), 'sorted twice, same row');
			expect(screen()).toMatch(/›r\d{3}_c\d{3}/);
			if (columns >= 200) {
				// Once the preview of the newly selected tile is drawn, no pane is more than a third blank.
				const blank = (text: string) =>
					paneFill(text.split('\n')).filter((pane) => pane.empty > Math.floor(pane.inner / 3));
				await waitFor((text) => blank(text).length === 0, 'every pane filled', 60_000).catch((error: Error) => {
					throw new Error(
						`${blank(screen())
							.map((pane) => `${pane.title}: ${pane.empty} of ${pane.inner} rows empty`)
							.join('; ')}\n${error.message}`,
					);
				});
			}

			// Writing is checked at the large size, where a lost `w` was once seen under load.
			if (columns === 200) {
				burst('w');
				await waitFor((text) => text.includes('b-tiny: wrote masks of 16 tiles'), 'written', 240_000);
				expect(existsSync(path.join(outputDir, 'stats.json'))).toBe(true);
				burst('q');
			} else {
				burst('q');
				await waitFor((text) => text.includes('Quit without writing?'), 'the quit question');
				burst('y');
			}
			await waitFor((text) => text.includes('EXIT=0'), 'exit 0');
		});
	}
});
