/**
 * Poll mode's position: the last value of the increasing field and the `_id` of the last document
 * seen, stored as canonical Extended JSON in the source offset (so ObjectIds, dates and 64-bit
 * integers keep their BSON type across restarts). Documents come in (field, _id) order; the query
 * asks for what sorts after the position.
 */
import type { Document, Sort } from 'mongodb';
import { BSON } from 'mongodb';
import { ConnectError } from '../../runtime/connect/api/index.ts';

export interface PollPosition {
  readonly value: unknown;
  readonly id: unknown;
}

export function encodePosition(position: PollPosition): string {
  return BSON.EJSON.stringify({ v: position.value, id: position.id }, { relaxed: false });
}

export function decodePosition(text: unknown): PollPosition {
  if (typeof text !== 'string') throw new ConnectError(`The stored poll offset is not a string: ${JSON.stringify(text)}`, { code: 'MONGODB_BAD_OFFSET' });
  try {
    const parsed = BSON.EJSON.parse(text, { relaxed: false }) as Document;
    return { value: parsed.v, id: parsed.id };
  } catch (error) {
    throw new ConnectError(`The stored poll offset ${text} is not Extended JSON: ${(error as Error).message}`, { code: 'MONGODB_BAD_OFFSET', cause: error });
  }
}

export function positionOf(doc: Document, field: string): PollPosition {
  return { value: fieldValue(doc, field), id: doc._id };
}

function fieldValue(doc: Document, field: string): unknown {
  let current: unknown = doc;
  for (const part of field.split('.')) current = current !== null && typeof current === 'object' ? (current as Document)[part] : undefined;
  return current;
}

/** The query for documents after `position` (all documents having the field when null), ANDed with `$match` stages of the pipeline. */
export function pollFilter(field: string, position: PollPosition | null, matches: readonly Document[]): Document {
  const clauses: Document[] = [...matches];
  if (field === '_id') {
    if (position !== null) clauses.push({ _id: { $gt: position.id } });
  } else if (position === null) {
    clauses.push({ [field]: { $exists: true } });
  } else {
    clauses.push({ $or: [{ [field]: { $gt: position.value } }, { [field]: position.value, _id: { $gt: position.id } }] });
  }
  if (clauses.length === 0) return {};
  return clauses.length === 1 ? clauses[0]! : { $and: clauses };
}

export function pollSort(field: string, direction: 1 | -1 = 1): Sort {
  return field === '_id' ? { _id: direction } : { [field]: direction, _id: direction };
}
