/** Query parameters: repeated values come as arrays; booleans are `true` or `false` (any case). */
import { badRequest } from './rest-errors.ts';

export type Query = Readonly<Record<string, string | string[] | undefined>>;

/** Every value of a parameter, in order (`?expand=status&expand=info`). */
export function queryValues(query: Query, name: string): string[] {
  const value = query[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** A boolean parameter; absent → `fallback`, present twice or not true/false → 400. */
export function booleanParam(query: Query, name: string, fallback: boolean): boolean {
  const values = queryValues(query, name);
  if (values.length === 0) return fallback;
  if (values.length > 1) throw badRequest(`Query parameter ${name} is given ${values.length} times; give it once`, { parameter: name });
  const value = values[0].trim().toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw badRequest(`Query parameter ${name} must be true or false, got "${values[0]}"`, { parameter: name });
}
