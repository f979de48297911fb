/**
 * The file source's config: one definition (names, types, defaults, validators, docs) that drives
 * parsing, /config/validate, and the generated reference in README.md. Keys known from
 * kafka-connect-spooldir keep its names and meaning (input.path, input.file.pattern,
 * finished.path, error.path, cleanup.policy, file.minimum.age.ms, file.charset, timestamp.mode,
 * timestamp.field, value.schema, schema.generation.enabled, csv.first.row.as.header,
 * csv.separator.char, csv.quote.char, csv.escape.char); batch.size and topic are those of Kafka's
 * FileStreamSource. Rules that span keys are checked by fileSourceProblems().
 */
import type { ConfigProblem, ConfigValue, Schema } from '../../runtime/connect/api/index.ts';
import { ConfigDef, configProblemsError, jsonToSchema, parseJson, validators } from '../../runtime/connect/api/index.ts';
import type { MalformedInputAction } from './charset.ts';
import { charsetProblem } from './charset.ts';

export const MODE_CONFIG = 'mode';
export const TOPIC_CONFIG = 'topic';
export const FORMAT_CONFIG = 'format';
export const BATCH_SIZE_CONFIG = 'batch.size';
export const POLL_INTERVAL_MS_CONFIG = 'poll.interval.ms';
export const MAX_LINE_BYTES_CONFIG = 'max.line.bytes';
export const MAX_UNCOMMITTED_RECORDS_CONFIG = 'max.uncommitted.records';
export const CHARSET_CONFIG = 'file.charset';
export const MALFORMED_INPUT_CONFIG = 'file.charset.malformed.input';
export const BAD_LINE_POLICY_CONFIG = 'bad.line.policy';
export const BAD_LINE_TOPIC_CONFIG = 'bad.line.topic';
export const HEADERS_ENABLE_CONFIG = 'file.headers.enable';
export const HEADERS_CONFIG = 'file.headers';
export const FILE_PATHS_CONFIG = 'file.paths';
export const START_POSITION_CONFIG = 'start.position';
export const ROTATE_WAIT_MS_CONFIG = 'rotate.wait.ms';
export const INPUT_PATH_CONFIG = 'input.path';
export const INPUT_FILE_PATTERN_CONFIG = 'input.file.pattern';
export const FINISHED_PATH_CONFIG = 'finished.path';
export const ERROR_PATH_CONFIG = 'error.path';
export const CLEANUP_POLICY_CONFIG = 'cleanup.policy';
export const FILE_MINIMUM_AGE_MS_CONFIG = 'file.minimum.age.ms';
export const KEY_FIELD_CONFIG = 'key.field';
export const TIMESTAMP_MODE_CONFIG = 'timestamp.mode';
export const TIMESTAMP_FIELD_CONFIG = 'timestamp.field';
export const VALUE_SCHEMA_CONFIG = 'value.schema';
export const SCHEMA_GENERATION_CONFIG = 'schema.generation.enabled';
export const SCHEMA_GENERATION_ROWS_CONFIG = 'schema.generation.rows';
export const CSV_FIRST_ROW_AS_HEADER_CONFIG = 'csv.first.row.as.header';
export const CSV_SEPARATOR_CONFIG = 'csv.separator.char';
export const CSV_QUOTE_CONFIG = 'csv.quote.char';
export const CSV_ESCAPE_CONFIG = 'csv.escape.char';
/** Set by the connector in each task's config: which share of the inputs a task reads. */
export const TASK_INDEX_CONFIG = 'file.source.task.index';
export const TASK_COUNT_CONFIG = 'file.source.task.count';
export const CONNECTOR_NAME_CONFIG = 'name';

export const FILE_PATH_HEADER = 'file.path';
export const FILE_NAME_HEADER = 'file.name';
export const FILE_LINE_HEADER = 'file.line';
export const FILE_POSITION_HEADER = 'file.position';
/** The file headers a record may carry, in the order they are added. */
export const FILE_HEADERS = [FILE_PATH_HEADER, FILE_NAME_HEADER, FILE_LINE_HEADER, FILE_POSITION_HEADER] as const;
export type FileHeader = (typeof FILE_HEADERS)[number];

