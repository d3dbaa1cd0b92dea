"use server";
import { serverAction } from "@/lib/action";
import { registerGatewayAction, rotateGatewaySecretAction } from "@/lib/gateways/actions";

export const registerGateway = serverAction(registerGatewayAction, { revalidate: "/gateways" });
export const rotateGatewaySecret = serverAction(rotateGatewaySecretAction, { revalidate: "/gateways" });
