import { describe, expect, it } from 'vitest';
import {
  ConfigDef,
  ConnectHeaders,
  DataException,
  LogicalDecimal,
  BigDecimal,
  RetriableException,
  Schemas,
  SinkConnector,
  SinkRecord,
  SinkTask,
  SourceConnector,
  SourceRecord,
  SourceTask,
  groupPartitions,
  topicPartitionKey,
  validators,
} from '../../../../runtime/connect/api/index.ts';
import type { ConnectorContext, SinkTaskContext, SourceConnectorContext, SourceTaskContext, TopicPartitionOffset } from '../../../../runtime/connect/api/index.ts';
import { SluiceError } from '../../../../runtime/util/errors.ts';

describe('ConnectHeaders', () => {
  it('keeps order and several values per key, validating against schemas', () => {
    const h = new ConnectHeaders().addString('a', 'x').addInt32('b', 1).addString('a', 'y').addDecimal('d', new BigDecimal(15n, 1));
    expect(h.size).toBe(4);
    expect(h.allWithName('a').map((x) => x.value)).toEqual(['x', 'y']);
    expect(h.lastWithName('a')?.value).toBe('y');
    expect(h.lastWithName('nope')).toBeNull();
    expect(h.lastWithName('d')?.schema?.equals(LogicalDecimal.schema(1))).toBe(true);
    expect(() => h.add('bad', 'text', Schemas.INT32)).toThrow(DataException);
    expect(() => h.addInt8('bad', 1000)).toThrow(/header bad/);
  });

  it('removes, retains the latest, applies transforms and duplicates independently', () => {
    const h = new ConnectHeaders().addString('a', '1').addString('b', '2').addString('a', '3').addString('b', '4');
    const copy = h.duplicate();
    h.retainLatest('a');
    expect(h.toArray().map((x) => `${x.key}=${x.value}`)).toEqual(['b=2', 'a=3', 'b=4']);
    h.retainLatest();
    expect(h.toArray().map((x) => `${x.key}=${x.value}`)).toEqual(['a=3', 'b=4']);
    h.apply((x) => (x.key === 'a' ? null : { ...x, value: 'changed' }));
    expect(h.toArray().map((x) => `${x.key}=${x.value}`)).toEqual(['b=changed']);
    expect(copy.size).toBe(4);
    expect(copy.remove('a').size).toBe(2);
    expect(copy.equals(new ConnectHeaders().addString('b', '2').addString('b', '4'))).toBe(true);
    expect(copy.clear().isEmpty()).toBe(true);
  });
});

describe('records', () => {
  it('SourceRecord carries source partition and offset through newRecord', () => {
    const r = new SourceRecord({
      sourcePartition: { filename: '/tmp/a.txt' },
      sourceOffset: { position: 42 },
      topic: 'lines',
      valueSchema: Schemas.STRING,
      value: 'hello',
      headers: new ConnectHeaders().addString('h', 'v'),
    });
    expect(r.kafkaPartition).toBeNull();
    expect(r.key).toBeNull();
    const routed = r.newRecord({ topic: 'other', value: 'HELLO' });
    expect(routed).toBeInstanceOf(SourceRecord);
    expect(routed.topic).toBe('other');
    expect(routed.value).toBe('HELLO');
    expect(routed.valueSchema).toBe(Schemas.STRING);
    expect(routed.sourceOffset).toEqual({ position: 42 });
    expect(routed.headers).not.toBe(r.headers);
    routed.headers.addString('added', 'x');
    expect(r.headers.size).toBe(1);
    expect(r.newRecord({ key: null, keySchema: null, value: null }).value).toBeNull();
  });

  it('SinkRecord keeps kafka offset and the original coordinates through transforms', () => {
    const r = new SinkRecord({ topic: 'in', kafkaPartition: 3, kafkaOffset: 99, value: 'v', timestamp: 1000, timestampType: 'CreateTime' });
    expect(r.originalTopic).toBe('in');
    const routed = r.newRecord({ topic: 'out', kafkaPartition: 0 });
    expect(routed).toBeInstanceOf(SinkRecord);
    expect([routed.topic, routed.kafkaPartition, routed.kafkaOffset, routed.timestampType]).toEqual(['out', 0, 99, 'CreateTime']);
    expect([routed.originalTopic, routed.originalKafkaPartition, routed.originalKafkaOffset]).toEqual(['in', 3, 99]);
    expect(routed.timestamp).toBe(1000);
  });
});

