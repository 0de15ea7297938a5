import {spawnSync} from 'node:child_process';
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import ort from 'onnxruntime-node';
import sharp from '../sharp.js';
import {packageRoot} from '../../package-info.js';
import {loadModelSpec} from './metadata.js';
import {encodeProbeModel} from './onnx-proto.js';
import {cudaInstallCommand, ortReason, webgpuNeeds} from './providers.js';

export type Check = {
	name: string;
	ok: boolean;
	detail: string;
	fix?: string;
	/** The CPU path needs it. */ required: boolean;
};
export type DoctorReport = {checks: Check[]; models: Check[]; presets: string[]; ok: boolean};

const minimumNode = [20, 9];

/** What `deepmask doctor` reports: every check really runs (a CPU, a CUDA and a WebGPU session on a one-node model). */
export async function diagnose(): Promise<DoctorReport> {
	const checks = [nodeCheck(), cpuCheck(), cudaCheck(), webgpuCheck(), sharpCheck()];
	return {
		checks,
		models: await modelChecks(),
		presets: presetNames(),
		ok: checks.every((check) => check.ok || !check.required),
	};
}

function nodeCheck(): Check {
	const [major, minor] = process.versions.node.split('.').map(Number);
	const ok = major > minimumNode[0] || (major === minimumNode[0] && minor >= minimumNode[1]);
	return {
		name: 'Node.js',
		ok,
		required: true,
		detail: process.version,
		fix: ok ? undefined : 'install Node.js 20.9 or newer',
	};
}

/**
 * The probe model (one node) run on the provider in a child process: a provider's native library may write to
 * the terminal (Dawn, WebGPU's backend, when it finds no adapter) or fail to load, so the child's output is caught
 * and only its verdict kept.
 */
const probeScript = `
const [ortUrl, provider] = process.argv.slice(1);
const ort = (await import(ortUrl)).default;
ort.env.logLevel = 'fatal';
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
try {
	const session = await ort.InferenceSession.create(Buffer.concat(chunks), {executionProviders: [provider]});
	const output = await session.run({x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4]), [1, 4])});
	if (output.y.data[3] !== 4) throw new Error('the probe model returned a wrong result');
	await session.release();
	process.stdout.write(JSON.stringify({ok: true}));
} catch (error) {
	process.stdout.write(JSON.stringify({ok: false, message: error.message}));
}`;

/** Returns when a session on the provider loads and runs the probe model; throws the provider's error if not. */
function probe(provider: 'cpu' | 'cuda' | 'webgpu'): void {
	const ortUrl = pathToFileURL(createRequire(import.meta.url).resolve('onnxruntime-node')).href;
	const child = spawnSync(process.execPath, ['--input-type=module', '-e', probeScript, ortUrl, provider], {
		input: encodeProbeModel(),
		encoding: 'utf8',
		timeout: 60_000,
	});
	let verdict: {ok: boolean; message?: string};
	try {
		verdict = JSON.parse(child.stdout) as typeof verdict;
	} catch {
		throw new Error(`the probe ended without a verdict (${child.error?.message ?? `exit ${child.status}`})`);
	}
	if (!verdict.ok) throw new Error(verdict.message ?? 'the probe failed');
}

function cpuCheck(): Check {
	const name = `onnxruntime-node ${ort.env.versions.node} · CPU`;
	try {
		probe('cpu');
		return {name, ok: true, required: true, detail: 'a CPU session loads and runs'};
	} catch (error) {
		return {
			name,
			ok: false,
			required: true,
			detail: (error as Error).message,
			fix: 'reinstall onnxruntime-node: `npm rebuild onnxruntime-node`',
		};
	}
}

const ortBinaries = () =>
	path.dirname(
		createRequire(import.meta.url).resolve('onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node'),
	);

