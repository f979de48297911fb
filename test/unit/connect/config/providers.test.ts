import { describe, expect, it, beforeAll } from 'vitest';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createConfigProviders, registerConfigProvider, availableConfigProviders } from '../../../../runtime/connect/config/providers/config-provider-registry.ts';
import { findVariables, resolveConfigVariables } from '../../../../runtime/connect/config/providers/config-variables.ts';
import { AllowedPaths } from '../../../../runtime/connect/config/providers/allowed-paths.ts';
import { EnvVarConfigProvider } from '../../../../runtime/connect/config/providers/env-var-config-provider.ts';
import type { ConfigProvider } from '../../../../runtime/connect/config/providers/config-provider.ts';

let dir: string;
let secrets: string;
let creds: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-providers-'));
  creds = path.join(dir, 'creds.properties');
  await writeFile(creds, 'db.user=admin\ndb.password = p\\u00e4ss:word\n');
  secrets = path.join(dir, 'secrets');
  await mkdir(secrets);
  await writeFile(path.join(secrets, 'api-key'), 'k3y\n');
  await mkdir(path.join(dir, 'other'));
  await writeFile(path.join(dir, 'other', 'x.properties'), 'a=1\n');
});

const env = { DB_HOST: 'db.local', SECRET_TOKEN: 'tok', HOME: '/root' };

describe('findVariables', () => {
  it('finds references with and without a path, as Kafka’s pattern does', () => {
    expect(findVariables('jdbc://${env:DB_HOST}:5432/${file:/etc/c.properties:db}')).toEqual([
      { text: '${env:DB_HOST}', provider: 'env', path: '', key: 'DB_HOST' },
      { text: '${file:/etc/c.properties:db}', provider: 'file', path: '/etc/c.properties', key: 'db' },
    ]);
    expect(findVariables('${topic}-${timestamp}')).toEqual([]);
  });
});

