/**
 * Validation of a connector config, as /connector-plugins/{plugin}/config/validate and connector
 * creation do it (Kafka's AbstractHerder.validateConnectorConfig): the common keys (source or
 * sink), the converters and their settings, the transforms and predicates, the client override
 * policy, the sink subscription, and the connector's own validate(). Problems become errors on
 * the keys concerned, never an exception (only a missing or unknown connector.class is one).
 */
import type { ConfigInfos, ConfigValue, UnknownKey, ValidatedPart } from '../api/index.ts';
import { messageOf } from '../../util/errors.ts';
import { ConfigDef, buildConfigInfos, closestKeys } from '../config/index.ts';
import { BadRequestException } from './herder-errors.ts';
import {
  CONNECTOR_CLASS_CONFIG,
  CONNECTOR_PASS_THROUGH_PREFIXES,
  DLQ_TOPIC_NAME_CONFIG,
  SINK_CONNECTOR_CONFIG,
  SOURCE_CONNECTOR_CONFIG,
  TOPICS_CONFIG,
  TOPICS_REGEX_CONFIG,
} from '../worker/connector-config.ts';
import type { ConnectorPlugin, PluginRegistry } from '../worker/plugins.ts';
import { createTaskConverters } from '../worker/task-converters.ts';
import { validateTransformations } from '../worker/transformation-chain.ts';

export type OverridePolicy = 'All' | 'None' | 'Principal';

const PRINCIPAL_ALLOWED = new Set(['sasl.jaas.config', 'sasl.login.callback.handler.class', 'security.protocol']);
const OVERRIDE_PREFIXES = ['producer.override.', 'consumer.override.', 'admin.override.'];

export interface ValidationContext {
  plugins: PluginRegistry;
  workerProps: Readonly<Record<string, string>>;
  converterDefaults?: Readonly<Record<string, string>>;
  overridePolicy: OverridePolicy;
}

export interface ConnectorValidation {
  plugin: ConnectorPlugin;
  infos: ConfigInfos;
}

/** The plugin a config names; a missing or unknown connector.class is a BadRequestException listing the available ones. */
export function connectorPluginOf(plugins: PluginRegistry, config: Readonly<Record<string, string>>): ConnectorPlugin {
  const className = config[CONNECTOR_CLASS_CONFIG]?.trim();
  if (className === undefined || className === '') {
    throw new BadRequestException(`Connector config ${JSON.stringify(config)} contains no connector type (${CONNECTOR_CLASS_CONFIG} is missing)`, {
      context: { key: CONNECTOR_CLASS_CONFIG },
    });
  }
  try {
    return plugins.connector(className);
  } catch (err) {
    throw new BadRequestException(messageOf(err), { cause: err, context: { key: CONNECTOR_CLASS_CONFIG, value: className } });
  }
}

function addError(values: ConfigValue[], name: string, message: string, value: unknown = null): void {
  const existing = values.find((v) => v.name === name);
  if (existing) existing.errors.push(message);
  else values.push({ name, value, recommendedValues: [], errors: [message], visible: true });
}

