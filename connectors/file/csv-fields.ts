/**
 * Splits one CSV record (already framed, terminator removed) into its fields: RFC 4180 quoting
 * with a configurable separator and quote, a doubled quote inside quotes is a literal quote, and
 * an optional escape character makes the next character literal inside quotes. A quote inside an
 * unquoted field is kept as text (as most readers do); text after a closing quote and a quote
 * left open are malformed rows.
 */

export class CsvSyntaxError extends Error {
  /** 1-based field number where the problem is. */
  readonly field: number;

  constructor(message: string, field: number) {
    super(message);
    this.name = 'CsvSyntaxError';
    this.field = field;
  }
}

export interface CsvDialect {
  separator: string;
  quote: string;
  /** '' for none. */
  escape: string;
}

export function splitCsvRecord(text: string, dialect: CsvDialect): string[] {
  const { separator, quote, escape } = dialect;
  // Fast path: most rows of most files have no quotes at all.
  if (!text.includes(quote)) return text.split(separator);
  const fields: string[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    if (text[i] === quote) {
      let value = '';
      let j = i + 1;
      let closed = false;
      while (j < n) {
        const c = text[j];
        if (escape !== '' && escape !== quote && c === escape && j + 1 < n) {
          value += text[j + 1];
          j += 2;
          continue;
        }
        if (c === quote) {
          if (text[j + 1] === quote) {
            value += quote;
            j += 2;
            continue;
          }
          closed = true;
          j++;
          break;
        }
        value += c;
        j++;
      }
      if (!closed) throw new CsvSyntaxError(`field ${fields.length + 1} opens a quote (${quote}) that is never closed`, fields.length + 1);
      fields.push(value);
      if (j === n) return fields;
      if (text[j] !== separator) {
        throw new CsvSyntaxError(`field ${fields.length} has ${JSON.stringify(text[j])} after its closing quote; expected ${JSON.stringify(separator)} or the end of the row`, fields.length);
      }
      i = j + 1;
      if (i === n) {
        fields.push('');
        return fields;
      }
      continue;
    }
    const next = text.indexOf(separator, i);
    if (next === -1) {
      fields.push(text.slice(i));
      return fields;
    }
    fields.push(text.slice(i, next));
    i = next + 1;
    if (i === n) {
      fields.push('');
      return fields;
    }
  }
}