/** The dynamic loader's own message for a library (e.g. "libcudnn.so.9: cannot open shared object file"). */
function loaderError(file: string): string | undefined {
	try {
		process.dlopen({exports: {}}, file);
	} catch (error) {
		const message = (error as Error).message;
		// The library loaded; it is just not a Node add-on.
		if (/self-register|not a valid/i.test(message)) return undefined;
		return message;
	}
	return undefined;
}

function cudaCheck(): Check {
	const name = 'CUDA execution provider';
	try {
		probe('cuda');
		return {name, ok: true, required: false, detail: 'a CUDA session loads and runs on GPU 0'};
	} catch (error) {
		const message = (error as Error).message;
		if (process.platform !== 'linux' || process.arch !== 'x64') {
			return {name, ok: false, required: false, detail: `${message} (onnxruntime-node ships CUDA only for Linux x64)`};
		}
		const driver = existsSync('/proc/driver/nvidia/version')
			? ''
			: '; no NVIDIA driver is loaded (/proc/driver/nvidia/version is missing)';
		const dir = ortBinaries();
		const missing = ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'].filter(
			(file) => !existsSync(path.join(dir, file)),
		);
		if (missing.length > 0) {
			const install = cudaInstallCommand();
			const fix = driver
				? `nothing to do for CPU inference; on a machine with an NVIDIA GPU, CUDA 12 and cuDNN 9: ${install}`
				: install;
			return {
				name,
				ok: false,
				required: false,
				detail: `${message}: ${missing.join(' and ')} not installed in ${dir}${driver}`,
				fix,
			};
		}
		const loader = loaderError(path.join(dir, 'libonnxruntime_providers_cuda.so'));
		return {
			name,
			ok: false,
			required: false,
			detail: `${message}${loader ? `: ${loader}` : ''}${driver}`,
			fix: 'install the NVIDIA driver, CUDA 12 and cuDNN 9 runtime libraries and make them findable (e.g. add their lib folders to LD_LIBRARY_PATH), then run `deepmask doctor` again',
		};
	}
}

function webgpuCheck(): Check {
	const name = 'WebGPU execution provider';
	try {
		probe('webgpu');
		return {name, ok: true, required: false, detail: 'a WebGPU session loads and runs (--provider webgpu)'};
	} catch (error) {
		return {
			name,
			ok: false,
			required: false,
			detail: ortReason((error as Error).message),
			fix: `nothing to do for CPU inference; for --provider webgpu: ${webgpuNeeds}`,
		};
	}
}

function sharpCheck(): Check {
	return {
		name: 'sharp / libvips',
		ok: true,
		required: true,
		detail: `sharp ${sharp.versions.sharp}, libvips ${sharp.versions.vips}`,
	};
}

function onnxFiles(dir: string, depth: number): string[] {
	if (!existsSync(dir)) return [];
	return readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) return depth > 0 ? onnxFiles(full, depth - 1) : [];
		return entry.name.toLowerCase().endsWith('.onnx') ? [full] : [];
	});
}

async function modelChecks(): Promise<Check[]> {
	return Promise.all(
		onnxFiles(path.join(packageRoot, 'models'), 2)
			.sort()
			.map(async (file): Promise<Check> => {
				const name = path.relative(packageRoot, file);
				const megabytes = (statSync(file).size / 1e6).toFixed(1);
				try {
					const spec = await loadModelSpec(file);
					const tile = spec.tileSize ? `tile ${spec.tileSize}` : 'tile from the input shape';
					return {
						name,
						ok: true,
						required: false,
						detail: `${spec.bands.join('+')}, ${tile}, ${Object.values(spec.classNames).join('/')}, ${megabytes} MB`,
					};
				} catch (error) {
					return {name, ok: false, required: false, detail: (error as Error).message};
				}
			}),
	);
}

function presetNames(): string[] {
	const dir = path.join(packageRoot, 'presets');
	if (!existsSync(dir)) return [];
	return readdirSync(dir)
		.filter((file) => file.endsWith('.json'))
		.filter((file) => {
			try {
				JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
				return true;
			} catch {
				return false;
			}
		})
		.map((file) => path.basename(file, '.json'))
		.sort();
}
