/**
 * The execution provider every figure runs its models on: `--provider cpu|cuda|webgpu|auto` (default cpu). It is also
 * put in DEEPMASK_BENCH_PROVIDER, so the figures' child processes (which get no such flag) run on the same one.
 */
const providers = ['cpu', 'cuda', 'webgpu', 'auto'] as const;
export type BenchProvider = (typeof providers)[number];

function parseProvider(): BenchProvider {
	const flag = process.argv.indexOf('--provider');
	const value = flag >= 0 ? process.argv[flag + 1] : (process.env.DEEPMASK_BENCH_PROVIDER ?? 'cpu');
	if (!providers.includes(value as BenchProvider))
		throw new Error(`--provider ${value ?? ''}: use one of ${providers.join(', ')}`);
	return value as BenchProvider;
}

export const benchProvider = parseProvider();
process.env.DEEPMASK_BENCH_PROVIDER = benchProvider;
