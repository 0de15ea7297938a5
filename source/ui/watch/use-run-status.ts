import {useEffect, useState} from 'react';
import {readRunStatus, type RunStatus} from '../../engine/status.js';
import {messageOf} from '../../errors.js';

type PolledStatus = {status?: RunStatus; error?: string};

/** The run folder's status, read again every `intervalMs` (status files change about once a second). */
export function useRunStatus(runDir: string, initial?: RunStatus, intervalMs = 1000): PolledStatus {
	const [polled, setPolled] = useState<PolledStatus>({status: initial});
	useEffect(() => {
		let stopped = false;
		let reading = false;
		const read = async () => {
			if (reading) return;
			reading = true;
			try {
				const status = await readRunStatus(runDir);
				if (!stopped) setPolled({status});
			} catch (error) {
				if (!stopped) setPolled((previous) => ({status: previous.status, error: messageOf(error)}));
			} finally {
				reading = false;
			}
		};
		void read();
		const timer = setInterval(() => void read(), intervalMs);
		return () => {
			stopped = true;
			clearInterval(timer);
		};
	}, [runDir, intervalMs]);
	return polled;
}
