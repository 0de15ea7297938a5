// Loaded with `node --import`: records every module URL the process resolves, one per line, to the file in DEEPMASK_MODULE_LOG.
import {register} from 'node:module';
import process from 'node:process';

register('./record-modules-hooks.mjs', import.meta.url, {data: {logFile: process.env.DEEPMASK_MODULE_LOG}});