export type Mode = 'tail' | 'spool';
export type Format = 'lines' | 'json' | 'csv';
export type BadLinePolicy = 'skip' | 'dlq' | 'fail';
export type StartPosition = 'beginning' | 'end';
export type CleanupPolicy = 'MOVE' | 'DELETE' | 'NONE';
export type TimestampMode = 'PROCESS_TIME' | 'FILE_TIME' | 'FIELD';

const GROUP_SOURCE = 'File source';
const GROUP_TAIL = 'Tail mode';
const GROUP_SPOOL = 'Spool mode';
const GROUP_RECORDS = 'Records';
const GROUP_CSV = 'CSV';

/** A single character, or one of the escapes \t, \\, \' and \"; "" (none) where `allowEmpty`. */
export function csvCharOf(value: string): string {
  if (value === '\\t' || value.toLowerCase() === 'tab') return '\t';
  if (value.length === 2 && value[0] === '\\') return value[1];
  return value;
}

function singleChar(allowEmpty: boolean) {
  return validators.custom(allowEmpty ? 'a single character, \\t, or empty for none' : 'a single character or \\t', (value) => {
    if (typeof value !== 'string') return 'a single character';
    const c = csvCharOf(value);
    if (c === '' && allowEmpty) return undefined;
    if ([...c].length !== 1) return 'String must be a single character (or \\t for a tab)';
    if (c === '\n' || c === '\r') return 'a line break cannot be used here';
    return undefined;
  });
}

const regex = validators.custom('a regular expression', (value) => {
  if (value === null || value === '') return undefined;
  try {
    new RegExp(String(value));
    return undefined;
  } catch (err) {
    return `not a valid regular expression: ${(err as Error).message}`;
  }
});

const charset = validators.custom('a charset name (UTF-8, ISO-8859-1, US-ASCII, windows-1252...)', (value) =>
  typeof value === 'string' ? charsetProblem(value) : 'a charset name',
);

const connectSchema = validators.custom('a Connect schema in JSON (as JsonConverter writes it)', (value) => {
  if (value === null || value === '') return undefined;
  try {
    jsonToSchema(parseJson(String(value)));
    return undefined;
  } catch (err) {
    return `not a Connect schema: ${(err as Error).message}`;
  }
});

