import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

const engineIsALeaf = 'engine/ imports neither ui/, app/, commands/ nor demo/ (DESIGN §2)';
const onlyInfer = {name: 'onnxruntime-node', message: 'only engine/infer/ touches onnxruntime-node'};
const uiNever = ['got', 'onnxruntime-node'].map((name) => ({
	name,
	message: 'ui/ drives the engine through engine/index.ts',
}));
const uiThroughIndex = {
	regex: String.raw`/engine/(?!(index|status)\.js$)`,
	message: 'ui/ imports the engine through engine/index.ts (or engine/status.ts, progress only) only',
};

export default tseslint.config(
	{ignores: ['dist/', 'node_modules/', 'coverage/', '**/*.tmp/', '**/*.tmp']},
	js.configs.recommended,
	...tseslint.configs.recommended,
	{
		files: ['**/*.{ts,tsx}'],
		plugins: {'react-hooks': reactHooks},
		rules: {
			...reactHooks.configs.recommended.rules,
			'@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
		},
	},
	// The import rules of DESIGN §2, so the layering stays true.
	{
		files: ['source/engine/**/*.{ts,tsx}'],
		ignores: ['source/engine/infer/**'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					paths: [onlyInfer],
					patterns: [{group: ['**/ui/*', '**/app/*', '**/commands/*', '**/demo/*'], message: engineIsALeaf}],
				},
			],
		},
	},
	{
		files: ['source/engine/infer/**/*.{ts,tsx}'],
		rules: {
			'no-restricted-imports': [
				'error',
				{patterns: [{group: ['**/ui/*', '**/app/*', '**/commands/*', '**/demo/*'], message: engineIsALeaf}]},
			],
		},
	},
	{
		files: ['source/config/**/*.{ts,tsx}'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{
							group: ['**/engine/**', '**/app/*', '**/ui/*', '**/commands/*'],
							message: 'config/ is a leaf: it imports nothing of the engine, app, UI or commands',
						},
					],
				},
			],
		},
	},
	{
		files: ['source/demo/**/*.{ts,tsx}'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{regex: String.raw`/(engine/(?!geo/)|app/|ui/|commands/)`, message: 'demo/ imports engine/geo at most'},
					],
				},
			],
		},
	},
	{
		files: ['source/ui/**/*.{ts,tsx}'],
		ignores: ['source/ui/hooks/use-keys.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					// Keys can arrive several to a chunk (SSH, key repeat); useKeys handles them one by one.
					paths: [
						{name: 'ink', importNames: ['useInput'], message: 'use useKeys from source/ui/hooks/use-keys.ts'},
						...uiNever,
					],
					patterns: [uiThroughIndex],
				},
			],
		},
	},
	{
		files: ['source/ui/hooks/use-keys.ts'],
		rules: {'no-restricted-imports': ['error', {paths: uiNever, patterns: [uiThroughIndex]}]},
	},
	{
		files: ['bin/**/*.js'],
		languageOptions: {globals: {process: 'readonly', console: 'readonly', URL: 'readonly'}},
	},
);
