/**
 * How a run lives and ends, in one place: its abort signal, its event stream and snapshot, its status
 * file, and the one `end` that every way out goes through (done, failed, cancelled, discarded), once.
 */
import {setMaxListeners} from 'node:events';
import {abortError, isAbortError} from '../../errors.js';
import {redactSecrets} from '../../secrets.js';
import {StatusFile} from '../run-folder/status-file.js';
import type {LogLevel, RunEvent} from './events.js';
import {applyEvent, emptySnapshot, type RunSnapshot} from './snapshot.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type RunEventBody = DistributiveOmit<RunEvent, 'at'>;
export type EndState = 'done' | 'cancelled' | 'failed';

/** Messages may quote what a server said, and servers echo tokens: every event's text is redacted once, here. */
function withoutSecrets(body: RunEventBody): RunEventBody {
	const redacted: Record<string, unknown> = {...body};
	for (const [key, value] of Object.entries(body)) if (typeof value === 'string') redacted[key] = redactSecrets(value);
	return redacted as RunEventBody;
}

export class RunLifecycle {
	readonly snapshot: RunSnapshot = emptySnapshot();
	private readonly controller = new AbortController();
	private readonly listeners = new Set<(event: RunEvent) => void>();
	private readonly status: StatusFile;
	private ended: Promise<void> | undefined;
	private statusStarted = false;
	private readonly detachOuter: () => void;
	private failure: unknown;
	private readonly onEnd: Array<() => Promise<void>> = [];

	constructor(stateDir: string, outer?: AbortSignal) {
		// Every queued download and inference task listens for the one abort.
		setMaxListeners(0, this.controller.signal);
		this.status = new StatusFile(stateDir, () => this.snapshot);
		const onOuterAbort = () => this.controller.abort(outer?.reason);
		outer?.addEventListener('abort', onOuterAbort, {once: true});
		this.detachOuter = () => outer?.removeEventListener('abort', onOuterAbort);
	}

	get signal(): AbortSignal {
		return this.controller.signal;
	}

	emit(body: RunEventBody): void {
		const event = {...withoutSecrets(body), at: Date.now()} as RunEvent;
		applyEvent(this.snapshot, event);
		this.status.markDirty();
		for (const listener of this.listeners) listener(event);
	}

	log(level: LogLevel, message: string): void {
		this.emit({type: 'log', level, message});
	}

	subscribe(listener: (event: RunEvent) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	/** Keeps status.json up to date from now on (once the run folder is known to be writable). */
	startStatus(): void {
		this.statusStarted = true;
		this.status.start();
	}

	/** Aborts every stage; a reason that is a real failure (not an interrupt) is the one the run reports. */
	abort(reason?: unknown): void {
		if (reason !== undefined && !isAbortError(reason) && !this.signal.aborted) this.failure = reason;
		this.controller.abort(reason);
	}

	/**
	 * What ended the run: a failure that aborted the other stages wins over the AbortErrors it caused in
	 * them (a fetch stream cut short, queued tiles dropped), whichever of those arrived first.
	 */
	causeOf(error: unknown): unknown {
		return isAbortError(error) && this.failure !== undefined ? this.failure : error;
	}

	cancel(): void {
		this.abort(abortError('the run was cancelled'));
	}

	/** Runs `release` when the run ends, after its last status (the run folder's lock). */
	holdUntilEnd(release: () => Promise<void>): void {
		this.onEnd.push(release);
	}

	/** Ends the run: its last event and status, then what it held. Later calls return the first one's promise. */
	end(state: EndState, message: string): Promise<void> {
		this.ended ??= (async () => {
			this.detachOuter();
			this.emit({type: 'run-end', state, message});
			try {
				if (this.statusStarted) await this.status.stop();
			} finally {
				for (const release of this.onEnd) await release();
			}
		})();
		return this.ended;
	}

	/** Ends the run the way `error` ended it: cancelled when it was the abort, else failed. */
	fail(error: unknown, message: string): Promise<void> {
		const cancelled = this.signal.aborted && isAbortError(error);
		return this.end(cancelled ? 'cancelled' : 'failed', message);
	}
}
