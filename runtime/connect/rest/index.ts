/** Kafka Connect's REST API for the worker. */
export { buildConnectRestApp, DEFAULT_BODY_LIMIT, DEFAULT_HEALTH_CHECK_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS } from './app.ts';
export type { ConnectRestAppOptions } from './app.ts';
export { ADMIN_LISTENERS_CONFIG, restServerSettings, startRestServer } from './rest-server.ts';
export type { ConnectRestServerOptions, RestServerSettings, RunningRestServer } from './rest-server.ts';
export type { CorsSettings } from './cors.ts';
export type { AdvertisedSettings } from './listeners.ts';
export type { MetricsSource, RestHerder } from './rest-herder.ts';
export { RestError } from './rest-errors.ts';
export type { ErrorBody } from './rest-errors.ts';
