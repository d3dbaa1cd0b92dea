// A tiny local stdio MCP server for the fleet end-to-end spec (official SDK): one tool, "lookup".
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const server = new McpServer({ name: "fleet-mcp", version: "0.4.2" });
server.registerTool("lookup", { description: "Look up a fleet fact by key.", inputSchema: { key: z.string() } }, async ({ key }) => ({
  content: [{ type: "text", text: `fact for ${key}: 42` }],
}));
await server.connect(new StdioServerTransport());
