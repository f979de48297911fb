/** Source offset stores and readers. */
export { FileOffsetStore, parseOffsetFile } from './file-offset-store.ts';
export { OffsetTable } from './memory-offset-store.ts';
export type { StoredOffset } from './memory-offset-store.ts';
export { ConnectorOffsetReader } from './offset-storage-reader.ts';
export { canonicalJson } from './offset-store.ts';
export type { SourceOffsetEntry, SourceOffsetStore } from './offset-store.ts';
