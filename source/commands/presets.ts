import type {Command} from 'commander';

export function register(program: Command): void {
	program
		.command('presets')
		.description('list shipped and user presets')
		.option('--json', 'print the list as JSON')
		.action(async (options: {json?: boolean}) => {
			const {listPresets} = await import('../app/preset-catalog.js');
			const entries = listPresets();
			if (options.json) {
				process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
				return;
			}
			const width = Math.max(4, ...entries.map((entry) => entry.name.length));
			for (const entry of entries) {
				const detail = entry.error
					? `INVALID: ${entry.error.split('\n')[0]}`
					: `${entry.tiles} tiles  ${entry.description}`;
				process.stdout.write(`${entry.name.padEnd(width)}  ${entry.source.padEnd(7)}  ${detail}\n`);
			}
		});
}
