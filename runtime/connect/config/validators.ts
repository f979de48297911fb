/**
 * Validators for config values, as Kafka's ConfigDef has them. A validator receives the parsed
 * value (or null when a key with a null default is unset) and throws a ConfigError naming the key,
 * the value and what was expected. `description` is the "Valid Values" text of the docs.
 */
import { invalidValue } from '../../util/config/config-types.ts';

export interface Validator {
  ensureValid(name: string, value: unknown): void;
  readonly description: string;
}

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : undefined;
}

/** Inclusive numeric bounds; either may be absent. */
function range(min: number | undefined, max: number | undefined): Validator {
  const description =
    min === undefined && max === undefined ? '[...]' : min === undefined ? `[...,${max}]` : max === undefined ? `[${min},...]` : `[${min},...,${max}]`;
  return {
    description,
    ensureValid(name, value) {
      const n = numberOf(value);
      if (n === undefined) throw invalidValue(name, value, 'Value must be non-null');
      if (min !== undefined && n < min) throw invalidValue(name, value, `Value must be at least ${min}`);
      if (max !== undefined && n > max) throw invalidValue(name, value, `Value must be no more than ${max}`);
    },
  };
}

function oneOf(options: readonly string[], ignoreCase: boolean): Validator {
  const normalise = (s: string) => (ignoreCase ? s.toUpperCase() : s);
  const allowed = new Set(options.map(normalise));
  const list = options.join(', ');
  const description = ignoreCase ? `(case insensitive) [${list}]` : `[${list}]`;
  return {
    description,
    ensureValid(name, value) {
      if (typeof value !== 'string' || !allowed.has(normalise(value))) {
        throw invalidValue(name, value, `String must be one of${ignoreCase ? ' (case insensitive)' : ''}: ${list}`);
      }
    },
  };
}

export const validators = {
  /** n >= min. */
  atLeast: (min: number): Validator => range(min, undefined),
  /** min <= n <= max. */
  between: (min: number, max: number): Validator => range(min, max),
  /** Exactly one of the options (Kafka's ValidString.in). A null value is rejected. */
  oneOf: (...options: string[]): Validator => oneOf(options, false),
  /** One of the options in any letter case (Kafka's CaseInsensitiveValidString.in). */
  oneOfIgnoreCase: (...options: string[]): Validator => oneOf(options, true),
  /** Every element of a LIST value is one of the options (Kafka's ValidList.in). */
  listOf(...options: string[]): Validator {
    const element = oneOf(options, false);
    return {
      description: element.description,
      ensureValid(name, value) {
        for (const v of (value as string[] | null) ?? []) element.ensureValid(name, v);
      },
    };
  },
  /** A LIST with at most `max` elements. */
  listSizeAtMost(max: number): Validator {
    return {
      description: `List containing maximum of ${max} elements`,
      ensureValid(name, value) {
        if (Array.isArray(value) && value.length > max) throw invalidValue(name, value, `exceeds maximum list size of [${max}].`);
      },
    };
  },
  /** A string that is not empty; null passes (a missing required key is reported separately). */
  nonEmptyString(): Validator {
    return {
      description: 'non-empty string',
      ensureValid(name, value) {
        if (value === '') throw invalidValue(name, value, 'String must be non-empty');
      },
    };
  },
  /** Non-empty and without ISO control characters (Kafka uses this for connector names). */
  nonEmptyStringWithoutControlChars(): Validator {
    return {
      description: 'non-empty string without ISO control characters',
      ensureValid(name, value) {
        if (value === null || value === undefined) return;
        const s = String(value);
        if (s === '') throw invalidValue(name, value, 'String may not be empty');
         
        const bad = [...s].filter((c) => /[\u0000-\u001f\u007f-\u009f]/.test(c)).map((c) => c.codePointAt(0));
        if (bad.length > 0) {
          throw invalidValue(name, value, `String may not contain control sequences but had the following ASCII chars: ${bad.join(', ')}`);
        }
      },
    };
  },
  /** Rejects null. */
  nonNull(): Validator {
    return {
      description: 'non-null string',
      ensureValid(name, value) {
        if (value === null || value === undefined) throw invalidValue(name, 'null', 'entry must be non null');
      },
    };
  },
  /** All validators, in order. */
  all(...list: Validator[]): Validator {
    return {
      description: list.map((v) => v.description).join(', '),
      ensureValid(name, value) {
        for (const v of list) v.ensureValid(name, value);
      },
    };
  },
  /**
   * A custom rule: `check` returns an error text (what was expected) or undefined when the value
   * is fine; it may also throw a ConfigError itself.
   */
  custom(description: string, check: (value: unknown, name: string) => string | undefined): Validator {
    return {
      description,
      ensureValid(name, value) {
        const problem = check(value, name);
        if (problem !== undefined) throw invalidValue(name, value, problem);
      },
    };
  },
};
