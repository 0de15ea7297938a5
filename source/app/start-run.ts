/** Start a run as the commands and the app do: with the embedded demo service when the preset asks for it. */
import {startRun as startEngineRun, type RunHandle, type RunOptions} from '../engine/index.js';
import {connectServices} from './embedded-service.js';

export function startRun(options: Omit<RunOptions, 'connect'>): RunHandle {
	return startEngineRun({...options, connect: () => connectServices(options.preset.preset)});
}