describe('connector and task contracts', () => {
  class LinesTask extends SourceTask {
    version() {
      return '1.0';
    }
    start() {}
    async poll() {
      const offset = await this.context.offsetStorageReader().offset({ filename: 'a' });
      return [new SourceRecord({ sourcePartition: { filename: 'a' }, sourceOffset: { position: Number(offset?.position ?? 0) + 1 }, topic: 't', value: 'x' })];
    }
    stop() {}
  }
  class LinesConnector extends SourceConnector {
    props: Readonly<Record<string, string>> = {};
    version() {
      return '1.0';
    }
    start(props: Readonly<Record<string, string>>) {
      this.props = props;
    }
    taskClass() {
      return LinesTask;
    }
    taskConfigs(maxTasks: number) {
      return groupPartitions(['a', 'b', 'c'], maxTasks).map((files) => ({ files: files.join(',') }));
    }
    stop() {}
    config() {
      return new ConfigDef().define({ name: 'topic', type: 'STRING', importance: 'HIGH', documentation: 'Topic.', validator: validators.nonEmptyString() });
    }
    reader() {
      return this.context.offsetStorageReader();
    }
  }

  it('source connectors validate with their definition and split work into task configs', async () => {
    const c = new LinesConnector();
    const context: SourceConnectorContext = {
      requestTaskReconfiguration: () => undefined,
      raiseError: () => undefined,
      offsetStorageReader: () => ({ offset: async () => null, offsets: async () => [] }),
    };
    expect(() => c.reader()).toThrow(expect.objectContaining({ code: 'CONNECT_ILLEGAL_STATE', message: expect.stringMatching(/LinesConnector used before initialize/) }));
    c.initialize(context);
    expect(c.reader()).toBeDefined();
    const values = await c.validate({});
    expect(values[0].errors).toEqual(['Missing required configuration "topic" which has no default value.']);
    expect(await c.taskConfigs(2)).toEqual([{ files: 'a,b' }, { files: 'c' }]);
    await c.reconfigure({ topic: 'x' });
    expect(c.props).toEqual({ topic: 'x' });
    expect(c.exactlyOnceSupport({})).toBeNull();
    expect(await c.alterOffsets({}, [])).toBe(false);

    const task = new (c.taskClass())();
    const taskContext: SourceTaskContext = {
      configs: () => ({}),
      offsetStorageReader: () => ({ offset: async () => ({ position: 41 }), offsets: async () => [] }),
    };
    task.initialize(taskContext);
    const records = await task.poll();
    expect(records?.[0].sourceOffset).toEqual({ position: 42 });
  });

  it('sink tasks flush before offsets are committed by default', async () => {
    const flushed: TopicPartitionOffset[][] = [];
    class BufferTask extends SinkTask {
      version() {
        return '1';
      }
      start() {}
      put() {}
      override flush(offsets: readonly TopicPartitionOffset[]) {
        flushed.push([...offsets]);
      }
      stop() {}
    }
    class BufferConnector extends SinkConnector {
      version() {
        return '1';
      }
      start() {}
      taskClass() {
        return BufferTask;
      }
      taskConfigs() {
        return [{}];
      }
      stop() {}
      config() {
        return new ConfigDef();
      }
    }
    const connector = new BufferConnector();
    connector.initialize({ requestTaskReconfiguration: () => undefined, raiseError: () => undefined } satisfies ConnectorContext);
    const task = new (connector.taskClass())();
    const offsets = [{ topic: 't', partition: 0, offset: 10 }];
    expect(await task.preCommit(offsets)).toEqual(offsets);
    expect(flushed).toEqual([offsets]);
    const ctx = { assignment: () => [{ topic: 't', partition: 0 }] } as unknown as SinkTaskContext;
    task.initialize(ctx);
    expect(topicPartitionKey({ topic: 't', partition: 0 })).toBe('t-0');
  });

  it('RetriableException is a retriable SluiceError', () => {
    const e = new RetriableException('broker busy');
    expect(e).toBeInstanceOf(SluiceError);
    expect(e.retriable).toBe(true);
    expect(e.code).toBe('CONNECT_RETRIABLE');
    expect(new DataException('bad').retriable).toBe(false);
  });

  it('groupPartitions spreads elements evenly, first groups larger', () => {
    expect(groupPartitions([1, 2, 3, 4, 5], 3)).toEqual([[1, 2], [3, 4], [5]]);
    expect(groupPartitions([1], 3)).toEqual([[1], [], []]);
    expect(() => groupPartitions([1], 0)).toThrow(/positive/);
  });
});
