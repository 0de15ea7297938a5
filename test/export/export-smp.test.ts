/**
 * models/tools/export_smp.py (issue 14, item 3), run where a Python with torch and onnx is installed (Debian:
 * python3-torch python3-onnx) and skipped elsewhere: .ci/run does not install them (3-6 minutes of CI). SMP itself is not needed: the tests use a
 * stand-in package (models/tools/tests/stand_in). The Python suite checks every silent failure of the issue; here
 * deepmask itself runs what the script wrote and must compute the probabilities PyTorch does.
 */
import {spawnSync} from 'node:child_process';
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {openEnsemble} from '../../source/engine/infer/ensemble.js';
import {loadModelSpec} from '../../source/engine/infer/metadata.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tests = path.join(repoRoot, 'models/tools/tests');

/** The first Python that imports torch and onnx: $PYTHON, python3 on the PATH, then Debian's. */
function findPython(): string | undefined {
	const candidates = [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => Boolean(c));
	return candidates.find(
		(python) => spawnSync(python, ['-c', 'import torch, onnx'], {stdio: 'ignore', timeout: 120_000}).status === 0,
	);
}

const python = findPython();
const env = {...process.env, PYTHONWARNINGS: 'ignore', PYTHONDONTWRITEBYTECODE: '1'};

describe.skipIf(!python)('export_smp.py (Python with torch and onnx)', () => {
	let dir: string;
	beforeAll(async () => {
		dir = await mkdtemp(path.join(os.tmpdir(), 'deepmask-export-'));
	});
	afterAll(async () => {
		await rm(dir, {recursive: true, force: true});
	});

	it('passes its Python tests against the stand-in SMP (every silent failure of issue 14 exports right or is refused)', () => {
		const run = spawnSync(python!, ['-m', 'unittest', 'discover', '-s', tests, '-v'], {
			cwd: repoRoot,
			env,
			encoding: 'utf8',
			timeout: 600_000,
		});
		const summary = run.stderr.split('\n').filter((line) => /^(Ran |OK|FAILED)/.test(line));
		expect(run.status, `${run.stdout}\n${run.stderr.slice(-8000)}`).toBe(0);
		expect(summary.join(' ')).toMatch(/Ran \d+ tests.*OK/);
	}, 600_000);

	it.each(['logits', 'sigmoid', 'two-class'])(
		'deepmask reads the %s export and computes the probabilities PyTorch does',
		async (name) => {
			const width = 64;
			const height = 64;
			const folder = path.join(dir, name);
			await mkdir(folder, {recursive: true});
			let seed = 7;
			const rgb = new Uint8Array(width * height * 3).map(() => {
				seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
				return seed >>> 24;
			});
			await writeFile(path.join(folder, 'rgb.u8'), rgb);
			await writeFile(path.join(folder, 'size.json'), JSON.stringify({width, height}));
			const run = spawnSync(python!, [path.join(tests, 'engine_case.py'), name, folder], {
				cwd: repoRoot,
				env,
				encoding: 'utf8',
				timeout: 300_000,
			});
			expect(run.status, `${run.stdout}\n${run.stderr.slice(-4000)}`).toBe(0);
			expect(run.stdout).toMatch(/largest difference \S+ in probabilities/);

			const model = path.join(folder, `${name}.onnx`);
			const spec = await loadModelSpec(model);
			expect(spec.classNames).toEqual({'0': 'background', '1': 'roof'});
			expect(spec.output).toBe(name === 'logits' ? 'logits' : 'probabilities');
			expect(spec.tileSize).toBe(width);
			const reference = new Float32Array((await readFile(path.join(folder, `${name}.f32`))).buffer.slice(0));
			const ensemble = await openEnsemble({models: [model], provider: 'cpu', threadsPerModel: 1});
			try {
				const {probability} = await ensemble.predict({
					id: name,
					rgb: {data: rgb, width, height},
					outWidth: width,
					outHeight: height,
				});
				let largest = 0;
				for (let i = 0; i < reference.length; i++) largest = Math.max(largest, Math.abs(probability[i] - reference[i]));
				expect(largest).toBeLessThan(1e-3);
				const spread = Math.max(...reference) - Math.min(...reference);
				expect(spread, 'the test image gives a range of probabilities').toBeGreaterThan(0.01);
			} finally {
				await ensemble.close();
			}
		},
		300_000,
	);
});
