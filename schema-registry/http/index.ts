/** The registry server: the Confluent REST API (buildRegistryApp) and startRegistry for the CLI and embedding. */
export { buildRegistryApp, DEFAULT_BODY_LIMIT, type RegistryApp, type RegistryAppOptions } from './app.ts';
export { startRegistry, parseListener, type RunningRegistry, type StartRegistryOptions } from './start-registry.ts';
export { RegistryMetrics } from './metrics.ts';
export { SCHEMA_REGISTRY_V1_JSON, SCHEMA_REGISTRY_JSON, JSON_TYPE } from './media-types.ts';
