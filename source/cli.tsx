import {Command, CommanderError} from 'commander';
import {commandModules} from './commands/index.js';
import {ExitCode, exitCodeOf, messageOf} from './errors.js';
import {packageVersion} from './package-info.js';

// `deepmask plan ... | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
	if (error.code === 'EPIPE') process.exit(ExitCode.ok);
	throw error;
});
// A closed stderr (`... 2>&1 | head`) must not end a run: progress lines are only a courtesy.
process.stderr.on('error', (error: NodeJS.ErrnoException) => {
	if (error.code !== 'EPIPE') throw error;
});

const program = new Command('deepmask')
	.description('Segmentation masks for a piece of the map, from ArcGIS image services and an ONNX ensemble.')
	.version(packageVersion())
	.exitOverride()
	.showHelpAfterError('(run `deepmask --help` for usage)');

for (const module of commandModules) module.register(program);

try {
	await program.parseAsync(process.argv);
} catch (error) {
	if (error instanceof CommanderError) {
		process.exitCode = error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
	} else {
		process.stderr.write(`deepmask: ${messageOf(error)}\n`);
		if (process.env.DEEPMASK_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
		process.exitCode = exitCodeOf(error);
	}
}
