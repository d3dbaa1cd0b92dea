"use server";
import { serverAction } from "@/lib/action";
import { registerGatewayAction, rotateGatewaySecretAction, setGatewayPolicyExpiryAction } from "@/lib/gateways/actions";

export const registerGateway = serverAction(registerGatewayAction, { revalidate: "/gateways" });
export const rotateGatewaySecret = serverAction(rotateGatewaySecretAction, { revalidate: "/gateways" });
export const setGatewayPolicyExpiry = serverAction(setGatewayPolicyExpiryAction, { revalidate: "/gateways" });
