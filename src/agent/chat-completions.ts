/**
 * A client for OpenAI-compatible chat completions with tool calling (Ollama, vLLM, llama.cpp, hosted services), on
 * plain `fetch`. Expected failures are values; the caller decides what a failed step means.
 * @module
 */
import { z } from 'zod';

export interface ChatTool {
  readonly type: 'function';
  readonly function: { readonly name: string; readonly description: string; readonly parameters: object };
}

export interface ToolCall {
  readonly id: string;
  readonly type: 'function';
  readonly function: { readonly name: string; readonly arguments: string };
}

export type ChatMessage =
  | { readonly role: 'system' | 'user'; readonly content: string }
  | { readonly role: 'assistant'; readonly content: string | null; readonly tool_calls?: ReadonlyArray<ToolCall> }
  | { readonly role: 'tool'; readonly tool_call_id: string; readonly content: string };

export type ChatReply =
  | { readonly ok: true; readonly finishReason: string; readonly message: Extract<ChatMessage, { role: 'assistant' }> }
  | { readonly ok: false; readonly reason: string };

export interface ChatOptions {
  /** The base URL, such as http://127.0.0.1:11434/v1; `/chat/completions` is appended. */
  readonly baseUrl: string;
  readonly model: string;
  readonly apiKey?: string | undefined;
  /** Per request. */
  readonly timeoutMs: number;
  /** Attempts per request for 429, 5xx and network failures. */
  readonly attempts: number;
  readonly fetch?: typeof fetch;
  /** Waits between attempts; tests pass one that does not sleep. */
  readonly sleep?: (ms: number) => Promise<void>;
}

const ReplySchema = z.looseObject({
  choices: z
    .array(
      z.looseObject({
        finish_reason: z.string().nullable().optional(),
        message: z.looseObject({
          role: z.literal('assistant'),
          content: z.string().nullable().optional(),
          tool_calls: z
            .array(
              z.looseObject({
                id: z.string(),
                type: z.literal('function'),
                function: z.looseObject({ name: z.string(), arguments: z.string() }),
              }),
            )
            .optional(),
        }),
      }),
    )
    .min(1),
});

const MAX_RETRY_AFTER_MS = 30_000;

export async function chatCompletion(
  options: ChatOptions,
  messages: ReadonlyArray<ChatMessage>,
  tools: ReadonlyArray<ChatTool>,
): Promise<ChatReply> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const body = JSON.stringify({
    model: options.model,
    messages,
    ...(tools.length === 0 ? {} : { tools, tool_choice: 'auto', parallel_tool_calls: false }),
    temperature: 0,
    stream: false,
  });
  let last = 'no attempt was made';
  for (let attempt = 1; attempt <= options.attempts; attempt += 1) {
    let response: Response;
    try {
      response = await doFetch(new URL('chat/completions', withSlash(options.baseUrl)), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.apiKey === undefined ? {} : { authorization: `Bearer ${options.apiKey}` }),
        },
        body,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error: unknown) {
      last =
        error instanceof Error && error.name === 'TimeoutError'
          ? `the model did not answer within ${options.timeoutMs} ms`
          : 'the model could not be reached';
      await sleep(backoff(attempt));
      continue;
    }
    if (response.status === 429 || response.status >= 500) {
      last = `the model answered HTTP ${response.status}`;
      await response.body?.cancel();
      const retryAfter = Number(response.headers.get('retry-after'));
      await sleep(
        Number.isFinite(retryAfter) && retryAfter > 0
          ? Math.min(retryAfter * 1000, MAX_RETRY_AFTER_MS)
          : backoff(attempt),
      );
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      return { ok: false, reason: `the model answered HTTP ${response.status}` };
    }
    const parsed = ReplySchema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success)
      return { ok: false, reason: 'the model answered with something that is not a chat completion' };
    const choice = parsed.data.choices[0];
    if (choice === undefined) return { ok: false, reason: 'the model answered with no choice' };
    return {
      ok: true,
      finishReason: choice.finish_reason ?? 'stop',
      message: {
        role: 'assistant',
        content: choice.message.content ?? null,
        ...(choice.message.tool_calls === undefined
          ? {}
          : {
              tool_calls: choice.message.tool_calls.map((call) => ({
                id: call.id,
                type: 'function' as const,
                function: { name: call.function.name, arguments: call.function.arguments },
              })),
            }),
      },
    };
  }
  return { ok: false, reason: `${last}, after ${options.attempts} attempts` };
}

function backoff(attempt: number): number {
  return Math.min(250 * 2 ** (attempt - 1), 5_000);
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
