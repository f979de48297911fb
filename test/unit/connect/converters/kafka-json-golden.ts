import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Golden output of Apache Kafka 4.3.1's JsonConverter and SimpleHeaderConverter (see
 * fixtures/KafkaJsonGolden.java): case name → the text Kafka wrote. `parse` rows hold inputs, not
 * outputs, so they are left out.
 */
export function loadKafkaJsonGolden(): Map<string, string> {
  return new Map(
    readFileSync(path.join(import.meta.dirname, 'fixtures', 'kafka-4.3.1-json-golden.tsv'), 'utf8')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('parse\t'))
      .map((l) => [l.slice(0, l.indexOf('\t')), l.slice(l.indexOf('\t') + 1)] as const),
  );
}
