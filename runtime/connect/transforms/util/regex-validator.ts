/** Kafka's RegexValidator: the value must compile as a (Java) regular expression. */
import type { Validator } from '../../config/index.ts';
import { invalidValue } from '../../config/index.ts';
import { JavaRegex, RegexSyntaxError } from './java-regex.ts';

export const validRegex: Validator = {
  description: 'valid regex',
  ensureValid(name, value) {
    if (typeof value !== 'string') return;
    try {
      JavaRegex.compile(value);
    } catch (err) {
      if (!(err instanceof RegexSyntaxError)) throw err;
      throw invalidValue(name, value, `Invalid regex: ${err.message}`);
    }
  },
};
