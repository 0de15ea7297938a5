import {useCallback, useEffect, useState} from 'react';
import {isFinished, type RunSnapshot} from '../../engine/status.js';
import type {RunHandle} from '../engine-api.js';

type TimedSnapshot = {snapshot: RunSnapshot; now: number};

/** How often the clock redraws a run whose elapsed time, ETAs and in-flight durations move while nothing happens. */
const CLOCK_MS = 1000;

/**
 * Whether what is drawn of the run moves with the clock alone. An ended run, and one waiting in review
 * (whose clock stops at the review's start), show nothing that moves: only their events redraw them.
 */
function clockMoves(snapshot: RunSnapshot): boolean {
	return !isFinished(snapshot) && snapshot.stage !== 'review';
}

function timedSnapshot(handle: RunHandle): TimedSnapshot {
	return {snapshot: structuredClone(handle.snapshot()), now: Date.now()};
}

/**
 * The run's snapshot for drawing, at most once per `intervalMs` however fast events come, and once a
 * second while the clock moves (see clockMoves); a run that shows nothing moving is not redrawn at all
 * until its next event, since every redraw is a whole frame for Ink.
 */
export function useRunSnapshot(handle: RunHandle, intervalMs = 100): TimedSnapshot & {refresh: () => void} {
	const [state, setState] = useState<TimedSnapshot>(() => timedSnapshot(handle));
	useEffect(() => {
		let timer: NodeJS.Timeout | undefined;
		let timerAt = Infinity;
		let drawnAt = Date.now();
		const drawAt = (at: number) => {
			if (timer !== undefined && timerAt <= at) return;
			clearTimeout(timer);
			timerAt = at;
			timer = setTimeout(draw, Math.max(0, at - Date.now()));
		};
		const draw = () => {
			timer = undefined;
			timerAt = Infinity;
			const next = timedSnapshot(handle);
			drawnAt = next.now;
			setState(next);
			if (clockMoves(next.snapshot)) drawAt(drawnAt + CLOCK_MS);
		};
		const changed = () => drawAt(drawnAt + intervalMs);
		const unsubscribe = handle.subscribe(changed);
		// Whatever happened between the first render and this subscription.
		changed();
		return () => {
			unsubscribe();
			clearTimeout(timer);
		};
	}, [handle, intervalMs]);
	// After the user's own action (pause, cancel): draw its effect now, not at the next tick.
	const refresh = useCallback(() => setState(timedSnapshot(handle)), [handle]);
	return {...state, refresh};
}
