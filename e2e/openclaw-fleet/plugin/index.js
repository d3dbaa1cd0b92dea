// A second plugin beside Warden's (fleet end-to-end spec): one tool, no side effects.
const plugin = {
  id: "fleet-echo",
  name: "Fleet echo",
  description: "Echoes its input.",
  register(api) {
    api.registerTool({
      name: "fleet_echo",
      description: "Echo a short text back.",
      parameters: { type: "object", properties: { text: { type: "string" } }, required: ["text"], additionalProperties: false },
      async execute(_id, params) {
        return { content: [{ type: "text", text: `echo: ${String(params?.text ?? "")}` }], details: { text: String(params?.text ?? "") } };
      },
    });
  },
};

export default plugin;
