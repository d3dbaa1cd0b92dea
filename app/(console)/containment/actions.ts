"use server";
import { serverAction } from "@/lib/action";
import { blastRadiusAction, containConfirmedAction, releaseContainmentAction } from "@/lib/containment/actions";

export const previewBlastRadius = serverAction(blastRadiusAction);
export const containNow = serverAction(containConfirmedAction, { revalidate: "/containment" });
export const releaseContainmentNow = serverAction(releaseContainmentAction, { revalidate: "/containment" });
