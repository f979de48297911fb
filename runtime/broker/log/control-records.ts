import { CorruptDataError } from '../../util/errors.ts';
import { encodeBatch } from './records.ts';

/**
 * Control records (batch attribute bit 5), as Kafka's ControlRecordType and EndTransactionMarker
 * define them: key = int16 version (0) + int16 type; an end-transaction marker's value = int16
 * version (0) + int32 coordinator epoch. Producers may not send these; the transaction
 * coordinator has the partition leader write them.
 */
export const ControlRecordType = {
  Abort: 0,
  Commit: 1,
  LeaderChange: 2,
  SnapshotHeader: 3,
  SnapshotFooter: 4,
  KraftVersion: 5,
  KraftVoters: 6,
} as const;
export type ControlRecordType = (typeof ControlRecordType)[keyof typeof ControlRecordType];

const CONTROL_KEY_SIZE = 4;
const END_TXN_MARKER_VALUE_SIZE = 6;

export function encodeControlRecordKey(type: ControlRecordType): Buffer {
  const key = Buffer.alloc(CONTROL_KEY_SIZE);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(type, 2);
  return key;
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** The type id of a control record key; unknown ids are returned as is (Java maps them to UNKNOWN and skips them). */
export function readControlRecordType(key: Uint8Array | null): number {
  if (key === null || key.length < CONTROL_KEY_SIZE) {
    throw new CorruptDataError(`control record key has ${key?.length ?? 'no'} bytes, at least ${CONTROL_KEY_SIZE} are required`, { code: 'CONTROL_RECORD_INVALID' });
  }
  const k = asBuffer(key);
  const version = k.readInt16BE(0);
  if (version < 0) throw new CorruptDataError(`control record key version ${version} is negative`, { code: 'CONTROL_RECORD_INVALID' });
  return k.readInt16BE(2);
}

export function encodeEndTxnMarkerValue(coordinatorEpoch: number): Buffer {
  const value = Buffer.alloc(END_TXN_MARKER_VALUE_SIZE);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  return value;
}

export interface EndTxnMarker {
  commit: boolean;
  coordinatorEpoch: number;
}

/** Reads an end-transaction marker; newer value versions are read as version 0, like Java does. */
export function readEndTxnMarker(record: { key: Uint8Array | null; value: Uint8Array | null }): EndTxnMarker {
  const type = readControlRecordType(record.key);
  if (type !== ControlRecordType.Abort && type !== ControlRecordType.Commit) {
    throw new CorruptDataError(`control record type ${type} is not an end-transaction marker (0 abort, 1 commit)`, { code: 'CONTROL_RECORD_INVALID' });
  }
  const value = record.value;
  if (value === null || value.length < END_TXN_MARKER_VALUE_SIZE) {
    throw new CorruptDataError(`end-transaction marker value has ${value?.length ?? 'no'} bytes, at least ${END_TXN_MARKER_VALUE_SIZE} are required`, { code: 'CONTROL_RECORD_INVALID' });
  }
  const v = asBuffer(value);
  const version = v.readInt16BE(0);
  if (version < 0) throw new CorruptDataError(`end-transaction marker version ${version} is negative`, { code: 'CONTROL_RECORD_INVALID' });
  return { commit: type === ControlRecordType.Commit, coordinatorEpoch: v.readInt32BE(2) };
}

export interface EndTxnMarkerBatchInput {
  producerId: bigint;
  producerEpoch: number;
  commit: boolean;
  coordinatorEpoch: number;
  timestamp: bigint;
  baseOffset?: bigint;
  partitionLeaderEpoch?: number;
}

/** The one-record control batch that ends a transaction, laid out as Kafka's MemoryRecords.withEndTransactionMarker. */
export function encodeEndTxnMarkerBatch(input: EndTxnMarkerBatchInput): Buffer {
  return encodeBatch({
    baseOffset: input.baseOffset,
    partitionLeaderEpoch: input.partitionLeaderEpoch,
    transactional: true,
    control: true,
    producerId: input.producerId,
    producerEpoch: input.producerEpoch,
    records: [
      {
        key: encodeControlRecordKey(input.commit ? ControlRecordType.Commit : ControlRecordType.Abort),
        value: encodeEndTxnMarkerValue(input.coordinatorEpoch),
        timestamp: input.timestamp,
      },
    ],
  });
}
