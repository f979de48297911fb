/**
 * Confluent's wire format, version 0: magic byte 0, the schema id as a 4-byte big-endian int,
 * then the serialized payload. Readers also meet other bytes on a topic, so a wrong prefix is a
 * DataException saying what was found.
 */
import { DataException } from '../../api/index.ts';

export const MAGIC_BYTE = 0;
const HEADER_SIZE = 5;

export function frame(id: number, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HEADER_SIZE + payload.length);
  out[0] = MAGIC_BYTE;
  out.writeInt32BE(id, 1);
  out.set(payload, HEADER_SIZE);
  return out;
}

export function unframe(bytes: Uint8Array): { id: number; payload: Buffer } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < HEADER_SIZE) throw new DataException(`Unknown magic byte! (the data is ${buf.length} bytes, shorter than the 5-byte schema registry header)`);
  if (buf[0] !== MAGIC_BYTE) throw new DataException(`Unknown magic byte! (found ${buf[0]}; data written with a schema registry serializer starts with ${MAGIC_BYTE})`);
  return { id: buf.readInt32BE(1), payload: buf.subarray(HEADER_SIZE) };
}
