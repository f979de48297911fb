/** /connector-plugins: Kafka Connect's ConnectorPluginsResource (list, config definitions, validate). */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { booleanParam, type Query } from '../query-params.ts';
import { configMapBody } from '../request-body.ts';
import type { RestContext } from '../rest-context.ts';
import { badRequest } from '../rest-errors.ts';
import { maskConfigInfos, scrubSecrets } from '../response-masking.ts';
import { route } from '../route-table.ts';

const CONNECTOR_CLASS_CONFIG = 'connector.class';
const ALIAS_SUFFIX = 'Connector';

/** Kafka's rule: `FileStreamSourceConnector`, `FileStreamSource` and the full class name name the same plugin. */
function normalizedPluginName(name: string): string {
  return name.endsWith(ALIAS_SUFFIX) && name.length > ALIAS_SUFFIX.length ? name.slice(0, -ALIAS_SUFFIX.length) : name;
}

export function pluginMatches(connectorClass: string, plugin: string): boolean {
  return normalizedPluginName(connectorClass).endsWith(normalizedPluginName(plugin));
}

function pluginOf(request: FastifyRequest): string {
  return (request.params as { plugin: string }).plugin;
}

export function pluginsRoutes(app: FastifyInstance, ctx: RestContext): void {
  const { herder, call } = ctx;

  route(app, '/connector-plugins', {
    GET: async (request) => {
      const connectorsOnly = booleanParam(request.query as Query, 'connectorsOnly', true);
      return call(() => herder.connectorPlugins(connectorsOnly));
    },
  });

  route(app, '/connector-plugins/:plugin/config', {
    GET: async (request) => call(() => herder.connectorPluginConfig(pluginOf(request))),
  });

  route(app, '/connector-plugins/:plugin/config/validate', {
    PUT: async (request) => {
      const plugin = pluginOf(request);
      const config = configMapBody(request.body);
      const included = config[CONNECTOR_CLASS_CONFIG];
      if (included !== undefined && !pluginMatches(included, plugin)) {
        throw badRequest(`Included connector type ${included} does not match request type ${plugin}`, { key: CONNECTOR_CLASS_CONFIG });
      }
      // Kafka requires connector.class in the body; the plugin of the path is what it must name anyway.
      const withClass = included === undefined ? { ...config, [CONNECTOR_CLASS_CONFIG]: plugin } : config;
      const infos = await call(() => herder.validateConnectorConfig(withClass)).catch((err: unknown) => {
        throw scrubSecrets(err, withClass);
      });
      return maskConfigInfos(infos);
    },
  });
}
