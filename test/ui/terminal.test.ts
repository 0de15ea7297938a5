/**
 * The few things only a real terminal shows, in tmux: the alternate screen and its
 * restoration, the 80×24 layout, resizes, Ctrl-C and SIGTERM, and the refusal without a TTY.
 */
import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {packageRoot} from '../../source/package-info.js';
import {until} from './harness.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const cli = ['--import', 'tsx', path.join(packageRoot, 'source/cli.tsx')];
let session: string | undefined;

/** A tmux server of this test file's own, so no other tmux user (or kill-server) gets in the way. */
const socket = `deepmask-ui-${process.pid}`;

function tmux(...args: string[]): string {
	return execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8'});
}

const screen = (escapes = false) => tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', session!);
const exitStatus = () => /EXIT=(\d+)/.exec(screen())?.[1];

/**
 * Start the app from a shell in a fresh 80×24 tmux session, as a user would: a line on the
 * normal screen first, then the app; the shell prints the exit status. Returns the app's pid.
 */
async function start(env: Record<string, string> = {}): Promise<number> {
	session = `deepmask-ui-${process.pid}-${Date.now()}`;
	const dir = mkdtempSync(path.join(os.tmpdir(), 'deepmask-tmux-'));
	const pidFile = path.join(dir, 'pid');
	const vars = Object.entries({DEEPMASK_CONFIG_DIR: dir, TERM: 'xterm-256color', ...env}).map(
		([name, value]) => `${name}=${value}`,
	);
	tmux(
		'new-session',
		'-d',
		'-s',
		session,
		'-x',
		'80',
		'-y',
		'24',
		'-c',
		packageRoot,
		'env PS1="$ " bash --norc --noprofile',
	);
	const app = `exec env -u CI -u NO_COLOR -u FORCE_COLOR ${vars.join(' ')} ${process.execPath} ${cli.join(' ')}`;
	tmux(
		'send-keys',
		'-t',
		session,
		'-l',
		`printf 'NORMAL-SCREEN-MARK\\n'; sh -c 'echo $$ > ${pidFile}; ${app}'; echo EXIT=$?`,
	);
	tmux('send-keys', '-t', session, 'Enter');
	return until(() => {
		const text = existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim() : '';
		return text ? Number(text) : undefined;
	}, 'the app to start');
}

/**
 * A session that lives as long as this file, so killing a test's session never ends the server just as the next
 * test starts one (tmux then fails with "server exited unexpectedly").
 */
beforeAll(() => {
	if (hasTmux) tmux('new-session', '-d', '-s', `${socket}-keep`);
});

afterEach(() => {
	if (session) spawnSync('tmux', ['-L', socket, 'kill-session', '-t', session]);
	session = undefined;
});

afterAll(() => {
	spawnSync('tmux', ['-L', socket, 'kill-server']);
});

