/**
 * The run dashboard draws from a run handle; `watch` has only status files. This handle serves the
 * latest snapshot read from them and cannot steer the run (pause, resume and cancel do nothing:
 * the dashboard's keys are switched off in the watch view anyway).
 */
import type {RunEvent, RunSnapshot} from '../../engine/status.js';
import type {ReviewSession, RunHandle} from '../engine-api.js';

export class StatusHandle implements RunHandle {
	private current: RunSnapshot;
	private readonly listeners = new Set<(event: RunEvent) => void>();
	/** A watcher never reviews: this stays pending. */
	readonly review = new Promise<ReviewSession>(() => undefined);

	constructor(initial: RunSnapshot) {
		this.current = initial;
	}

	update(snapshot: RunSnapshot): void {
		this.current = snapshot;
		// The dashboard only needs to know that something changed; any event does.
		const event: RunEvent = {type: 'paused', paused: snapshot.state === 'paused', at: snapshot.updatedAt};
		for (const listener of this.listeners) listener(event);
	}

	snapshot(): RunSnapshot {
		return this.current;
	}

	subscribe(listener: (event: RunEvent) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	pause(): void {}

	resume(): void {}

	cancel(): void {}
}