export const FILE_SOURCE_CONFIG = new ConfigDef()
  .define({
    name: MODE_CONFIG,
    type: 'STRING',
    default: 'tail',
    validator: validators.oneOfIgnoreCase('tail', 'spool'),
    importance: 'HIGH',
    group: GROUP_SOURCE,
    orderInGroup: 1,
    documentation:
      '`tail` follows files (or glob patterns) as they grow and rotate, like `tail -F`; `spool` ingests whole files dropped into `input.path` and moves them away once every record of the file is acknowledged and its offset committed.',
  })
  .define({
    name: TOPIC_CONFIG,
    type: 'STRING',
    validator: validators.nonEmptyString(),
    importance: 'HIGH',
    group: GROUP_SOURCE,
    orderInGroup: 2,
    documentation: 'The topic to write records to.',
  })
  .define({
    name: FORMAT_CONFIG,
    type: 'STRING',
    default: 'lines',
    validator: validators.oneOfIgnoreCase('lines', 'json', 'csv'),
    importance: 'HIGH',
    group: GROUP_SOURCE,
    orderInGroup: 3,
    documentation:
      '`lines`: each line is a STRING value. `json`: each line is one JSON document (JSON lines). `csv`: each record is a row of delimited values (RFC 4180 quoting; a quoted field may span lines).',
  })
  .define({
    name: BATCH_SIZE_CONFIG,
    type: 'INT',
    default: 1000,
    validator: validators.atLeast(1),
    importance: 'LOW',
    group: GROUP_SOURCE,
    orderInGroup: 4,
    documentation:
      'The maximum number of records a poll returns. The default is spooldir\'s (FileStreamSource has 2000): the worker converts and holds a whole poll at once, and batches over about 1000 records cost it more CPU per record (more of them live through a garbage collection).',
  })
  .define({
    name: POLL_INTERVAL_MS_CONFIG,
    type: 'LONG',
    default: 500,
    validator: validators.between(1, 3_600_000),
    importance: 'LOW',
    group: GROUP_SOURCE,
    orderInGroup: 5,
    documentation:
      'How long a poll that found no new data waits before looking at the files again. File system events (chokidar) end the wait early, so this bounds the delay when events are missed (network file systems).',
  })
  .define({
    name: MAX_UNCOMMITTED_RECORDS_CONFIG,
    type: 'INT',
    default: 0,
    validator: validators.atLeast(0),
    importance: 'MEDIUM',
    group: GROUP_SOURCE,
    orderInGroup: 12,
    documentation:
      'At most this many records whose offsets are not committed yet; a poll waits for an offset flush (`offset.flush.interval.ms`) before going beyond. A crash, even `kill -9`, then sends at most this many records again. Set it to `batch.size` for at most one batch of duplicates, with a short `offset.flush.interval.ms` (each batch waits for a flush). 0: no bound (the worker\'s flush interval decides how much is sent again).',
  })
  .define({
    name: MAX_LINE_BYTES_CONFIG,
    type: 'INT',
    default: 524288,
    validator: validators.between(16, 1 << 30),
    importance: 'MEDIUM',
    group: GROUP_SOURCE,
    orderInGroup: 6,
    documentation:
      'The longest line (CSV: record) in bytes, terminator excluded. A longer one is never truncated into a record: it is a bad line (see `bad.line.policy`), skipped without being held in memory. Keep it below the producer\'s `max.request.size` and the broker\'s `message.max.bytes`.',
  })
  .define({
    name: CHARSET_CONFIG,
    type: 'STRING',
    default: 'UTF-8',
    validator: charset,
    importance: 'MEDIUM',
    group: GROUP_SOURCE,
    orderInGroup: 7,
    documentation: 'The character set of the files. A UTF-8 byte order mark at the start of a file is skipped.',
  })
  .define({
    name: MALFORMED_INPUT_CONFIG,
    type: 'STRING',
    default: 'REPORT',
    validator: validators.oneOfIgnoreCase('REPORT', 'REPLACE'),
    importance: 'MEDIUM',
    group: GROUP_SOURCE,
    orderInGroup: 8,
    documentation:
      'What a byte sequence that is not valid in `file.charset` does: `REPORT` makes its line a bad line (see `bad.line.policy`); `REPLACE` decodes it as U+FFFD and keeps the line.',
  })
  .define({
    name: BAD_LINE_POLICY_CONFIG,
    type: 'STRING',
    default: 'fail',
    validator: validators.oneOfIgnoreCase('skip', 'dlq', 'fail'),
    importance: 'HIGH',
    group: GROUP_SOURCE,
    orderInGroup: 9,
    documentation:
      'What happens to a line that cannot become a record (too long, malformed bytes, unparseable JSON or CSV, a value that does not fit the schema). `skip`: log a warning naming file, line and byte position, and go on. `dlq`: write it to `bad.line.topic` as a record of its own with error headers, and go on (source connectors have no worker dead letter queue). `fail`: in tail mode the task fails with that error; in spool mode the file fails: once the records before the bad line are acknowledged and committed it is moved to `error.path` with a note beside it, and the task goes on with the next file.',
  })
  .define({
    name: BAD_LINE_TOPIC_CONFIG,
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    group: GROUP_SOURCE,
    orderInGroup: 10,
    documentation:
      'The topic for bad lines when `bad.line.policy=dlq`. Each bad line is a record whose value is the line as text (invalid bytes replaced by U+FFFD, cut at `max.line.bytes`) and whose headers say why and where: `__connect.errors.exception.class.name` (the error code), `__connect.errors.exception.message`, `__connect.errors.stage`, `__connect.errors.connector.name`, `__connect.errors.task.id`, `file.path`, `file.name`, `file.line`, `file.position`, `file.bad.line.bytes` and `file.bad.line.truncated`.',
  })
  .define({
    name: HEADERS_ENABLE_CONFIG,
    type: 'BOOLEAN',
    default: true,
    importance: 'LOW',
    group: GROUP_SOURCE,
    orderInGroup: 11,
    documentation: 'Whether records carry the file headers chosen by `file.headers`; `false`: none.',
  })
  .define({
    name: HEADERS_CONFIG,
    type: 'LIST',
    default: `${FILE_NAME_HEADER},${FILE_LINE_HEADER}`,
    validator: validators.listOf(...FILE_HEADERS),
    importance: 'LOW',
    group: GROUP_SOURCE,
    orderInGroup: 12,
    documentation:
      'The headers each record carries, from `file.path`, `file.name` (STRING), `file.line` and `file.position` (INT64: the 1-based line number and byte position where the record starts). Every header is written into every record in Kafka, so the default keeps to the file name and line; add `file.path` when names repeat across folders. Bad-line records carry all four.',
  })
  .define({
    name: FILE_PATHS_CONFIG,
    type: 'LIST',
    default: '',
    importance: 'HIGH',
    group: GROUP_TAIL,
    orderInGroup: 1,
    documentation:
      'Files or glob patterns to follow (`*`, `?`, `[abc]`, `**` for any depth), comma-separated. Patterns are resolved by the connector and watched with chokidar; a file matched by several patterns is read once. Rotated files are found by identity (device and inode plus a fingerprint of their first bytes), so a file renamed to another matched name is not read twice. With several tasks, each task takes whole patterns.',
  })
  .define({
    name: START_POSITION_CONFIG,
    type: 'STRING',
    default: 'beginning',
    validator: validators.oneOfIgnoreCase('beginning', 'end'),
    importance: 'MEDIUM',
    group: GROUP_TAIL,
    orderInGroup: 2,
    documentation:
      'Where to start in a file found when the task starts that has no committed offset: `beginning`, or `end` (after its last complete line). Files that appear later, including the new file after a rotation, are always read from the beginning.',
  })
  .define({
    name: ROTATE_WAIT_MS_CONFIG,
    type: 'LONG',
    default: 5000,
    validator: validators.between(0, 86_400_000),
    importance: 'LOW',
    group: GROUP_TAIL,
    orderInGroup: 3,
    documentation:
      'After a rotation, how long the old file must stay unchanged at its end before it is finished (its unterminated last line, if any, emitted) and closed, and the new file started. Ends early once the new file has data, because the writer then has switched.',
  })
  .define({
    name: INPUT_PATH_CONFIG,
    type: 'STRING',
    default: '',
    importance: 'HIGH',
    group: GROUP_SPOOL,
    orderInGroup: 1,
    documentation: 'The folder watched for input files (not its subfolders).',
  })
  .define({
    name: INPUT_FILE_PATTERN_CONFIG,
    type: 'STRING',
    default: '',
    validator: regex,
    importance: 'HIGH',
    group: GROUP_SPOOL,
    orderInGroup: 2,
    documentation: 'A regular expression that the whole file name must match, e.g. `^.*\\.csv$`. Write files under another name (e.g. `.tmp`) and rename them when complete.',
  })
  .define({
    name: ERROR_PATH_CONFIG,
    type: 'STRING',
    default: '',
    importance: 'HIGH',
    group: GROUP_SPOOL,
    orderInGroup: 3,
    documentation: 'The folder files that failed are moved to; beside each, `<name>.error.txt` says why, with line and byte position.',
  })
  .define({
    name: FINISHED_PATH_CONFIG,
    type: 'STRING',
    default: '',
    importance: 'HIGH',
    group: GROUP_SPOOL,
    orderInGroup: 4,
    documentation: 'The folder finished files are moved to (`cleanup.policy=MOVE`).',
  })
  .define({
    name: CLEANUP_POLICY_CONFIG,
    type: 'STRING',
    default: 'MOVE',
    validator: validators.oneOfIgnoreCase('MOVE', 'DELETE', 'NONE'),
    importance: 'MEDIUM',
    group: GROUP_SPOOL,
    orderInGroup: 5,
    documentation:
      'What happens to a file once all of its records are acknowledged and its offset committed: `MOVE` to `finished.path`, `DELETE`, or `NONE` (left in place; its committed offset marks it done, and only data appended later is read).',
  })
  .define({
    name: FILE_MINIMUM_AGE_MS_CONFIG,
    type: 'LONG',
    default: 0,
    validator: validators.atLeast(0),
    importance: 'LOW',
    group: GROUP_SPOOL,
    orderInGroup: 6,
    documentation: 'A file is taken only once it was last modified at least this long ago (a guard against files still being written).',
  })
  .define({
    name: KEY_FIELD_CONFIG,
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    group: GROUP_RECORDS,
    orderInGroup: 1,
    documentation: 'A field of the value (format `json` or `csv`) whose value, with its schema, becomes the record key. Empty: no key.',
  })
  .define({
    name: TIMESTAMP_MODE_CONFIG,
    type: 'STRING',
    default: 'PROCESS_TIME',
    validator: validators.oneOfIgnoreCase('PROCESS_TIME', 'FILE_TIME', 'FIELD'),
    importance: 'MEDIUM',
    group: GROUP_RECORDS,
    orderInGroup: 2,
    documentation:
      '`PROCESS_TIME`: the time the line was read. `FILE_TIME`: the file\'s last-modified time. `FIELD`: the value of `timestamp.field` (a Connect Timestamp or Date, milliseconds since the epoch, or an ISO-8601 string); a line without a usable one is a bad line.',
  })
  .define({
    name: TIMESTAMP_FIELD_CONFIG,
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    group: GROUP_RECORDS,
    orderInGroup: 3,
    documentation: 'The field holding the timestamp when `timestamp.mode=FIELD`.',
  })
  .define({
    name: VALUE_SCHEMA_CONFIG,
    type: 'STRING',
    default: '',
    validator: connectSchema,
    importance: 'MEDIUM',
    group: GROUP_RECORDS,
    orderInGroup: 4,
    documentation:
      'The Connect schema of the values, in the JSON form JsonConverter writes (e.g. `{"type":"struct","fields":[{"field":"id","type":"int64"}]}`). JSON lines are converted to it; CSV columns are parsed into the field types by header name (or in order without a header). A line that does not fit is a bad line.',
  })
  .define({
    name: SCHEMA_GENERATION_CONFIG,
    type: 'BOOLEAN',
    default: false,
    importance: 'MEDIUM',
    group: GROUP_RECORDS,
    orderInGroup: 5,
    documentation:
      'Infer the value schema when `value.schema` is empty. JSON lines: each document\'s schema from its own values (objects become structs, integers INT64, other numbers FLOAT64; every field optional). CSV: column types (INT64, FLOAT64, BOOLEAN or STRING) from the first `schema.generation.rows` rows of each file. Without it, JSON values are schemaless maps and CSV columns optional strings.',
  })
  .define({
    name: SCHEMA_GENERATION_ROWS_CONFIG,
    type: 'INT',
    default: 1000,
    validator: validators.atLeast(1),
    importance: 'LOW',
    group: GROUP_RECORDS,
    orderInGroup: 6,
    documentation: 'How many rows of a CSV file the schema is inferred from; a later row that does not fit is a bad line.',
  })
  .define({
    name: CSV_FIRST_ROW_AS_HEADER_CONFIG,
    type: 'BOOLEAN',
    default: true,
    importance: 'MEDIUM',
    group: GROUP_CSV,
    orderInGroup: 1,
    documentation: 'The first row names the fields. When false, fields are named `column01`, `column02`, ... (or taken from `value.schema` in order).',
  })
  .define({
    name: CSV_SEPARATOR_CONFIG,
    type: 'STRING',
    default: ',',
    validator: singleChar(false),
    importance: 'LOW',
    group: GROUP_CSV,
    orderInGroup: 2,
    documentation: 'The field delimiter (`\\t` for a tab).',
  })
  .define({
    name: CSV_QUOTE_CONFIG,
    type: 'STRING',
    default: '"',
    validator: singleChar(false),
    importance: 'LOW',
    group: GROUP_CSV,
    orderInGroup: 3,
    documentation: 'The quote character. Inside a quoted field, a doubled quote is a literal quote.',
  })
  .define({
    name: CSV_ESCAPE_CONFIG,
    type: 'STRING',
    default: '',
    validator: singleChar(true),
    importance: 'LOW',
    group: GROUP_CSV,
    orderInGroup: 4,
    documentation: 'An escape character that makes the next character literal inside quoted fields (e.g. `\\\\`). Empty: none (RFC 4180).',
  })
  .define({
    name: TASK_INDEX_CONFIG,
    type: 'INT',
    default: 0,
    validator: validators.atLeast(0),
    importance: 'LOW',
    internal: true,
    documentation: 'Set by the connector: this task\'s index.',
  })
  .define({
    name: TASK_COUNT_CONFIG,
    type: 'INT',
    default: 1,
    validator: validators.atLeast(1),
    importance: 'LOW',
    internal: true,
    documentation: 'Set by the connector: how many tasks share the inputs.',
  })
  .define({
    name: CONNECTOR_NAME_CONFIG,
    type: 'STRING',
    default: '',
    importance: 'LOW',
    internal: true,
    documentation: 'The connector name (for error headers and logs).',
  });

