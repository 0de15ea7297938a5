import {Option, type Command} from 'commander';
import type {ImageService, startImageService} from '../demo/server.js';
import {UserError} from '../errors.js';

type ServeOptions = {port: string; raster?: string[]; latency?: string; failRate?: string; token?: string};

const defaultServePort = 7070;

export function register(program: Command): void {
	program
		.command('serve')
		.description('run the local ArcGIS-compatible image service (the demo town, and GeoTIFFs) until Ctrl-C')
		.option('--port <n>', 'port on 127.0.0.1 (0 picks a free one)', String(defaultServePort))
		.option('--raster <file...>', 'also serve these GeoTIFFs, each as <file stem>/ImageServer in its own CRS')
		.option('--latency <ms>', 'delay every answer by this many milliseconds')
		.option('--fail-rate <r>', 'answer this fraction of requests (0–1) with HTTP 500/502/503')
		.addOption(
			new Option('--token <t>', 'require this token (query token= or Authorization: Bearer)').env(
				'DEEPMASK_SERVE_TOKEN',
			),
		)
		.action(async (options: ServeOptions) => {
			const port = integerOption(options.port, '--port', 0, 65535);
			const latencyMs =
				options.latency === undefined ? undefined : numberOption(options.latency, '--latency', 0, 600_000);
			const errorRate =
				options.failRate === undefined ? undefined : numberOption(options.failRate, '--fail-rate', 0, 1);
			const service = await start({
				port,
				rasters: options.raster,
				token: options.token,
				faults: {latencyMs, errorRate},
			});
			process.stdout.write(`deepmask image service at ${service.url}\n`);
			for (const entry of service.services)
				process.stdout.write(`  ${entry.url}${entry.tiles ? ` (cached: ${entry.tiles})` : ''}\n`);
			for (const template of service.tileTemplates) process.stdout.write(`  ${template}\n`);
			process.stderr.write(`${options.token ? 'token required; ' : ''}Ctrl-C to stop\n`);
			await new Promise<void>((resolve) => {
				const stop = () => resolve();
				process.once('SIGINT', stop);
				process.once('SIGTERM', stop);
			});
			await service.close();
		});
}

async function start(options: Parameters<typeof startImageService>[0]): Promise<ImageService> {
	const {startImageService} = await import('../demo/server.js');
	try {
		return await startImageService(options);
	} catch (error) {
		if (error instanceof UserError) throw error;
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'EADDRINUSE')
			throw new UserError(`port ${options?.port} is already in use; pick another with --port N (0 for any free port)`);
		if (code === 'EACCES')
			throw new UserError(`port ${options?.port} may not be used by this user; pick one above 1023 with --port N`);
		if (error instanceof Error && /GeoTIFF|ENOENT|would be called/.test(`${error.message} ${code ?? ''}`))
			throw new UserError(`--raster: ${error.message}`);
		throw error;
	}
}

function numberOption(text: string, name: string, min: number, max: number): number {
	const value = Number(text);
	if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max)
		throw new UserError(`${name} must be a number from ${min} to ${max}, not "${text}"`);
	return value;
}

function integerOption(text: string, name: string, min: number, max: number): number {
	const value = numberOption(text, name, min, max);
	if (!Number.isInteger(value)) throw new UserError(`${name} must be a whole number, not "${text}"`);
	return value;
}