export async function validateConnectorConfig(context: ValidationContext, config: Readonly<Record<string, string>>): Promise<ConnectorValidation> {
  const plugin = connectorPluginOf(context.plugins, config);
  const commonDef = plugin.type === 'sink' ? SINK_CONNECTOR_CONFIG : SOURCE_CONNECTOR_CONFIG;
  const common = commonDef.validateValues(config);
  const extra: ConfigValue[] = [];

  // Converters: classes are checked by the common keys; their settings by configuring them.
  try {
    createTaskConverters(context.workerProps, config, context.converterDefaults);
  } catch (err) {
    const key = ((err as { context?: Record<string, unknown> }).context?.key as string | undefined) ?? 'value.converter';
    if (!commonDef.has(key)) addError(extra, key, messageOf(err), config[key] ?? null);
    else if (!common.find((v) => v.name === key)?.errors.length) addError(common, key, messageOf(err));
  }

  const transforms = validateTransformations(config);
  for (const [key, messages] of transforms.errors) for (const m of messages) addError(common, key, m);

  for (const key of Object.keys(config)) {
    const prefix = OVERRIDE_PREFIXES.find((p) => key.startsWith(p));
    if (prefix === undefined) continue;
    const clientKey = key.slice(prefix.length);
    if (context.overridePolicy === 'None' || (context.overridePolicy === 'Principal' && !PRINCIPAL_ALLOWED.has(clientKey))) {
      addError(extra, key, `The '${context.overridePolicy}' policy does not allow '${clientKey}' to be overridden in the connector configuration.`, config[key]);
    }
  }

  if (plugin.type === 'source' && (config['exactly.once.support'] ?? '').trim().toLowerCase() === 'required') {
    addError(common, 'exactly.once.support', 'exactly.once.support=required needs exactly-once source support, which only distributed workers provide; use requested (the default) in standalone mode');
  }

  if (plugin.type === 'sink') {
    const topics = (config[TOPICS_CONFIG] ?? '').split(',').map((t) => t.trim()).filter((t) => t !== '');
    const regex = (config[TOPICS_REGEX_CONFIG] ?? '').trim();
    if (topics.length > 0 && regex !== '') {
      const message = `${TOPICS_CONFIG} and ${TOPICS_REGEX_CONFIG} are mutually exclusive options, but both are set.`;
      addError(common, TOPICS_CONFIG, message);
      addError(common, TOPICS_REGEX_CONFIG, message);
    } else if (topics.length === 0 && regex === '') {
      const message = `Must configure one of ${TOPICS_CONFIG} or ${TOPICS_REGEX_CONFIG}`;
      addError(common, TOPICS_CONFIG, message);
      addError(common, TOPICS_REGEX_CONFIG, message);
    }
    if (regex !== '') {
      try {
        new RegExp(regex);
      } catch (err) {
        addError(common, TOPICS_REGEX_CONFIG, `Invalid value "${regex}" for configuration ${TOPICS_REGEX_CONFIG}: ${messageOf(err)}`);
      }
    }
    const dlq = (config[DLQ_TOPIC_NAME_CONFIG] ?? '').trim();
    if (dlq !== '' && topics.includes(dlq)) {
      addError(common, DLQ_TOPIC_NAME_CONFIG, `The DLQ topic '${dlq}' may not be included in the list of topics ('${TOPICS_CONFIG}=${topics.join(',')}') consumed by the connector`);
    }
  }

  const connector = plugin.create();
  const connectorDef = connector.config();
  let own: ConfigValue[];
  try {
    own = [...(await connector.validate(config))];
  } catch (err) {
    own = connectorDef.validateValues(config);
    addError(common, CONNECTOR_CLASS_CONFIG, `${plugin.className}.validate() failed: ${messageOf(err)}`);
  }
  const parts: ValidatedPart[] = [
    { def: commonDef, values: common },
    { def: connectorDef, values: own },
    ...transforms.parts,
  ];
  if (extra.length > 0) parts.push({ def: new ConfigDef(), values: extra });
  return { plugin, infos: buildConfigInfos(plugin.className, parts) };
}

/** The messages of every error in a validation, each prefixed by its key (for a 400 body or a start-up error). */
export function validationErrors(infos: ConfigInfos): Array<{ key: string; message: string }> {
  return infos.configs.flatMap((c) => (c.value?.errors ?? []).map((message) => ({ key: c.value!.name, message })));
}

/** Keys that neither the common definition, the connector, nor a pass-through prefix knows, with the closest known keys. */
export function unknownConnectorKeys(plugin: ConnectorPlugin, config: Readonly<Record<string, string>>): UnknownKey[] {
  const commonDef = plugin.type === 'sink' ? SINK_CONNECTOR_CONFIG : SOURCE_CONNECTOR_CONFIG;
  const own = plugin.create().config();
  const known = [...commonDef.names(), ...own.names()];
  return Object.keys(config)
    .filter((k) => !commonDef.has(k) && !own.has(k) && !CONNECTOR_PASS_THROUGH_PREFIXES.some((p) => k.startsWith(p)))
    .map((key) => ({ key, suggestions: closestKeys(key, known) }));
}