export interface CsvSettings {
  header: boolean;
  separator: string;
  quote: string;
  /** '' for none. */
  escape: string;
}

/** The parsed config as the task uses it. */
export interface FileSourceSettings {
  mode: Mode;
  topic: string;
  format: Format;
  batchSize: number;
  pollIntervalMs: number;
  maxLineBytes: number;
  maxUncommittedRecords: number;
  charset: string;
  malformedInput: MalformedInputAction;
  badLinePolicy: BadLinePolicy;
  badLineTopic: string;
  /** The file headers records carry, in this order (empty: none). */
  headers: readonly FileHeader[];
  filePaths: string[];
  startPosition: StartPosition;
  rotateWaitMs: number;
  inputPath: string;
  inputFilePattern: RegExp | null;
  finishedPath: string;
  errorPath: string;
  cleanupPolicy: CleanupPolicy;
  fileMinimumAgeMs: number;
  keyField: string;
  timestampMode: TimestampMode;
  timestampField: string;
  valueSchema: Schema | null;
  schemaGeneration: boolean;
  schemaGenerationRows: number;
  csv: CsvSettings;
  taskIndex: number;
  taskCount: number;
  connectorName: string;
}

/** A whole-name match of the spool pattern (spooldir matches the full name too). */
function fullMatch(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}

