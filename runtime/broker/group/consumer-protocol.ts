import { ByteReader } from './binary.ts';
import { SluiceError } from '../../util/errors.ts';

/** The protocol type Java and librdkafka consumers join with. */
export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/**
 * Topics named in a consumer's subscription metadata (ConsumerProtocolSubscription). Every version
 * starts with an int16 version followed by the v0 fields, whose first is the topic list, so reading
 * that prefix works for all versions, as in Kafka's ClassicGroup.computeSubscribedTopics.
 * Returns undefined when the bytes do not follow the schema: the coordinator then does not know
 * the subscription, which Kafka treats the same way.
 */
export function subscribedTopicsOf(metadata: Uint8Array): string[] | undefined {
  try {
    const r = new ByteReader(metadata, 'ConsumerProtocolSubscription');
    r.int16('version');
    const count = r.arrayLength('topics', false);
    const topics: string[] = [];
    for (let i = 0; i < count; i++) topics.push(r.string(`topics[${i}]`));
    return topics;
  } catch (err) {
    if (err instanceof SluiceError) return undefined;
    throw err;
  }
}
