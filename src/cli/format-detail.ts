import type { ProblemDetail } from '../errors/index.js';

/** `file:line:column: message (path)` when located, else `path: message`. */
export function formatDetail(detail: ProblemDetail): string {
  if (detail.file !== undefined && detail.line !== undefined && detail.column !== undefined) {
    return `${detail.file}:${detail.line}:${detail.column}: ${detail.message} (${detail.path})`;
  }
  return `${detail.path}: ${detail.message}`;
}
