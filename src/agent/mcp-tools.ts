/**
 * sre-agent's own MCP tools, offered to a chat model: an in-process MCP client talks to the MCP server over a linked
 * pair of in-memory transports, so the model can do exactly what an MCP host can, and nothing more.
 * @module
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { VERSION } from '../version.js';
import type { AskTools } from './ask.js';
import type { ChatTool } from './chat-completions.js';

export interface ConnectedTools extends AskTools {
  close(): Promise<void>;
}

export async function mcpAskTools(server: McpServer): Promise<ConnectedTools> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'sre-agent-ask', version: VERSION });
  await client.connect(clientSide);
  return {
    async list(): Promise<ChatTool[]> {
      const { tools } = await client.listTools();
      return tools.map((tool) => ({
        type: 'function',
        function: { name: tool.name, description: tool.description ?? tool.name, parameters: tool.inputSchema },
      }));
    },
    async call(name: string, args: unknown) {
      const input =
        args !== null && typeof args === 'object' && !Array.isArray(args) ? (args as Record<string, unknown>) : {};
      try {
        const result = await client.callTool({ name, arguments: input });
        const content = Array.isArray(result.content) ? result.content : [];
        const text = content
          .map((part: { type?: unknown; text?: unknown }) =>
            part.type === 'text' && typeof part.text === 'string' ? part.text : '',
          )
          .join('\n');
        return { ok: result.isError !== true, text: text === '' ? '(no output)' : text };
      } catch (error: unknown) {
        return { ok: false, text: `error: ${error instanceof Error ? error.message : String(error)}` };
      }
    },
    async close() {
      await client.close();
      await server.close();
    },
  };
}
