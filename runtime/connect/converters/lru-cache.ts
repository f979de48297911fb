// The cache moved to runtime/util (transforms and the registry core share it); this path stays for
// converters/schema-registry/registry-converter.ts until its owner imports runtime/util directly.
export { LruCache } from '../../util/lru-cache.ts';
