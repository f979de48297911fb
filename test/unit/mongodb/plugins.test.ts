import { describe, expect, it } from 'vitest';
import { PluginRegistry } from '../../../runtime/connect/worker/plugins.ts';
import { MONGODB_CONNECTOR_VERSION, MongoSinkConnector, MongoSourceConnector } from '../../../connectors/mongodb/index.ts';

// The registry loads the connectors natively on first use, apart from vitest's module copies:
// classes are compared by name.
describe('MongoDB connectors in the worker plugin registry', () => {
  it('are found by the official class names, short aliases and our own class names', () => {
    const registry = PluginRegistry.withBuiltins('test');
    for (const name of ['com.mongodb.kafka.connect.MongoSinkConnector', 'MongoSinkConnector', 'MongoSink', 'sluice.connect.mongodb.MongoSinkConnector']) {
      expect(registry.find(name)?.create().constructor.name).toBe(MongoSinkConnector.name);
    }
    for (const name of ['com.mongodb.kafka.connect.MongoSourceConnector', 'MongoSource', 'sluice.connect.mongodb.MongoSourceConnector']) {
      expect(registry.find(name)?.create().constructor.name).toBe(MongoSourceConnector.name);
    }
  });

  it('are listed with type and version before their modules load', () => {
    const registry = PluginRegistry.withBuiltins('test');
    expect(registry.plugins().filter((p) => p.class.startsWith('com.mongodb'))).toEqual([
      { class: 'com.mongodb.kafka.connect.MongoSinkConnector', type: 'sink', version: MONGODB_CONNECTOR_VERSION },
      { class: 'com.mongodb.kafka.connect.MongoSourceConnector', type: 'source', version: MONGODB_CONNECTOR_VERSION },
    ]);
  });
});