type Values = Record<string, unknown>;

/** Problems between keys, each naming the key to fix. */
export function fileSourceProblems(v: Values): Array<{ key: string; message: string }> {
  const problems: Array<{ key: string; message: string }> = [];
  const add = (key: string, message: string) => problems.push({ key, message });
  const lower = (k: string) => String(v[k] ?? '').toLowerCase();
  const str = (k: string) => String(v[k] ?? '');
  const mode = lower(MODE_CONFIG);
  const format = lower(FORMAT_CONFIG);
  if (mode === 'tail') {
    const paths = (v[FILE_PATHS_CONFIG] as string[] | null) ?? [];
    if (paths.filter((p) => p !== '').length === 0) add(FILE_PATHS_CONFIG, `${FILE_PATHS_CONFIG} is required with ${MODE_CONFIG}=tail: the files or glob patterns to follow`);
    for (const p of paths) if (/[{}]/.test(p)) add(FILE_PATHS_CONFIG, `${FILE_PATHS_CONFIG}: "${p}" uses {a,b}, which a comma-separated list cannot hold; list the patterns separately`);
  }
  if (mode === 'spool') {
    if (str(INPUT_PATH_CONFIG) === '') add(INPUT_PATH_CONFIG, `${INPUT_PATH_CONFIG} is required with ${MODE_CONFIG}=spool: the folder to watch`);
    if (str(INPUT_FILE_PATTERN_CONFIG) === '') add(INPUT_FILE_PATTERN_CONFIG, `${INPUT_FILE_PATTERN_CONFIG} is required with ${MODE_CONFIG}=spool: a regular expression the whole file name must match`);
    if (str(ERROR_PATH_CONFIG) === '') add(ERROR_PATH_CONFIG, `${ERROR_PATH_CONFIG} is required with ${MODE_CONFIG}=spool: the folder failed files go to`);
    if (lower(CLEANUP_POLICY_CONFIG) === 'move' && str(FINISHED_PATH_CONFIG) === '') {
      add(FINISHED_PATH_CONFIG, `${FINISHED_PATH_CONFIG} is required with ${CLEANUP_POLICY_CONFIG}=MOVE (or set ${CLEANUP_POLICY_CONFIG}=DELETE or NONE)`);
    }
    for (const key of [FINISHED_PATH_CONFIG, ERROR_PATH_CONFIG]) {
      if (str(key) !== '' && str(key).replace(/\/+$/, '') === str(INPUT_PATH_CONFIG).replace(/\/+$/, '')) add(key, `${key} must not be ${INPUT_PATH_CONFIG}`);
    }
  }
  if (lower(BAD_LINE_POLICY_CONFIG) === 'dlq') {
    if (str(BAD_LINE_TOPIC_CONFIG) === '') add(BAD_LINE_TOPIC_CONFIG, `${BAD_LINE_TOPIC_CONFIG} is required with ${BAD_LINE_POLICY_CONFIG}=dlq`);
    else if (str(BAD_LINE_TOPIC_CONFIG) === str(TOPIC_CONFIG)) add(BAD_LINE_TOPIC_CONFIG, `${BAD_LINE_TOPIC_CONFIG} must differ from ${TOPIC_CONFIG}`);
  }
  if (format === 'lines') {
    for (const key of [KEY_FIELD_CONFIG, VALUE_SCHEMA_CONFIG]) if (str(key) !== '') add(key, `${key} needs fields: use ${FORMAT_CONFIG}=json or csv`);
    if (lower(TIMESTAMP_MODE_CONFIG) === 'field') add(TIMESTAMP_MODE_CONFIG, `${TIMESTAMP_MODE_CONFIG}=FIELD needs fields: use ${FORMAT_CONFIG}=json or csv`);
  }
  if (lower(TIMESTAMP_MODE_CONFIG) === 'field' && str(TIMESTAMP_FIELD_CONFIG) === '') add(TIMESTAMP_FIELD_CONFIG, `${TIMESTAMP_FIELD_CONFIG} is required with ${TIMESTAMP_MODE_CONFIG}=FIELD`);
  if (str(VALUE_SCHEMA_CONFIG) !== '') {
    if (v[SCHEMA_GENERATION_CONFIG] === true) add(SCHEMA_GENERATION_CONFIG, `${SCHEMA_GENERATION_CONFIG} and ${VALUE_SCHEMA_CONFIG} exclude each other: declare the schema or infer it`);
    let schema: Schema | null = null;
    try {
      schema = jsonToSchema(parseJson(str(VALUE_SCHEMA_CONFIG)));
    } catch {
      // Reported by the key's own validator.
    }
    if (schema !== null) {
      if (format === 'csv' && schema.type !== 'STRUCT') add(VALUE_SCHEMA_CONFIG, `${VALUE_SCHEMA_CONFIG} must be a struct for ${FORMAT_CONFIG}=csv`);
      for (const key of [KEY_FIELD_CONFIG, TIMESTAMP_FIELD_CONFIG]) {
        const field = str(key);
        if (field === '' || (key === TIMESTAMP_FIELD_CONFIG && lower(TIMESTAMP_MODE_CONFIG) !== 'field')) continue;
        if (schema.type !== 'STRUCT' || schema.field(field) === null) add(key, `${key}: ${VALUE_SCHEMA_CONFIG} has no field "${field}"`);
      }
    }
  }
  if (format === 'csv') {
    const chars = [CSV_SEPARATOR_CONFIG, CSV_QUOTE_CONFIG, CSV_ESCAPE_CONFIG].map((k) => csvCharOf(str(k)));
    if (chars[0] === chars[1]) add(CSV_QUOTE_CONFIG, `${CSV_QUOTE_CONFIG} must differ from ${CSV_SEPARATOR_CONFIG}`);
    if (chars[2] !== '' && chars[2] === chars[0]) add(CSV_ESCAPE_CONFIG, `${CSV_ESCAPE_CONFIG} must differ from ${CSV_SEPARATOR_CONFIG}`);
  }
  return problems;
}

