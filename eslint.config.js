import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

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
	{
		// Keys can arrive several to a chunk (SSH, key repeat); useKeys handles them one by one.
		files: ['source/ui/**/*.{ts,tsx}'],
		ignores: ['source/ui/hooks/use-keys.ts'],
		rules: {
			'no-restricted-imports': ['error', {paths: [{name: 'ink', importNames: ['useInput'], message: 'use useKeys from source/ui/hooks/use-keys.ts'}]}],
		},
	},
	{
		files: ['bin/**/*.js'],
		languageOptions: {globals: {process: 'readonly', console: 'readonly', URL: 'readonly'}},
	},
);