describe('config providers', () => {
  const workerProps = (extra: Record<string, string> = {}) => ({
    'config.providers': 'file, env,directory',
    'config.providers.file.class': 'org.apache.kafka.common.config.provider.FileConfigProvider',
    'config.providers.env.class': 'EnvVarConfigProvider',
    'config.providers.directory.class': 'directory',
    ...extra,
  });

  it('resolves ${file:path:key}, ${env:VAR} and ${directory:path:file}', async () => {
    const providers = createConfigProviders(workerProps(), { env });
    const { values, warnings } = await resolveConfigVariables(
      {
        'connection.user': '${file:' + creds + ':db.user}',
        'connection.password': '${file:' + creds + ':db.password}',
        'connection.url': 'mongodb://${env:DB_HOST}:27017',
        'api.key': '${directory:' + secrets + ':api-key}',
        plain: 'no references',
      },
      providers,
    );
    expect(values).toEqual({
      'connection.user': 'admin',
      'connection.password': 'p\u00e4ss:word',
      'connection.url': 'mongodb://db.local:27017',
      'api.key': 'k3y\n',
      plain: 'no references',
    });
    expect(warnings).toEqual([]);
  });

  it('leaves references to unconfigured providers as written, with a warning', async () => {
    const { values, warnings } = await resolveConfigVariables({ x: '${vault:secret/db:password}' }, createConfigProviders(workerProps(), { env }));
    expect(values.x).toBe('${vault:secret/db:password}');
    expect(warnings[0]).toContain('configuration x references ${vault:secret/db:password} but no config provider named "vault" is configured');
  });

  it('names the key, the reference and the provider when a value is missing', async () => {
    const providers = createConfigProviders(workerProps(), { env });
    await expect(resolveConfigVariables({ pw: '${file:' + creds + ':nope}' }, providers)).rejects.toMatchObject({
      code: 'CONFIG_VARIABLE_UNRESOLVED',
      message: `Cannot resolve \${file:${creds}:nope} in configuration pw: config provider "file" has no value for "nope" at path "${creds}"`,
    });
    await expect(resolveConfigVariables({ host: '${env:NOT_SET}' }, providers)).rejects.toThrow(
      'Cannot resolve ${env:NOT_SET} in configuration host: config provider "env" has no value for "NOT_SET"',
    );
    await expect(resolveConfigVariables({ k: '${directory:' + secrets + ':missing}' }, providers)).rejects.toThrow(/directory" has no value for "missing"/);
  });

  it('reports an unreadable file naming the provider and the path', async () => {
    const providers = createConfigProviders(workerProps(), { env });
    await expect(resolveConfigVariables({ k: '${file:/nonexistent/x.properties:a}' }, providers)).rejects.toMatchObject({
      code: 'CONFIG_PROVIDER_FAILED',
      message: expect.stringContaining('FileConfigProvider: Could not read properties from file /nonexistent/x.properties'),
    });
    await expect(resolveConfigVariables({ k: '${directory:' + creds + ':a}' }, providers)).rejects.toThrow(/is not a directory/);
  });

  it('enforces allowed.paths for file and directory providers', async () => {
    const providers = createConfigProviders(
      workerProps({ 'config.providers.file.param.allowed.paths': secrets + ',' + path.dirname(creds) + '/other' }),
      { env },
    );
    await expect(resolveConfigVariables({ k: '${file:' + creds + ':db.user}' }, providers)).rejects.toThrow(/is outside allowed\.paths/);
    const escape = path.join(dir, 'other', '..', 'creds.properties');
    await expect(resolveConfigVariables({ k: '${file:' + escape + ':db.user}' }, providers)).rejects.toThrow(/is outside allowed\.paths/);
    const ok = await resolveConfigVariables({ k: '${file:' + path.join(dir, 'other', 'x.properties') + ':a}' }, providers);
    expect(ok.values.k).toBe('1');
  });

  it('rejects allowed.paths entries that are relative or missing, naming the provider', () => {
    expect(() => createConfigProviders(workerProps({ 'config.providers.file.param.allowed.paths': 'relative/dir' }), { env })).toThrow(
      /Config provider "file".*Path relative\/dir in allowed.paths is not absolute/,
    );
    expect(() => createConfigProviders(workerProps({ 'config.providers.directory.param.allowed.paths': '/does/not/exist' }), { env })).toThrow(
      /does not exist/,
    );
  });

  it('compares allowed paths by component', () => {
    const allowed = new AllowedPaths(dir);
    expect(allowed.resolve(path.join(dir, 'a'))).toBe(path.join(dir, 'a'));
    expect(allowed.resolve(dir + 'x/a')).toBeNull();
    expect(allowed.resolve('relative')).toBeNull();
    expect(new AllowedPaths(undefined).resolve('relative')).toBe('relative');
  });

  it('restricts env variables to allowlist.pattern', async () => {
    const providers = createConfigProviders(workerProps({ 'config.providers.env.param.allowlist.pattern': 'DB_.*' }), { env });
    expect((await resolveConfigVariables({ h: '${env:DB_HOST}' }, providers)).values.h).toBe('db.local');
    await expect(resolveConfigVariables({ t: '${env:SECRET_TOKEN}' }, providers)).rejects.toThrow(/has no value for "SECRET_TOKEN"/);
    const p = new EnvVarConfigProvider(env);
    p.configure({ 'allowlist.pattern': 'DB' });
    expect(p.allows('DB_HOST')).toBe(false);
    expect(p.allows('DB')).toBe(true);
  });

  it('rejects a path on env references', async () => {
    const providers = createConfigProviders(workerProps(), { env });
    await expect(resolveConfigVariables({ t: '${env:some/path:DB_HOST}' }, providers)).rejects.toThrow(/Path is not supported for EnvVarConfigProvider/);
  });

  it('rejects a provider without a class or with an unknown class, listing the available ones', () => {
    expect(() => createConfigProviders({ 'config.providers': 'file' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_MISSING', message: expect.stringContaining('config.providers.file.class is not set') }),
    );
    expect(() => createConfigProviders({ 'config.providers': 'v', 'config.providers.v.class': 'com.example.Vault' })).toThrow(
      /Invalid value "com.example.Vault" for configuration config.providers.v.class: unknown config provider class; available: org.apache.kafka.common.config.provider.FileConfigProvider/,
    );
    expect(createConfigProviders({}).size).toBe(0);
  });

  it('accepts registered provider classes', async () => {
    const calls: Array<[string, string[]]> = [];
    const fake: ConfigProvider = {
      configure: () => undefined,
      get: async (p, keys) => {
        calls.push([p, [...keys]]);
        return { data: Object.fromEntries([...keys].map((k) => [k, `v-${k}`])) };
      },
    };
    registerConfigProvider({ className: 'com.example.TestVaultProvider', aliases: ['testvault'], create: () => fake });
    expect(availableConfigProviders()).toContain('com.example.TestVaultProvider');
    const providers = createConfigProviders({ 'config.providers': 'vault', 'config.providers.vault.class': 'testvault' });
    const { values } = await resolveConfigVariables({ a: '${vault:db:user}/${vault:db:pass}', b: '${vault:db:user}' }, providers);
    expect(values).toEqual({ a: 'v-user/v-pass', b: 'v-user' });
    // Lookups are grouped per provider and path.
    expect(calls).toEqual([['db', ['user', 'pass']]]);
  });
});
