// Confluent's "sr" leader election protocol: identities, assignments and the leader choice.
import { describe, expect, it } from 'vitest';
import { assignLeader, decodeAssignment, decodeIdentity, encodeAssignment, encodeIdentity, type RegistryIdentity } from '../../../schema-registry/store/group-protocol.ts';

const member = (memberId: string, host: string, port: number, eligible = true, isLeader = false) => ({
  memberId,
  identity: { host, port, scheme: 'http', leaderEligibility: eligible, isLeader } satisfies RegistryIdentity,
});

describe('sr group protocol', () => {
  it('encodes identities as Confluent does and decodes them back', () => {
    const identity: RegistryIdentity = { host: 'sr-1', port: 8081, scheme: 'http', leaderEligibility: true, isLeader: false };
    expect(encodeIdentity(identity).toString()).toBe('{"version":1,"host":"sr-1","port":8081,"master_eligibility":true,"scheme":"http","leader":false}');
    expect(decodeIdentity(encodeIdentity(identity))).toEqual(identity);
    // Confluent's older members send no scheme or leader flag.
    expect(decodeIdentity(Buffer.from('{"version":1,"host":"h","port":1,"master_eligibility":false}'))).toEqual({ host: 'h', port: 1, scheme: 'http', leaderEligibility: false, isLeader: false });
  });

  it('elects the eligible member with the smallest URL and tells everyone', () => {
    const a = assignLeader([member('m2', 'sr-2', 8081), member('m1', 'sr-1', 8081), member('m0', 'sr-0', 8081, false)], false);
    expect(a).toMatchObject({ error: 0, leader: 'm1', leaderIdentity: { host: 'sr-1' } });
    const bytes = encodeAssignment(a);
    expect(JSON.parse(bytes.toString())).toMatchObject({ version: 1, error: 0, master: 'm1', master_identity: { host: 'sr-1', port: 8081 } });
    expect(decodeAssignment(bytes)).toEqual(a);
  });

  it('keeps the incumbent with sticky election, unless several claim to lead', () => {
    expect(assignLeader([member('m1', 'sr-1', 8081), member('m2', 'sr-2', 8081, true, true)], true).leader).toBe('m2');
    expect(assignLeader([member('m1', 'sr-1', 8081, true, true), member('m2', 'sr-2', 8081, true, true)], true).leader).toBe('m1');
    expect(assignLeader([member('m1', 'sr-1', 8081), member('m2', 'sr-2', 8081, true, true)], false).leader).toBe('m1');
  });

  it('reports duplicate URLs and answers no leader when nobody is eligible', () => {
    expect(assignLeader([member('m1', 'sr', 8081), member('m2', 'sr', 8081)], false).error).toBe(1);
    expect(assignLeader([member('m1', 'sr', 8081, false)], false)).toEqual({ error: 0, leader: null, leaderIdentity: null });
    expect(() => decodeIdentity(Buffer.from('nope'))).toThrow(/not JSON/);
  });
});
