import {useCallback, useEffect, useRef, useState} from 'react';
import type {RunSnapshot} from '../../engine/index.js';
import type {RunHandle} from '../engine-api.js';

type TimedSnapshot = {snapshot: RunSnapshot; now: number};

/**
 * The run's snapshot for drawing, at most once per `intervalMs` however fast events come:
 * events only mark it dirty; a timer copies it into state. The clock also ticks once a
 * second so elapsed time and ETA move while nothing happens.
 */
export function useRunSnapshot(handle: RunHandle, intervalMs = 100): TimedSnapshot & {refresh: () => void} {
	const dirty = useRef(false);
	const [state, setState] = useState<TimedSnapshot>(() => ({
		snapshot: structuredClone(handle.snapshot()),
		now: Date.now(),
	}));
	useEffect(() => {
		dirty.current = true;
		const unsubscribe = handle.subscribe(() => {
			dirty.current = true;
		});
		let lastTick = 0;
		const timer = setInterval(() => {
			const now = Date.now();
			if (!dirty.current && now - lastTick < 1000) return;
			dirty.current = false;
			lastTick = now;
			setState({snapshot: structuredClone(handle.snapshot()), now});
		}, intervalMs);
		return () => {
			unsubscribe();
			clearInterval(timer);
		};
	}, [handle, intervalMs]);
	// After the user's own action (pause, cancel): draw its effect now, not at the next tick.
	const refresh = useCallback(
		() => setState({snapshot: structuredClone(handle.snapshot()), now: Date.now()}),
		[handle],
	);
	return {...state, refresh};
}
