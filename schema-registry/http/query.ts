/** Query parameters read as Jersey reads them: booleans true only for "true" (any case), first value of repeats. */
import { HttpError } from './http-errors.ts';

export type Query = Record<string, string | string[] | undefined>;

export function queryText(q: Query, name: string): string | undefined {
  const v = q[name];
  return Array.isArray(v) ? v[0] : v;
}

export function queryAll(q: Query, name: string): string[] {
  const v = q[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export function queryFlag(q: Query, name: string): boolean {
  return queryText(q, name)?.trim().toLowerCase() === 'true';
}

/** An int parameter; a value that is not one is Jersey's 404 for an unparsable query param. */
export function queryInt(q: Query, name: string, fallback: number): number {
  const v = queryText(q, name);
  if (v === undefined || v.trim() === '') return fallback;
  if (!/^[+-]?\d+$/.test(v.trim())) throw new HttpError(404, 'HTTP 404 Not Found', { code: 'INVALID_QUERY_PARAMETER' });
  return Number(v.trim());
}

/** offset/limit paging as Confluent applies it (limit ≤ 0: everything after offset). */
export function page<T>(items: readonly T[], q: Query): T[] {
  const offset = Math.max(0, queryInt(q, 'offset', 0));
  const limit = queryInt(q, 'limit', -1);
  return limit > 0 ? items.slice(offset, offset + limit) : items.slice(offset);
}
