/**
 * This process's peak resident memory in MB: the high-water mark of its own address space (VmHWM), which starts
 * anew at exec. getrusage's maxRSS does not: a child keeps the RSS its parent had when it forked if that was
 * higher (a `node -e` child of a 540 MB parent reports 504 MB), so a figure's children reported the bench's
 * memory instead of their own. Elsewhere than Linux, maxRSS.
 */
import {readFileSync} from 'node:fs';
import process from 'node:process';

export function peakRssMb() {
	try {
		const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
		if (match) return Number(match[1]) / 1024;
	} catch {
		// Not Linux.
	}
	return process.resourceUsage().maxRSS / 1024;
}
