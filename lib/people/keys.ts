// The directory key of a sender, computed by the same code the OpenClaw plugin runs
// (connectors/openclaw/lib/requester.js), so a key stored here matches the key a gateway computes.
export { normalizeRequester, requesterKey, type Requester } from "../../connectors/openclaw/lib/requester.js";
