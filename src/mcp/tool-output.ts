import { type CallToolResult, ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { isBaseError } from '../errors/index.js';

/** The most characters of JSON or Markdown one tool result, resource or prompt carries. */
export const MAX_OUTPUT_CHARACTERS = 50_000;

export interface TruncationNote {
  readonly shown: number;
  readonly total: number;
  readonly message: string;
}

/** JSON text within the limit, and the object it encodes when that object is whole or cut at an item boundary. */
export interface BoundedJson {
  readonly text: string;
  readonly structured: Record<string, unknown> | undefined;
}

/**
 * Serialises a value within `limit` characters. A list (an array, or an object with an `items` array) loses items
 * from its end and says how many it shows; anything else is cut, with a note saying so.
 * @param narrow - how the caller can ask for less, such as "filter by tier or team".
 */
export function boundedJson(value: unknown, limit: number, narrow: string): BoundedJson {
  const record = asRecord(value);
  const text = JSON.stringify(record, jsonReplacer);
  if (text.length <= limit) return { text, structured: record };
  const items = record.items;
  if (Array.isArray(items)) {
    const withFirst = (count: number): Record<string, unknown> => ({
      ...record,
      items: items.slice(0, count),
      truncated: {
        shown: count,
        total: items.length,
        message: `Only the first ${count} of ${items.length} items fit in ${limit.toLocaleString('en-GB')} characters. ${narrow}`,
      } satisfies TruncationNote,
    });
    let fits = 0;
    let tooMany = items.length;
    while (tooMany - fits > 1) {
      const middle = Math.floor((fits + tooMany) / 2);
      if (JSON.stringify(withFirst(middle), jsonReplacer).length <= limit) fits = middle;
      else tooMany = middle;
    }
    const shown = withFirst(fits);
    const shownText = JSON.stringify(shown, jsonReplacer);
    if (shownText.length <= limit) return { text: shownText, structured: shown };
  }
  return { text: cut(text, limit, narrow), structured: undefined };
}

/** Text such as Markdown within `limit` characters, with a note when it was cut. */
export function boundedText(text: string, limit: number, narrow: string): string {
  return text.length <= limit ? text : cut(text, limit, narrow);
}

export function jsonResult(value: unknown, limit: number, narrow: string): CallToolResult {
  const bounded = boundedJson(value, limit, narrow);
  return {
    content: [{ type: 'text', text: bounded.text }],
    ...(bounded.structured === undefined ? {} : { structuredContent: bounded.structured }),
  };
}

export function textResult(text: string, limit: number, narrow: string): CallToolResult {
  return { content: [{ type: 'text', text: boundedText(text, limit, narrow) }] };
}

/**
 * What a caller may be told about a failure: a coded error's code, message and details; for anything else only that
 * it failed, since driver and library messages leak schema and internals.
 */
export function describeFailure(error: unknown): { readonly known: boolean; readonly text: string } {
  if (!isBaseError(error)) {
    return { known: false, text: 'internal error: the operation failed unexpectedly; the server log has the details' };
  }
  const details = error.details.map((detail) => `\n- ${detail.path}: ${detail.message}`).join('');
  return { known: true, text: `${error.code}: ${error.message}${details}` };
}

export function toolError(error: unknown, limit: number, onUnexpected: (error: unknown) => void): CallToolResult {
  const failure = describeFailure(error);
  if (!failure.known) onUnexpected(error);
  return {
    isError: true,
    content: [{ type: 'text', text: boundedText(failure.text, limit, 'Fix the first problems and try again.') }],
  };
}

/** Resources and prompts fail as JSON-RPC errors, not results; an unknown name or id is the caller's mistake. */
export function protocolError(error: unknown, onUnexpected: (error: unknown) => void): McpError {
  const failure = describeFailure(error);
  if (!failure.known) {
    onUnexpected(error);
    return new McpError(ErrorCode.InternalError, failure.text);
  }
  const invalid = isBaseError(error) && (error.code === 'SRE_NOT_FOUND' || error.code === 'SRE_INPUT_INVALID');
  return new McpError(invalid ? ErrorCode.InvalidParams : ErrorCode.InternalError, failure.text);
}

function asRecord(value: unknown): Record<string, unknown> {
  if (Array.isArray(value)) return { items: value };
  if (value !== null && typeof value === 'object') return { ...value };
  return { value };
}

function cut(text: string, limit: number, narrow: string): string {
  const note = `\n[truncated: ${text.length.toLocaleString('en-GB')} characters, over the limit of ${limit.toLocaleString('en-GB')}. ${narrow}]`;
  return `${text.slice(0, Math.max(0, limit - note.length))}${note}`;
}

/** Ledger sizes and indexes are bigints, which JSON cannot hold as numbers without losing precision. */
function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
