/**
 * The fleet's posture against the twelve practice domains of the seeds' security framework.
 * Plain JSON, shared by the page and GET /api/v1/posture.
 */

export const DOMAIN_IDS = ["network", "secrets", "scoping", "channels", "models", "inter_agent", "cost", "webhooks", "logging", "dependencies", "data_flows", "incident_response"] as const;
export type DomainId = (typeof DOMAIN_IDS)[number];

export type PostureStatus = "good" | "warn" | "bad" | "unknown";

export type PostureItem = {
  /** Stable id of the check within its domain. */
  id: string;
  /** What is checked, as a short sentence of the practice ("Gateways listen on loopback only"). */
  check: string;
  status: PostureStatus;
  /** What Warden found, with counts and a few names. */
  detail: string;
  /** The list page that shows the evidence. */
  evidenceHref: string;
  /** The concrete next step (for a good item: how to keep it that way). */
  nextStep: string;
};

export type PostureDomain = {
  id: DomainId;
  title: string;
  /** The practice in one line, from the seeds' checklist. */
  practice: string;
  /** 0–100: good checks count fully, warnings half, failures not at all; unknown checks are left out. */
  score: number;
  status: PostureStatus;
  items: PostureItem[];
};

export type FleetPosture = {
  generatedAt: string;
  /** The average of the domain scores, over the domains Warden knows anything about. */
  score: number;
  status: PostureStatus;
  counts: Record<PostureStatus, number>;
  domains: PostureDomain[];
};
