import type {z} from 'zod';
import {hiddenValue} from '../secrets.js';

function describeValue(value: unknown): string {
	if (value === undefined) return 'nothing';
	if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
	const text = JSON.stringify(value);
	return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function describeIssue(issue: z.core.$ZodIssue): string {
	const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
	// A token's value is never echoed, however wrong its type.
	const secret = issue.path.includes('token');
	const input = (issue as {input?: unknown}).input;
	const describe = (value: unknown) => (secret && value !== undefined ? hiddenValue() : describeValue(value));
	switch (issue.code) {
		case 'unrecognized_keys':
			return `${where}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}; remove or correct ${issue.keys.length > 1 ? 'them' : 'it'}`;
		case 'invalid_type':
			if (input === undefined) return `${where}: missing; expected ${issue.expected}`;
			if (typeof input === 'number' && !Number.isFinite(input))
				return `${where}: got ${describe(input)}, expected a finite ${issue.expected}`;
			return `${where}: got ${describe(input)}, expected ${issue.expected}`;
		case 'invalid_union': {
			if (!('discriminator' in issue)) return `${where}: got ${describe(input)}, ${issue.message}`;
			// A discriminated union (layers.*.kind) names the whole object as its input, or nothing.
			const kind = typeof input === 'object' && input !== null ? (input as Record<string, unknown>).kind : undefined;
			const allowed = issue.message.replace(/^Invalid discriminator value\. Expected /, '');
			return `${where}: got ${describe(kind)}, expected one of ${allowed}`;
		}
		default:
			// A check of fields that are missing together (an extent or an area) has no value to name.
			if (issue.code === 'custom' && input === undefined) return `${where}: ${issue.message}`;
			return `${where}: got ${describe(input)}, ${issue.message}`;
	}
}

/** One line per problem: field path, bad value, what is allowed. */
export function formatPresetIssues(source: string, error: z.ZodError): string {
	const lines = error.issues.map((issue) => `  - ${describeIssue(issue)}`);
	return `invalid preset ${source}:\n${lines.join('\n')}`;
}
