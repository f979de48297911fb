/**
 * /connectors: Kafka Connect's ConnectorsResource — connector CRUD, config, status, lifecycle
 * (pause, resume, stop, restart), tasks, active topics and offsets, with its status codes.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundException } from '../../api/index.ts';
import type { ConnectorInfo, ConnectorStateInfo } from '../../herder/herder-types.ts';
import { booleanParam, queryValues, type Query } from '../query-params.ts';
import { configMapBody, configPatchBody, createConnectorBody, offsetsBody } from '../request-body.ts';
import type { RestContext } from '../rest-context.ts';
import { badRequest, notFound } from '../rest-errors.ts';
import { maskConfig, maskConnectorInfo, maskTaskInfos, scrubSecrets } from '../response-masking.ts';
import { route } from '../route-table.ts';

type Params = { name: string; task?: string };

function nameOf(request: FastifyRequest): string {
  return (request.params as Params).name;
}

/** The task number of the path; anything but a whole number names no task (404, as Jersey answers). */
function taskOf(request: FastifyRequest): number {
  const { name, task = '' } = request.params as Params;
  const id = /^\d{1,9}$/.test(task) ? Number(task) : NaN;
  if (Number.isNaN(id)) throw notFound(`Task ${name}-${task} not found: a task id is a number (0, 1, ...)`);
  return id;
}

function location(request: FastifyRequest, name: string): string {
  return `${request.protocol}://${request.host}/connectors/${encodeURIComponent(name)}`;
}

export function connectorsRoutes(app: FastifyInstance, ctx: RestContext): void {
  const { herder, call } = ctx;

  route(app, '/connectors', {
    GET: async (request) => {
      const names = await call(() => herder.connectors());
      const expansions = queryValues(request.query as Query, 'expand');
      if (expansions.length === 0) return names;
      const out: Record<string, { status?: ConnectorStateInfo; info?: ConnectorInfo }> = {};
      for (const name of names) {
        try {
          const entry: { status?: ConnectorStateInfo; info?: ConnectorInfo } = {};
          for (const expansion of expansions) {
            if (expansion === 'status') entry.status = await call(() => herder.connectorStatus(name));
            else if (expansion === 'info') entry.info = maskConnectorInfo(await call(() => herder.connectorInfo(name)));
            else ctx.logger?.info(`Ignoring unknown expansion type ${expansion}`);
          }
          out[name] = entry;
        } catch (err) {
          // Deleted while we were looking: leave it out, as Kafka does.
          if (!(err instanceof NotFoundException)) throw err;
        }
      }
      return out;
    },
    POST: async (request, reply) => {
      const { name, config, initialState } = createConnectorBody(request.body);
      if (name === '') throw badRequest('Connector name is missing or empty: POST /connectors needs {"name": "...", "config": {...}}', { key: 'name' });
      const info = await call(() => herder.createConnector(name, config, initialState)).catch((err: unknown) => {
        throw scrubSecrets(err, config);
      });
      return reply.code(201).header('location', location(request, name)).send(maskConnectorInfo(info));
    },
  });

  route(app, '/connectors/:name', {
    GET: async (request) => maskConnectorInfo(await call(() => herder.connectorInfo(nameOf(request)))),
    DELETE: async (request, reply) => {
      await call(() => herder.deleteConnector(nameOf(request)));
      return reply.code(204).send();
    },
  });

  route(app, '/connectors/:name/config', {
    GET: async (request) => maskConfig(await call(() => herder.connectorConfig(nameOf(request)))),
    PUT: async (request, reply) => {
      const name = nameOf(request);
      const config = configMapBody(request.body);
      const { created, info } = await call(() => herder.putConnectorConfig(name, config)).catch((err: unknown) => {
        throw scrubSecrets(err, config);
      });
      if (created) reply.code(201).header('location', location(request, name));
      return reply.send(maskConnectorInfo(info));
    },
    PATCH: async (request) => {
      const patch = configPatchBody(request.body);
      const info = await call(() => herder.patchConnectorConfig(nameOf(request), patch)).catch((err: unknown) => {
        throw scrubSecrets(err, patch);
      });
      return maskConnectorInfo(info);
    },
  });

  route(app, '/connectors/:name/status', {
    GET: async (request) => call(() => herder.connectorStatus(nameOf(request))),
  });

  route(app, '/connectors/:name/restart', {
    POST: async (request, reply) => {
      const query = request.query as Query;
      const includeTasks = booleanParam(query, 'includeTasks', false);
      const onlyFailed = booleanParam(query, 'onlyFailed', false);
      const name = nameOf(request);
      if (!includeTasks && !onlyFailed) {
        // The pre-KIP-745 form: restart the connector instance only, no body.
        await call(() => herder.restartConnector(name));
        return reply.code(204).send();
      }
      const status = (await call(() => herder.restartConnector(name, { includeTasks, onlyFailed }))) ?? (await call(() => herder.connectorStatus(name)));
      return reply.code(202).send(status);
    },
  });

  const lifecycle = (operation: (name: string) => unknown, status: 202 | 204) => async (request: FastifyRequest, reply: FastifyReply) => {
    await call(() => operation(nameOf(request)));
    return reply.code(status).send();
  };
  route(app, '/connectors/:name/pause', { PUT: lifecycle((n) => herder.pauseConnector(n), 202) });
  route(app, '/connectors/:name/resume', { PUT: lifecycle((n) => herder.resumeConnector(n), 202) });
  route(app, '/connectors/:name/stop', { PUT: lifecycle((n) => herder.stopConnector(n), 204) });

  route(app, '/connectors/:name/tasks', {
    GET: async (request) => maskTaskInfos(await call(() => herder.taskConfigs(nameOf(request)))),
  });

  route(app, '/connectors/:name/tasks-config', {
    GET: async (request) => {
      const name = nameOf(request);
      ctx.logger?.warn(`The 'GET /connectors/{connector}/tasks-config' endpoint is deprecated; use 'GET /connectors/{connector}/tasks' instead.`);
      const tasks = maskTaskInfos(await call(() => herder.taskConfigs(name)));
      return Object.fromEntries(tasks.map(({ id, config }) => [`${id.connector}-${id.task}`, config]));
    },
  });

  route(app, '/connectors/:name/tasks/:task/status', {
    GET: async (request) => {
      const task = taskOf(request);
      return call(() => herder.taskStatus(nameOf(request), task));
    },
  });

  route(app, '/connectors/:name/tasks/:task/restart', {
    POST: async (request, reply) => {
      const task = taskOf(request);
      await call(() => herder.restartTask(nameOf(request), task));
      return reply.code(204).send();
    },
  });

  route(app, '/connectors/:name/topics', {
    GET: async (request) => call(() => herder.connectorActiveTopics(nameOf(request))),
  });

  route(app, '/connectors/:name/topics/reset', {
    PUT: async (request, reply) => {
      await call(() => herder.resetConnectorActiveTopics(nameOf(request)));
      return reply.code(202).send();
    },
  });

  route(app, '/connectors/:name/offsets', {
    GET: async (request) => call(() => herder.connectorOffsets(nameOf(request))),
    PATCH: async (request) => {
      const body = offsetsBody(request.body);
      return call(() => herder.alterConnectorOffsets(nameOf(request), body));
    },
    DELETE: async (request) => call(() => herder.resetConnectorOffsets(nameOf(request))),
  });
}
