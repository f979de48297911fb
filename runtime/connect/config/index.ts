/** Config system: definitions, parsing, validation, masking, docs, properties files and config providers. */
export { PropertiesSyntaxError, parseProperties, propertiesToRecord } from './properties.ts';
export type { ParsedProperties } from './properties.ts';
export { decodePropertiesBytes, readPropertiesFile } from './properties-file.ts';
export { HIDDEN, Password } from '../../util/config/password.ts';
export { CONFIG_TYPES, IMPORTANCES, WIDTHS, convertToString, describeValue, invalidValue, parseType } from '../../util/config/config-types.ts';
export type { ConfigType, ConfigTypeInputs, ConfigTypeValues, Importance, Width } from '../../util/config/config-types.ts';
export { validators } from './validators.ts';
export type { Validator } from './validators.ts';
export { ConfigDef, configProblemsError, describeUnknownKey } from './config-def.ts';
export type { ConfigKey, ConfigKeySpec, ConfigProblem, ConfigSource, ConfigValue, Recommender, UnknownKey } from './config-def.ts';
export { ParsedConfig } from './parsed-config.ts';
export { buildConfigInfos, configKeyInfo, configValueInfo } from './config-infos.ts';
export type { ConfigInfo, ConfigInfos, ConfigKeyInfo, ConfigValueInfo, ValidatedPart } from './config-infos.ts';
export { closestKeys, editDistance } from '../../util/config/closest-keys.ts';
export { isSecretKey, isSensitiveKeyName, maskSecrets } from './masking.ts';
export { originalsWithPrefix, withPrefixOverride, withoutPrefixes } from './prefix.ts';
export { configDocsMarkdown, regenerateReadme, withConfigReference } from './config-docs.ts';
export type { ConfigData, ConfigProvider } from './providers/config-provider.ts';
export { AllowedPaths, ALLOWED_PATHS_CONFIG } from './providers/allowed-paths.ts';
export { FileConfigProvider } from './providers/file-config-provider.ts';
export { DirectoryConfigProvider } from './providers/directory-config-provider.ts';
export { ALLOWLIST_PATTERN_CONFIG, EnvVarConfigProvider } from './providers/env-var-config-provider.ts';
export { findVariables, resolveConfigVariables } from './providers/config-variables.ts';
export type { ConfigVariable, ResolvedConfig } from './providers/config-variables.ts';
export {
  CONFIG_PROVIDERS_CONFIG,
  availableConfigProviders,
  createConfigProviders,
  registerConfigProvider,
} from './providers/config-provider-registry.ts';
export type { ConfigProviderOptions, ConfigProviderPlugin } from './providers/config-provider-registry.ts';
