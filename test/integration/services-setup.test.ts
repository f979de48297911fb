// The conventions of test/services that other tests rely on: the @services header, the `up`
// output format, failure reasons, and the error a test gets for a service it did not declare.
// This file declares no service, so the run starts none for it.
import { describe, expect, it } from 'vitest';
import { hasCode } from '../../runtime/util/errors.ts';
import { SERVICE_NAMES, declaredServices } from '../services/catalog.ts';
import { failureReason, parseExports, runScript } from '../services/scripts.ts';
import { ServiceUnavailableError, serviceUrl } from '../services/services.ts';

describe('the @services header', () => {
  it('reads names separated by commas or spaces from the leading comments', () => {
    const source = '// Smoke test\n// @services kafka, elasticsearch mongo-oplog\nimport x from "y";\n';
    expect(declaredServices(source, 'a.test.ts')).toEqual(['kafka', 'elasticsearch', 'mongo-oplog']);
  });

  it('ignores a header below the first line of code', () => {
    expect(declaredServices('import x from "y";\n// @services kafka\n', 'a.test.ts')).toEqual([]);
  });

  it('merges repeated lines without duplicates', () => {
    expect(declaredServices('// @services kafka\n// @services kafka ferretdb\n', 'a.test.ts')).toEqual(['kafka', 'ferretdb']);
  });

  it('rejects an unknown name, naming the file and line', () => {
    let caught: unknown;
    try {
      declaredServices('// first\n// @services kafka, mongo\n', 'test/integration/x.test.ts');
    } catch (err) {
      caught = err;
    }
    expect(hasCode(caught, 'SERVICE_UNKNOWN')).toBe(true);
    expect((caught as Error).message).toContain("test/integration/x.test.ts:2: unknown service 'mongo'");
  });
});

describe('the scripts output', () => {
  it('parses the export lines of up', () => {
    const vars = parseExports("export KAFKA_BOOTSTRAP='127.0.0.1:20001'\nexport MONGODB_URL='mongodb://127.0.0.1:20002/'\n");
    expect(Object.fromEntries(vars)).toEqual({ KAFKA_BOOTSTRAP: '127.0.0.1:20001', MONGODB_URL: 'mongodb://127.0.0.1:20002/' });
  });

  it('takes the last message as the reason of a failure', () => {
    const stderr = 'services: kafka: starting\nservices: kafka failed to start: not ready after 180s (log: /tmp/x)\n';
    expect(failureReason({ exitCode: 1, stdout: '', stderr })).toBe('kafka failed to start: not ready after 180s (log: /tmp/x)');
    expect(failureReason({ exitCode: 124, stdout: '', stderr: '' })).toBe('timed out');
  });

  it('refuses an unknown service name with a non-zero exit that names it', async () => {
    const result = await runScript('up', ['kafak'], { timeoutMs: 30_000 });
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(failureReason(result)).toBe(`unknown service 'kafak' (known: ${SERVICE_NAMES.join(' ')})`);
  });
});

describe('serviceUrl', () => {
  it('fails, naming the service and the fix, for a service the file did not declare', () => {
    expect(() => serviceUrl('kafka')).toThrow(ServiceUnavailableError);
    expect(() => serviceUrl('kafka')).toThrow('service kafka is not available: it was not started for this run; put a line "// @services kafka" at the top of the test file');
  });
});
