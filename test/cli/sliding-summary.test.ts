import {describe, expect, it} from 'vitest';
import {formatSlidingCost} from '../../source/app/sliding-summary.js';

const pixels = {tilePixels: 1000, marginPixels: 500};

describe("sliding mode's cost at the end of a run", () => {
	it('names the windows the context added', () => {
		expect(formatSlidingCost({windows: 75, extraWindows: 27, ...pixels})).toContain(
			'75 inferred, 27 of them for the context across tiles (+56% over each tile alone)',
		);
	});

	it('names the windows saved where neighbouring tiles share more than the context costs', () => {
		expect(formatSlidingCost({windows: 48, extraWindows: -12, ...pixels})).toContain(
			'48 inferred, 12 fewer than each tile alone would take (−20%: neighbouring tiles share windows)',
		);
	});
});
