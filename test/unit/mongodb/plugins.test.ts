import { describe, expect, it } from 'vitest';
import { PluginRegistry } from '../../../runtime/connect/worker/plugins.ts';
import { MongoSinkConnector, MongoSourceConnector } from '../../../connectors/mongodb/index.ts';

describe('MongoDB connectors in the worker plugin registry', () => {
  it('are found by the official class names, short aliases and our own class names', () => {
    const registry = PluginRegistry.withBuiltins('test');
    for (const name of ['com.mongodb.kafka.connect.MongoSinkConnector', 'MongoSinkConnector', 'MongoSink', 'sluice.connect.mongodb.MongoSinkConnector']) {
      expect(registry.find(name)?.create()).toBeInstanceOf(MongoSinkConnector);
    }
    for (const name of ['com.mongodb.kafka.connect.MongoSourceConnector', 'MongoSource', 'sluice.connect.mongodb.MongoSourceConnector']) {
      expect(registry.find(name)?.create()).toBeInstanceOf(MongoSourceConnector);
    }
  });
});
