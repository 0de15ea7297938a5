/** Fault injection for the local image service: what goes wrong with the next request, decided by a seeded sequence. */
import {sequence} from './noise.js';

export type Faults = {
	/** Added to every answer, in milliseconds. */
	latencyMs?: number;
	/** Fraction of requests answered HTTP 500, 502 or 503. */
	errorRate?: number;
	/** Fraction of requests held open and never answered (until the client gives up). */
	stallRate?: number;
	/** Fraction of requests whose body is cut off half-way (the connection drops). */
	truncateRate?: number;
	/** Fraction of requests answered HTTP 200 with an ArcGIS error body (code 500). */
	errorBodyRate?: number;
	/** Seed of the sequence that picks the faulty requests; the same seed, the same requests. */
	seed?: number;
};

type FaultAction =
	| {kind: 'none'}
	| {kind: 'error'; status: 500 | 502 | 503}
	| {kind: 'stall'}
	| {kind: 'truncate'}
	| {kind: 'errorBody'};

const statuses = [500, 502, 503] as const;

export class FaultPlan {
	private faults: Faults = {};
	private random: () => number = sequence(0);

	constructor(faults: Faults = {}) {
		this.set(faults);
	}

	/** Replace the faults; the sequence restarts from the seed. */
	set(faults: Faults): void {
		const rates = [faults.errorRate, faults.stallRate, faults.truncateRate, faults.errorBodyRate];
		for (const rate of rates) {
			if (rate !== undefined && !(rate >= 0 && rate <= 1))
				throw new RangeError(`a fault rate must be between 0 and 1, not ${rate}`);
		}
		if (rates.reduce<number>((sum, rate) => sum + (rate ?? 0), 0) > 1)
			throw new RangeError('the fault rates add up to more than 1');
		if (faults.latencyMs !== undefined && !(faults.latencyMs >= 0))
			throw new RangeError(`latency must be 0 or more, not ${faults.latencyMs}`);
		this.faults = {...faults};
		this.random = sequence(faults.seed ?? 1);
	}

	latencyMs(): number {
		return this.faults.latencyMs ?? 0;
	}

	/** One draw per request, split into the configured rates in a fixed order. */
	next(): FaultAction {
		const draw = this.random();
		const pick = this.random();
		const {errorRate = 0, stallRate = 0, truncateRate = 0, errorBodyRate = 0} = this.faults;
		let edge = errorRate;
		if (draw < edge) return {kind: 'error', status: statuses[Math.floor(pick * statuses.length)]};
		edge += stallRate;
		if (draw < edge) return {kind: 'stall'};
		edge += truncateRate;
		if (draw < edge) return {kind: 'truncate'};
		edge += errorBodyRate;
		if (draw < edge) return {kind: 'errorBody'};
		return {kind: 'none'};
	}
}
