/**
 * Settings every converter accepts (Kafka's ConverterConfig): `converter.type` says whether the
 * instance converts keys, values or headers; the worker sets it through configure().
 */
import type { ConfigDef } from '../config/index.ts';
import { ConfigDef as Def, validators } from '../config/index.ts';

export const CONVERTER_TYPE_CONFIG = 'converter.type';
export type ConverterType = 'key' | 'value' | 'header';

/** A definition holding `converter.type`, for converter configs to extend. */
export function converterConfigDef(): ConfigDef<{ 'converter.type': string }> {
  return new Def().define({
    name: CONVERTER_TYPE_CONFIG,
    type: 'STRING',
    validator: validators.oneOf('key', 'value', 'header'),
    importance: 'LOW',
    documentation: 'How this converter will be used.',
  });
}

/** The configs with `converter.type` set from how the converter is configured. */
export function withConverterType(configs: Readonly<Record<string, unknown>>, isKey: boolean | undefined): Record<string, unknown> {
  const type: ConverterType = isKey === undefined ? 'header' : isKey ? 'key' : 'value';
  return { ...configs, [CONVERTER_TYPE_CONFIG]: type };
}