describe.skipIf(!hasTmux)('in a real terminal (tmux)', {timeout: 180_000}, () => {
	it('fills 80×24 in the alternate screen and restores the normal screen on Ctrl-C with 130', async () => {
		await start();
		const first = await until(
			() => (screen().includes('Presets (') ? screen() : undefined),
			'the presets screen',
			60_000,
		);
		expect(first).not.toContain('NORMAL-SCREEN-MARK');
		const lines = first.split('\n');
		expect(lines[0]).toContain('deepmask');
		expect(lines.some((line) => line.includes('? help') && line.includes('q quit'))).toBe(true);
		const [top] = lines.filter((line) => line.startsWith('╔═ Presets'));
		expect([...top.trimEnd()].length).toBe(80);

		tmux('send-keys', '-t', session!, '?');
		await until(() => screen().includes('Keys everywhere'), 'the help overlay');
		tmux('send-keys', '-t', session!, 'Escape');
		await until(() => !screen().includes('Keys everywhere'), 'the help closed');

		tmux('send-keys', '-t', session!, 'C-c');
		await until(() => exitStatus() === '130', 'exit status 130');
		const after = screen();
		expect(after).toContain('NORMAL-SCREEN-MARK');
		expect(after).toContain('deepmask: interrupted');
		expect(after).not.toContain('Presets (');
	});

	it('keeps every pane row in place when Tab moves the focus', async () => {
		await start();
		await until(() => /models\s+\d/.test(screen()), 'the presets screen with its model list', 60_000);
		const before = screen().split('\n');
		for (const focused of ['details', 'list']) {
			tmux('send-keys', '-t', session!, 'Tab');
			const after = await until(() => {
				const lines = screen().split('\n');
				const top = focused === 'details' ? lines[1].indexOf('╔', 2) > 0 : lines[1].startsWith('╔');
				return top ? lines : undefined;
			}, `focus on the ${focused}`);
			// Only the border characters change: no blank row at the top, the last row still in view.
			const strip = (line: string) => line.replace(/[╔╗╚╝║═╭╮╰╯│─]/g, '');
			expect(after.map(strip)).toEqual(before.map(strip));
		}
	});

	it('follows resizes, and q quits with 0', async () => {
		await start();
		await until(() => screen().includes('Presets ('), 'the presets screen', 60_000);
		const topWidth = () =>
			screen()
				.split('\n')
				.find((line) => line.startsWith('╔═ Presets'))
				?.trimEnd().length;
		tmux('resize-window', '-t', session!, '-x', '100', '-y', '30');
		await until(
			() =>
				topWidth() === 100 &&
				screen()
					.split('\n')
					.filter((line) => line.trim()).length >= 28,
			'the 100×30 layout',
		);
		tmux('resize-window', '-t', session!, '-x', '80', '-y', '24');
		// One frame at 80 columns with one top border (a capture can land mid-redraw, so wait for the settled frame).
		await until(
			() =>
				topWidth() === 80 &&
				screen()
					.split('\n')
					.filter((line) => line.startsWith('╔═ Presets')).length === 1,
			'back to 80 columns, one top border',
		);
		tmux('send-keys', '-t', session!, 'q');
		await until(() => exitStatus() === '0', 'exit status 0');
	});

	it('leaves the alternate screen on SIGTERM with 143 and on SIGHUP with 129', async () => {
		for (const [signal, code] of [
			['SIGTERM', '143'],
			['SIGHUP', '129'],
		] as const) {
			if (session) tmux('kill-session', '-t', session);
			const pid = await start();
			await until(() => screen().includes('Presets ('), 'the presets screen', 60_000);
			process.kill(pid, signal);
			await until(() => exitStatus() === code, `exit status ${code}`);
			expect(screen()).toContain('NORMAL-SCREEN-MARK');
		}
	});

	it('draws colours, and none under NO_COLOR', async () => {
		await start();
		await until(() => screen().includes('Presets ('), 'the presets screen', 60_000);
		// eslint-disable-next-line no-control-regex
		const colour = /\x1b\[[0-9;]*(3[0-7]|38;[25];[0-9;]+|9[0-7])m/;
		await until(() => colour.test(screen(true)), 'coloured output');
		tmux('kill-session', '-t', session!);

		await start({NO_COLOR: '1'});
		await until(
			() => screen().includes('Presets (') && /models\s+\d/.test(screen()),
			'the presets screen with its model list',
			60_000,
		);
		expect(screen(true)).not.toMatch(colour);
	});
});

describe('without a terminal', () => {
	it('refuses, naming the headless command, with exit code 2', () => {
		const result = spawnSync(process.execPath, cli, {
			cwd: packageRoot,
			encoding: 'utf8',
			input: '',
			env: {...process.env, CI: 'false'},
		});
		expect(result.status).toBe(2);
		expect(result.stderr).toContain(
			'deepmask: the terminal app needs an interactive terminal; for scripts use: deepmask run --preset <name> --yes',
		);
	});

	it('names an unknown command as such instead of opening the app', () => {
		const result = spawnSync(process.execPath, [...cli, 'frobnicate'], {cwd: packageRoot, encoding: 'utf8', input: ''});
		expect(result.status).toBe(2);
		expect(result.stderr).toContain('"frobnicate" is not a deepmask command');
	});
});
