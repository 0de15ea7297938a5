import {UserError} from '../../errors.js';
import {packageRoot} from '../../package-info.js';
import type {Provider, SessionProvider} from './types.js';

/**
 * The execution providers a worker tries, in order, each on its own (so a CUDA failure is seen, not hidden).
 * `auto` leaves WebGPU out: where no GPU adapter is found its Dawn backend prints to the terminal natively,
 * past onnxruntime's log level, which would tear the full-screen app on every CPU machine.
 */
export function providerAttempts(provider: Provider): SessionProvider[] {
	return provider === 'auto' ? ['cuda', 'cpu'] : [provider];
}

/** The one command that installs onnxruntime-node's CUDA 12 execution provider (see script/install.js). */
export function cudaInstallCommand(): string {
	return `cd ${packageRoot} && ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node`;
}

/** What WebGPU needs, as doctor and a failed run say it. */
export const webgpuNeeds =
	'a GPU and its driver with Vulkan (Linux: the libvulkan1 loader and the driver’s Vulkan ICD, e.g. NVIDIA’s nvidia_icd.json; VK_DRIVER_FILES points the loader at one elsewhere)';

/** onnxruntime's own reason without the source file, function and condition it prefixes (`… was false. reason`). */
export function ortReason(message: string): string {
	const marker = ' was false. ';
	const at = message.indexOf(marker);
	return (at >= 0 ? message.slice(at + marker.length) : message).trim();
}

export function providerFailure(
	modelPath: string,
	provider: Provider,
	failures: Array<{provider: string; message: string}>,
): UserError {
	const detail = failures.map((failure) => `${failure.provider}: ${ortReason(failure.message)}`).join('; ');
	if (provider === 'cuda') {
		return new UserError(
			`${modelPath}: the CUDA execution provider did not load (${detail}). Install it with \`${cudaInstallCommand()}\` ` +
				'(needs CUDA 12 and cuDNN 9 libraries on the loader path), run `deepmask doctor` to check, or use --provider cpu.',
		);
	}
	if (provider === 'webgpu') {
		return new UserError(
			`${modelPath}: the WebGPU execution provider did not load (${detail}). It needs ${webgpuNeeds}; ` +
				'run `deepmask doctor` to check, or use --provider cpu.',
		);
	}
	return new UserError(
		`${modelPath}: onnxruntime cannot load this model (${detail}). Check that it is a valid ONNX model (opset ≤ 21).`,
	);
}
