/**
 * Reading MCP results in tests: the SDK client types tool results loosely, so they are parsed with its own schema.
 * @module
 */
import { type CallToolResult, CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';

export function toolResultOf(result: unknown): CallToolResult {
  return CallToolResultSchema.parse(result);
}

/** The text blocks of a tool result, joined. */
export function textOf(result: unknown): string {
  return toolResultOf(result)
    .content.map((block) => (block.type === 'text' ? block.text : ''))
    .join('');
}

/** The structured content of a successful tool result; fails the test on a tool error. */
export function structuredOf(result: unknown): Record<string, unknown> {
  const parsed = toolResultOf(result);
  if (parsed.isError === true) throw new Error(`the tool failed: ${textOf(parsed)}`);
  if (parsed.structuredContent === undefined) throw new Error('the tool returned no structured content');
  return parsed.structuredContent;
}

export const WRITE_TOOLS = ['change_create', 'incident_declare', 'incident_update'] as const;

export const READ_TOOLS = [
  'alerts_list',
  'catalogue_service',
  'catalogue_services',
  'change_show',
  'gate_check',
  'incident_clocks',
  'incident_show',
  'incident_timeline',
  'incidents_list',
  'ledger_prove',
  'slo_status',
] as const;
