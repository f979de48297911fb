/**
 * The MongoDB connectors' errors, as Connect errors with stable codes (connectors may only use the
 * Connector API's error types).
 */
import { ConnectError } from '../../runtime/connect/api/index.ts';

/** A config value that the connector cannot use: names the key and the value. */
export class ConfigException extends ConnectError {
  constructor(key: string, value: unknown, reason: string) {
    super(`Invalid value ${JSON.stringify(value)} for configuration ${key}: ${reason}`, { code: 'MONGODB_CONFIG', context: { key } });
  }
}

/** A resume token the server no longer has: the task cannot continue without losing or repeating data. */
export class ResumeTokenLostError extends ConnectError {
  constructor(message: string, cause: unknown) {
    super(message, { code: 'MONGODB_RESUME_TOKEN_LOST', cause });
  }
}
