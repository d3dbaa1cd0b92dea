import "server-only";
import { action } from "@/lib/action";
import { ZGatewayRegister, ZGatewayRotate } from "./schema";
import { registerGateway, rotateGatewaySecret } from "./service";

export const registerGatewayAction = action({ name: "gateway.register", scope: "gateways:manage", schema: ZGatewayRegister, run: registerGateway });
export const rotateGatewaySecretAction = action({ name: "gateway.rotate_secret", scope: "gateways:manage", schema: ZGatewayRotate, run: rotateGatewaySecret });
