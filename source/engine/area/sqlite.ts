/** SQLite compiled to WebAssembly (sql.js): GeoPackages are SQLite files, and attribute filters are SQL. */
import initSqlJs, {type SqlJsStatic} from 'sql.js';

let engine: Promise<SqlJsStatic> | undefined;

/** Loaded once, on first use. */
export function sqlite(): Promise<SqlJsStatic> {
	engine ??= initSqlJs();
	return engine;
}
