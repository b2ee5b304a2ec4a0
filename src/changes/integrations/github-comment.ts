/**
 * The Markdown that GitHub shows beside a deployment for a gate's answer or status report.
 * @module
 */
import type { GateReason } from '../types.js';

/** GitHub's limit for a protection rule comment. */
export const MAX_COMMENT_LENGTH = 1_024;

const MAX_REASON_LENGTH = 300;
// Room kept for the "…and N more" line.
const TAIL_ROOM = 24;

export type CommentKind = 'approved' | 'rejected' | 'held' | 'timed-out';

export interface CommentSubject {
  readonly service: string;
  readonly environment: string;
  /** The configured hold timings as written, such as `1m` and `6h`. */
  readonly holdRecheck: string;
  readonly holdTimeout: string;
}

export function protectionRuleComment(
  kind: CommentKind,
  subject: CommentSubject,
  reasons: ReadonlyArray<GateReason>,
): string {
  const target = `${code(subject.service)} to ${code(subject.environment)}`;
  const heads = {
    approved: `**Approved** by sre-agent: the change gate allows deploying ${target}.`,
    rejected: `**Rejected** by sre-agent: the change gate denies deploying ${target}.`,
    held: `**Held** by sre-agent: the change gate is holding the deployment of ${target}. It is checked again every ${subject.holdRecheck} and rejected if still held after ${subject.holdTimeout}.`,
    'timed-out': `**Rejected** by sre-agent: the deployment of ${target} was still held after ${subject.holdTimeout}.`,
  } as const satisfies Readonly<Record<CommentKind, string>>;
  const lines =
    reasons.length === 0
      ? ['No reasons were given.']
      : reasons.map((reason) => `- ${reason.effect} ${code(reason.code)}: ${clip(oneLine(reason.message))}`);
  return fitWithinLimit(heads[kind], lines);
}

function fitWithinLimit(head: string, lines: ReadonlyArray<string>): string {
  const limit = MAX_COMMENT_LENGTH - TAIL_ROOM;
  let text = clip(head, limit);
  let shown = 0;
  for (const line of lines) {
    if (text.length + 2 + line.length > limit) break;
    text += shown === 0 ? `\n\n${line}` : `\n${line}`;
    shown += 1;
  }
  const hidden = lines.length - shown;
  if (hidden > 0) text += `${shown === 0 ? '\n\n' : '\n'}- …and ${hidden} more`;
  return text;
}

function code(text: string): string {
  return `\`${text.replaceAll('`', "'")}\``;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Cut to `limit` UTF-16 units at a character boundary, with an ellipsis when cut. */
function clip(text: string, limit = MAX_REASON_LENGTH): string {
  if (text.length <= limit) return text;
  let kept = '';
  for (const character of text) {
    if (kept.length + character.length > limit - 1) break;
    kept += character;
  }
  return `${kept}…`;
}
