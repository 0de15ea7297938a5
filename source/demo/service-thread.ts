/**
 * The image service in a worker thread: the embedded demo renders its scene here, so a run's main thread
 * (and the terminal app on it) stays free while tiles are drawn.
 */
import {parentPort, workerData} from 'node:worker_threads';
import {startImageService, type ImageServiceOptions} from './server.js';

export type ServiceThreadMessage = {type: 'listening'; url: string} | {type: 'closed'};

const service = await startImageService((workerData as {options: ImageServiceOptions}).options);
parentPort!.postMessage({type: 'listening', url: service.url} satisfies ServiceThreadMessage);
parentPort!.on('message', async (message: {type: 'close'}) => {
	if (message.type !== 'close') return;
	await service.close();
	parentPort!.postMessage({type: 'closed'} satisfies ServiceThreadMessage);
	parentPort!.close();
});
