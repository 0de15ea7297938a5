/**
 * An attribute filter (`--area-where "NAME = 'Olinda'"`) is an SQL expression. GeoPackages evaluate it in
 * their own SQLite and ArcGIS layers on the server; for GeoJSON and Shapefiles the attributes go into a
 * table of an in-memory SQLite, so every format reads the same SQL.
 */
import type {Database} from 'sql.js';
import {UserError} from '../../errors.js';
import {sqlite} from './sqlite.js';

type SqlValue = number | string | null;

/** One SQL expression: a `;` would end the statement and let the rest of the filter go unread. */
export function checkFilter(where: string): void {
	if (where.includes(';'))
		throw new UserError(`the area filter "${where}" holds a ";"; give one SQL expression, e.g. "NAME = 'Olinda'"`);
}

/** The message for a filter SQLite refused: its reason and the fields there are. */
export function filterError(where: string, label: string, reason: string, fields: string[]): UserError {
	return new UserError(
		`the area filter "${where}" cannot be evaluated over ${label}: ${reason}; the layer's fields are ${fields.join(', ') || '(none)'}`,
	);
}

export function quoteName(name: string): string {
	return `"${name.replace(/"/g, '""')}"`;
}

function sqlValue(value: unknown): SqlValue {
	if (value === null || value === undefined) return null;
	if (typeof value === 'number' || typeof value === 'string') return value;
	if (typeof value === 'boolean') return value ? 1 : 0;
	if (value instanceof Date) return value.toISOString();
	return JSON.stringify(value);
}

/** The positions of the rows `where` selects, in order. */
export async function selectRows(
	rows: Array<Record<string, unknown>>,
	where: string,
	label: string,
): Promise<number[]> {
	checkFilter(where);
	const fields = [...new Set(rows.flatMap((row) => Object.keys(row)))];
	const SQL = await sqlite();
	const db: Database = new SQL.Database();
	try {
		const columns = ['"__row" INTEGER PRIMARY KEY', ...fields.map(quoteName)];
		db.run(`CREATE TABLE features (${columns.join(', ')})`);
		const insert = db.prepare(`INSERT INTO features VALUES (${['?', ...fields.map(() => '?')].join(', ')})`);
		rows.forEach((row, index) => insert.run([index, ...fields.map((field) => sqlValue(row[field]))]));
		insert.free();
		let selected: number[];
		try {
			const result = db.exec(`SELECT "__row" FROM features WHERE (${where}) ORDER BY "__row"`);
			selected = (result[0]?.values ?? []).map((values) => Number(values[0]));
		} catch (error) {
			throw filterError(where, label, (error as Error).message, fields);
		}
		return selected;
	} finally {
		db.close();
	}
}