/** Adds the cross-key problems to a per-key validation (the REST /config/validate path). */
export function validateFileSource(props: Readonly<Record<string, string>>): ConfigValue[] {
  const values = FILE_SOURCE_CONFIG.validateValues(props);
  const parsed: Values = Object.fromEntries(values.map((c) => [c.name, c.value]));
  for (const problem of fileSourceProblems(parsed)) values.find((c) => c.name === problem.key)?.errors.push(problem.message);
  return values;
}

/** Parses and checks a config; every problem is reported at once in one ConfigError. */
export function parseFileSourceConfig(props: Readonly<Record<string, string>>): FileSourceSettings {
  const parsed = FILE_SOURCE_CONFIG.parse(props);
  const v = parsed.values() as Values;
  const problems: ConfigProblem[] = fileSourceProblems(v).map((p) => ({ key: p.key, code: 'CONFIG_INVALID', message: p.message }));
  if (problems.length > 0) throw configProblemsError(problems);
  const schemaText = parsed.get(VALUE_SCHEMA_CONFIG);
  const pattern = parsed.get(INPUT_FILE_PATTERN_CONFIG);
  return {
    mode: parsed.get(MODE_CONFIG).toLowerCase() as Mode,
    topic: parsed.get(TOPIC_CONFIG),
    format: parsed.get(FORMAT_CONFIG).toLowerCase() as Format,
    batchSize: parsed.get(BATCH_SIZE_CONFIG),
    pollIntervalMs: parsed.get(POLL_INTERVAL_MS_CONFIG),
    maxLineBytes: parsed.get(MAX_LINE_BYTES_CONFIG),
    maxUncommittedRecords: parsed.get(MAX_UNCOMMITTED_RECORDS_CONFIG),
    charset: parsed.get(CHARSET_CONFIG),
    malformedInput: parsed.get(MALFORMED_INPUT_CONFIG).toUpperCase() as MalformedInputAction,
    badLinePolicy: parsed.get(BAD_LINE_POLICY_CONFIG).toLowerCase() as BadLinePolicy,
    badLineTopic: parsed.get(BAD_LINE_TOPIC_CONFIG),
    headers: parsed.get(HEADERS_ENABLE_CONFIG) ? FILE_HEADERS.filter((h) => parsed.get(HEADERS_CONFIG).includes(h)) : [],
    filePaths: parsed.get(FILE_PATHS_CONFIG).filter((p) => p !== ''),
    startPosition: parsed.get(START_POSITION_CONFIG).toLowerCase() as StartPosition,
    rotateWaitMs: parsed.get(ROTATE_WAIT_MS_CONFIG),
    inputPath: parsed.get(INPUT_PATH_CONFIG),
    inputFilePattern: pattern === '' ? null : fullMatch(pattern),
    finishedPath: parsed.get(FINISHED_PATH_CONFIG),
    errorPath: parsed.get(ERROR_PATH_CONFIG),
    cleanupPolicy: parsed.get(CLEANUP_POLICY_CONFIG).toUpperCase() as CleanupPolicy,
    fileMinimumAgeMs: parsed.get(FILE_MINIMUM_AGE_MS_CONFIG),
    keyField: parsed.get(KEY_FIELD_CONFIG),
    timestampMode: parsed.get(TIMESTAMP_MODE_CONFIG).toUpperCase() as TimestampMode,
    timestampField: parsed.get(TIMESTAMP_FIELD_CONFIG),
    valueSchema: schemaText === '' ? null : jsonToSchema(parseJson(schemaText)),
    schemaGeneration: parsed.get(SCHEMA_GENERATION_CONFIG),
    schemaGenerationRows: parsed.get(SCHEMA_GENERATION_ROWS_CONFIG),
    csv: {
      header: parsed.get(CSV_FIRST_ROW_AS_HEADER_CONFIG),
      separator: csvCharOf(parsed.get(CSV_SEPARATOR_CONFIG)),
      quote: csvCharOf(parsed.get(CSV_QUOTE_CONFIG)),
      escape: csvCharOf(parsed.get(CSV_ESCAPE_CONFIG)),
    },
    taskIndex: parsed.get(TASK_INDEX_CONFIG),
    taskCount: parsed.get(TASK_COUNT_CONFIG),
    connectorName: parsed.get(CONNECTOR_NAME_CONFIG),
  };
}
