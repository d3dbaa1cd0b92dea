import "server-only";
import { action } from "@/lib/action";
import { ZGatewayPolicyExpiry, ZGatewayRegister, ZGatewayRotate } from "./schema";
import { registerGateway, rotateGatewaySecret, setGatewayPolicyExpiry } from "./service";

export const registerGatewayAction = action({ name: "gateway.register", scope: "gateways:manage", schema: ZGatewayRegister, run: registerGateway });
export const rotateGatewaySecretAction = action({ name: "gateway.rotate_secret", scope: "gateways:manage", schema: ZGatewayRotate, run: rotateGatewaySecret });
// A policy decision (how long a gateway may enforce without hearing from Warden): security leads and admins.
export const setGatewayPolicyExpiryAction = action({ name: "gateway.policy_expiry", scope: "tools:decide", schema: ZGatewayPolicyExpiry, run: setGatewayPolicyExpiry });
