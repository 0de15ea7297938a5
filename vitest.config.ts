import {availableParallelism} from 'node:os';
import {defineConfig} from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/**/*.test.{ts,tsx}'],
		testTimeout: 60_000,
		hookTimeout: 60_000,
		pool: 'forks',
		// Vitest's default (cores − 1) is one worker on a 2-core CI machine, but most test files wait on child
		// processes, model workers and loopback servers: two workers there took the suite from 985 s to 755 s.
		maxWorkers: Math.max(2, availableParallelism() - 1),
	},
});
