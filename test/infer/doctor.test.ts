import {describe, expect, it} from 'vitest';
import {diagnose} from '../../source/engine/infer/diagnose.js';

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
