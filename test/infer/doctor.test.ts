import {describe, expect, it} from 'vitest';
import {diagnose} from '../../source/engine/infer/diagnose.js';
import {openEnsemble} from '../../source/engine/infer/ensemble.js';
import {ortReason} from '../../source/engine/infer/providers.js';
import {tinyModel} from './helpers.js';

describe('doctor', () => {
	it('really runs the CPU path and reports CUDA honestly', async () => {
		const report = await diagnose();
		expect(report.ok).toBe(true);
		const cpu = report.checks.find((check) => check.name.includes('CPU'));
		expect(cpu).toMatchObject({ok: true, required: true});
		const cuda = report.checks.find((check) => check.name === 'CUDA execution provider');
		expect(cuda).toBeDefined();
		// Either CUDA works, or the report says why and how to fix it.
		if (!cuda!.ok) expect(cuda!.detail.length + (cuda!.fix ?? '').length).toBeGreaterThan(20);
		expect(report.presets).toContain('demo');
	});
});

describe('--provider cuda', () => {
	it('is a UserError with the fix when CUDA does not load, and works when it does', async () => {
		const report = await diagnose();
		const cudaWorks = report.checks.find((check) => check.name === 'CUDA execution provider')!.ok;
		const opening = openEnsemble({models: [tinyModel], provider: 'cuda'});
		if (cudaWorks) {
			const ensemble = await opening;
			expect(ensemble.models[0].provider).toBe('cuda');
			await ensemble.close();
		} else {
			await expect(opening).rejects.toThrow(
				/tiny-fcn\.onnx: the CUDA execution provider did not load.*ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node/,
			);
		}
	});
});

describe('--provider webgpu', () => {
	it('runs where a GPU adapter is found, else is a UserError that names what WebGPU needs', async () => {
		const report = await diagnose();
		const webgpu = report.checks.find((check) => check.name === 'WebGPU execution provider');
		expect(webgpu).toMatchObject({required: false});
		const opening = openEnsemble({models: [tinyModel], provider: 'webgpu'});
		if (webgpu!.ok) {
			const ensemble = await opening;
			expect(ensemble.models[0].provider).toBe('webgpu');
			await ensemble.close();
		} else {
			expect(webgpu!.fix).toMatch(/Vulkan/);
			// onnxruntime's reason without its source location.
			expect(webgpu!.detail).not.toMatch(/onnxruntime_src|\.cc:\d+/);
			await expect(opening).rejects.toThrow(/tiny-fcn\.onnx: the WebGPU execution provider did not load.*Vulkan/);
		}
	});
});

describe('ortReason', () => {
	it("keeps onnxruntime's reason and drops the source location and condition before it", () => {
		expect(
			ortReason(
				'/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 onnxruntime::webgpu::WebGpuContext::Initialize(const onnxruntime::webgpu::WebGpuContextConfig&)::<lambda()> adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters\n',
			),
		).toBe('Failed to get a WebGPU adapter: No supported adapters');
		expect(ortReason('Failed to load shared library')).toBe('Failed to load shared library');
	});
});
