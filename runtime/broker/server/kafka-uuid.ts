/**
 * Kafka writes Uuids as 22 characters of unpadded URL-safe base64 (Uuid.toString); the wire codec
 * takes them in the 8-4-4-4-12 hex form. Topic ids cross between the two here.
 */
export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

export function kafkaUuidToHex(id: string): string {
  const hex = Buffer.from(id, 'base64url').toString('hex');
  if (hex.length !== 32) throw new RangeError(`"${id}" is not a Kafka Uuid (16 bytes of base64url)`);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function hexToKafkaUuid(hex: string): string {
  return Buffer.from(hex.replaceAll('-', ''), 'hex').toString('base64url');
}
