/**
 * Node TLS options from Confluent's `elastic.https.ssl.*` keys (Kafka's SSL key names under the
 * `elastic.https.` prefix). Node reads PEM and PKCS12, not Java key stores: a JKS store, or a
 * PKCS12 trust store (certificates without a key), is refused with the command that converts it.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { ParsedSinkConfig } from './config.ts';
import {
  SSL_ENABLED_PROTOCOLS_CONFIG,
  SSL_ENDPOINT_IDENTIFICATION_CONFIG,
  SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG,
  SSL_KEYSTORE_KEY_CONFIG,
  SSL_KEYSTORE_LOCATION_CONFIG,
  SSL_KEYSTORE_PASSWORD_CONFIG,
  SSL_KEYSTORE_TYPE_CONFIG,
  SSL_KEY_PASSWORD_CONFIG,
  SSL_PROTOCOL_CONFIG,
  SSL_TRUSTSTORE_CERTIFICATES_CONFIG,
  SSL_TRUSTSTORE_LOCATION_CONFIG,
  SSL_TRUSTSTORE_TYPE_CONFIG,
  configError,
} from './config.ts';

type TlsVersion = 'TLSv1.2' | 'TLSv1.3';

function readStore(key: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw configError(key, `Invalid value "${path}" for configuration ${key}: cannot read the file: ${(err as Error).message}`);
  }
}

const nonBlank = (s: string | null | undefined): s is string => s !== null && s !== undefined && s.trim() !== '';

/** TLS options for `elastic.security.protocol=SSL`. */
export function tlsOptions(config: ParsedSinkConfig): ConnectionOptions {
  const options: ConnectionOptions = {};
  const enabled = config.get(SSL_ENABLED_PROTOCOLS_CONFIG) as TlsVersion[];
  const newest = config.get(SSL_PROTOCOL_CONFIG);
  options.minVersion = enabled.includes('TLSv1.2') ? 'TLSv1.2' : 'TLSv1.3';
  options.maxVersion = newest === 'TLSv1.2' || !enabled.includes('TLSv1.3') ? 'TLSv1.2' : 'TLSv1.3';
  if (options.maxVersion < options.minVersion) {
    throw configError(SSL_PROTOCOL_CONFIG, `${SSL_PROTOCOL_CONFIG}=${newest} is older than every version in ${SSL_ENABLED_PROTOCOLS_CONFIG} (${enabled.join(',')})`);
  }

  const trustLocation = config.get(SSL_TRUSTSTORE_LOCATION_CONFIG);
  const trustInline = config.get(SSL_TRUSTSTORE_CERTIFICATES_CONFIG)?.value();
  const trustType = config.get(SSL_TRUSTSTORE_TYPE_CONFIG).toUpperCase();
  if (nonBlank(trustLocation) || nonBlank(trustInline)) {
    if (trustType !== 'PEM') {
      throw configError(
        SSL_TRUSTSTORE_TYPE_CONFIG,
        `Invalid value "${trustType}" for configuration ${SSL_TRUSTSTORE_TYPE_CONFIG}: only PEM trust stores can be read here; export the certificates with \`keytool -exportcert -rfc -keystore STORE -alias ALIAS\` (JKS) or \`openssl pkcs12 -in STORE -nokeys -out ca.pem\` (PKCS12) and set ${SSL_TRUSTSTORE_TYPE_CONFIG}=PEM`);
    }
    options.ca = nonBlank(trustLocation) ? readStore(SSL_TRUSTSTORE_LOCATION_CONFIG, trustLocation) : trustInline;
  }

  const keyLocation = config.get(SSL_KEYSTORE_LOCATION_CONFIG);
  const keyInline = config.get(SSL_KEYSTORE_KEY_CONFIG)?.value();
  const chainInline = config.get(SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG)?.value();
  const keyType = config.get(SSL_KEYSTORE_TYPE_CONFIG).toUpperCase();
  const keyPassword = config.get(SSL_KEY_PASSWORD_CONFIG)?.value();
  if (nonBlank(keyLocation) || nonBlank(keyInline)) {
    if (keyType === 'PKCS12') {
      if (!nonBlank(keyLocation)) {
        throw configError(SSL_KEYSTORE_LOCATION_CONFIG, `${SSL_KEYSTORE_TYPE_CONFIG}=PKCS12 needs ${SSL_KEYSTORE_LOCATION_CONFIG}`);
      }
      options.pfx = readStore(SSL_KEYSTORE_LOCATION_CONFIG, keyLocation);
      options.passphrase = keyPassword ?? config.get(SSL_KEYSTORE_PASSWORD_CONFIG)?.value();
    } else if (keyType === 'PEM') {
      if (nonBlank(keyLocation)) {
        // A PEM key store file holds the key and its certificate chain.
        const pem = readStore(SSL_KEYSTORE_LOCATION_CONFIG, keyLocation);
        options.key = pem;
        options.cert = pem;
      } else {
        if (!nonBlank(chainInline)) {
          throw configError(SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG, `${SSL_KEYSTORE_KEY_CONFIG} needs ${SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG}`);
        }
        options.key = keyInline;
        options.cert = chainInline;
      }
      options.passphrase = keyPassword;
    } else {
      throw configError(SSL_KEYSTORE_TYPE_CONFIG, `Invalid value "${keyType}" for configuration ${SSL_KEYSTORE_TYPE_CONFIG}: Java key stores cannot be read here; convert with \`keytool -importkeystore -srckeystore STORE.jks -destkeystore STORE.p12 -deststoretype PKCS12\` and set ${SSL_KEYSTORE_TYPE_CONFIG}=PKCS12`);
    }
  }

  if (config.get(SSL_ENDPOINT_IDENTIFICATION_CONFIG).trim() === '') {
    // The chain is still verified; only the host name check is off, as with Java's empty algorithm.
    options.checkServerIdentity = () => undefined;
  }
  return options;
}
