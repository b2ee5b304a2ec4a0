/**
 * Answers a question with an LLM that may call sre-agent's own tools, bounded in steps and time. The model's text is
 * only ever a draft: the sign-off is added by code, and the caller checks the answer before showing it.
 * @module
 */
import { type ChatMessage, type ChatOptions, type ChatTool, chatCompletion } from './chat-completions.js';

export interface AskTools {
  list(): Promise<ReadonlyArray<ChatTool>>;
  call(name: string, args: unknown): Promise<{ readonly ok: boolean; readonly text: string }>;
}

export interface AskOptions {
  readonly chat: ChatOptions;
  readonly tools: AskTools;
  /** The persona, as the system message. */
  readonly persona: string;
  readonly maxSteps: number;
  /** The whole answer, every model call and tool call included. */
  readonly deadlineMs: number;
  readonly signOff: string;
  readonly now?: () => number;
}

export interface ToolUse {
  readonly name: string;
  readonly arguments: string;
  readonly ok: boolean;
}

export type AskResult =
  | { readonly ok: true; readonly answer: string; readonly steps: number; readonly tools: ReadonlyArray<ToolUse> }
  | { readonly ok: false; readonly reason: string; readonly steps: number; readonly tools: ReadonlyArray<ToolUse> };

/** A tool result longer than this is cut before it goes back to the model. */
const MAX_TOOL_TEXT = 20_000;
/** The same call with the same arguments this many times means the model is going round in circles. */
const MAX_REPEATS = 3;

export async function ask(question: string, options: AskOptions): Promise<AskResult> {
  const now = options.now ?? Date.now;
  const deadline = now() + options.deadlineMs;
  const tools = await options.tools.list();
  const names = new Set(tools.map((tool) => tool.function.name));
  const messages: ChatMessage[] = [
    { role: 'system', content: options.persona },
    { role: 'user', content: question },
  ];
  const used: ToolUse[] = [];
  const seen = new Map<string, number>();
  for (let step = 1; step <= options.maxSteps; step += 1) {
    const left = deadline - now();
    if (left <= 0)
      return { ok: false, reason: `no answer within ${options.deadlineMs} ms`, steps: step - 1, tools: used };
    const reply = await chatCompletion(
      { ...options.chat, timeoutMs: Math.min(options.chat.timeoutMs, left) },
      messages,
      tools,
    );
    if (!reply.ok) return { ok: false, reason: reply.reason, steps: step, tools: used };
    const calls = reply.message.tool_calls ?? [];
    if (calls.length === 0) {
      if (reply.finishReason === 'length') {
        return {
          ok: false,
          reason: 'the model ran out of room before it finished its answer',
          steps: step,
          tools: used,
        };
      }
      const text = (reply.message.content ?? '').trim();
      if (text === '') return { ok: false, reason: 'the model gave an empty answer', steps: step, tools: used };
      return { ok: true, answer: withSignOff(text, options.signOff), steps: step, tools: used };
    }
    messages.push(reply.message);
    for (const call of calls) {
      const key = `${call.function.name} ${call.function.arguments}`;
      const repeats = (seen.get(key) ?? 0) + 1;
      seen.set(key, repeats);
      if (repeats >= MAX_REPEATS) {
        return {
          ok: false,
          reason: `the model called ${call.function.name} with the same arguments ${repeats} times; stopped`,
          steps: step,
          tools: used,
        };
      }
      const result = await callTool(options.tools, names, call.function.name, call.function.arguments);
      used.push({ name: call.function.name, arguments: call.function.arguments, ok: result.ok });
      messages.push({ role: 'tool', tool_call_id: call.id, content: result.text });
    }
  }
  return { ok: false, reason: `no answer within ${options.maxSteps} steps`, steps: options.maxSteps, tools: used };
}

async function callTool(
  tools: AskTools,
  names: ReadonlySet<string>,
  name: string,
  text: string,
): Promise<{ readonly ok: boolean; readonly text: string }> {
  if (!names.has(name)) return { ok: false, text: `error: there is no tool called ${name}` };
  let args: unknown;
  try {
    args = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    return { ok: false, text: 'error: the arguments were not valid JSON; send a JSON object' };
  }
  const result = await tools.call(name, args);
  return {
    ok: result.ok,
    text:
      result.text.length > MAX_TOOL_TEXT
        ? `${result.text.slice(0, MAX_TOOL_TEXT)}\n[cut at ${MAX_TOOL_TEXT} characters]`
        : result.text,
  };
}

/** The answer ends with exactly one sign-off line, whatever the model wrote. */
export function withSignOff(text: string, signOff: string): string {
  const lines = text.split('\n');
  while (lines.length > 0 && (lines.at(-1)?.trim() === '' || lines.at(-1)?.trim() === signOff)) lines.pop();
  return `${lines.join('\n')}\n\n${signOff}\n`;
}
