/**
 * Generated config reference: a Markdown table per group from a definition (the same columns as
 * Kafka's generated docs: name, description, type, default, valid values, importance). Internal
 * keys are left out; secrets' defaults show as `[hidden]`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { ConfigDef, ConfigKey } from './config-def.ts';
import { convertToString } from '../../util/config/config-types.ts';

// Readable units for defaults of `.ms` and `.bytes` keys, as Kafka's docs show them.
function niceUnits(key: ConfigKey): string {
  if (typeof key.defaultValue !== 'number' || !Number.isInteger(key.defaultValue) || key.defaultValue === 0) return '';
  const plural = (n: number, unit: string) => ` (${n} ${unit}${n === 1 ? '' : 's'})`;
  let v = key.defaultValue;
  if (key.name.endsWith('.ms')) {
    const steps: Array<[number, string]> = [[1000, 'second'], [60, 'minute'], [60, 'hour'], [24, 'day']];
    let unit = '';
    for (const [div, name] of steps) {
      if (v % div !== 0) break;
      v /= div;
      unit = name;
    }
    return unit === '' ? '' : plural(v, unit);
  }
  if (key.name.endsWith('.bytes')) {
    const units = ['kibibyte', 'mebibyte', 'gibibyte', 'tebibyte'];
    let unit = '';
    for (const name of units) {
      if (v % 1024 !== 0) break;
      v /= 1024;
      unit = name;
    }
    return unit === '' ? '' : plural(v, unit);
  }
  return '';
}

function defaultText(key: ConfigKey): string {
  if (!key.hasDefault) return '';
  if (key.defaultValue === null) return 'null';
  const s = convertToString(key.defaultValue, key.type) ?? 'null';
  return s === '' ? '""' : s + niceUnits(key);
}

const cell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
const code = (s: string) => (s === '' ? '' : `\`${s.replace(/`/g, "'")}\``);

/** Markdown reference for a definition; `title` becomes a level-2 heading, groups level-3. */
export function configDocsMarkdown(def: ConfigDef<object>, title?: string): string {
  const out: string[] = [];
  if (title !== undefined) out.push(`## ${title}`, '');
  const keys = def.sortedKeys().filter((k) => !k.internal);
  const groups = new Map<string | null, ConfigKey[]>();
  for (const key of keys) groups.set(key.group, [...(groups.get(key.group) ?? []), key]);
  for (const [group, groupKeys] of groups) {
    if (group !== null) out.push(`### ${group}`, '');
    out.push('| Name | Description | Type | Default | Valid Values | Importance |', '| --- | --- | --- | --- | --- | --- |');
    for (const k of groupKeys) {
      const required = k.hasDefault ? '' : ' (required)';
      out.push(
        `| ${code(k.name)}${required} | ${cell(k.documentation)} | ${k.type.toLowerCase()} | ${cell(code(defaultText(k)))} | ${cell(k.validator?.description ?? '')} | ${k.importance.toLowerCase()} |`,
      );
    }
    out.push('');
  }
  return out.join('\n');
}

const REFERENCE_START = '<!-- config-reference:start';
const REFERENCE_END = '<!-- config-reference:end -->';

/**
 * A README with its generated section replaced by `reference`: the section runs from the line
 * `<!-- config-reference:start … -->` (which names the generator) to `<!-- config-reference:end -->`.
 */
export function withConfigReference(readme: string, reference: string): string {
  const start = readme.indexOf(REFERENCE_START);
  const startEnd = start < 0 ? -1 : readme.indexOf('-->', start);
  const end = readme.indexOf(REFERENCE_END);
  if (start < 0 || startEnd < 0 || end < startEnd) throw new Error(`README has no ${REFERENCE_START} … --> ${REFERENCE_END} section`);
  return `${readme.slice(0, startEnd + 3)}\n\n${reference.trimEnd()}\n\n${readme.slice(end)}`;
}

/** Rewrites a connector README's generated section (its generate-docs.ts script calls this). */
export function regenerateReadme(readme: URL, reference: string): void {
  const before = readFileSync(readme, 'utf8');
  const after = withConfigReference(before, reference);
  if (after !== before) writeFileSync(readme, after);
  process.stdout.write(after === before ? `${readme.pathname} is up to date\n` : `${readme.pathname} updated\n`);
}
