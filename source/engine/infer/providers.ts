import {UserError} from '../../errors.js';
import {packageRoot} from '../../package-info.js';
import type {Provider} from './types.js';

/** The execution providers a worker tries, in order, each on its own (so a CUDA failure is seen, not hidden). */
export function providerAttempts(provider: Provider): Array<'cuda' | 'cpu'> {
	return provider === 'auto' ? ['cuda', 'cpu'] : [provider];
}

/** The one command that installs onnxruntime-node's CUDA 12 execution provider (see script/install.js). */
export function cudaInstallCommand(): string {
	return `cd ${packageRoot} && ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node`;
}

export function providerFailure(
	modelPath: string,
	provider: Provider,
	failures: Array<{provider: string; message: string}>,
): UserError {
	const detail = failures.map((failure) => `${failure.provider}: ${failure.message}`).join('; ');
	if (provider === 'cuda') {
		return new UserError(
			`${modelPath}: the CUDA execution provider did not load (${detail}). Install it with \`${cudaInstallCommand()}\` ` +
				'(needs CUDA 12 and cuDNN 9 libraries on the loader path), run `deepmask doctor` to check, or use --provider cpu.',
		);
	}
	return new UserError(
		`${modelPath}: onnxruntime cannot load this model (${detail}). Check that it is a valid ONNX model (opset ≤ 21).`,
	);
}
