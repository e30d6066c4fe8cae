import * as z from "zod";

import { MouseStatsUnexpectedReplyError } from "./errors.ts";

/**
 * A counter as a real service may send it: a negative one reads as 0; a missing, null or
 * non-numeric one (or a fraction) is unknown (`null`, shown as such), never a failed provisioning.
 */
const count = z.unknown().optional().transform((v) => (typeof v === "number" && Number.isSafeInteger(v) ? Math.max(0, v) : null));

/**
 * GetAccount's JSON, as in the document's sample output, read leniently: the document gives one
 * sample, and a JSON object is what tells that the account exists. Unknown extra fields are ignored.
 */
const GET_ACCOUNT_REPLY_SCHEMA = z.object({
  Email: z.string().nullable().catch(null),
  PlanName: z.string().trim().min(1).nullable().catch(null),
  PlanDaysLeft: count,
  PlanUsedHeatmapProjects: count,
  PlanUsedPlaybackProjects: count,
  PlanUsedHeatmapVisits: count,
  PlanUsedPlaybackVisits: count,
});

/** What the reseller used of the plan, as the simulator keeps it. */
export interface MouseStatsUsage {
  heatmapProjects: number;
  playbackProjects: number;
  heatmapVisits: number;
  playbackVisits: number;
}

/** One MouseStats account, as GetAccount describes it; `null` where it did not say. */
export interface MouseStatsAccount {
  /** The user's email, without the `(partnerId)` suffix MouseStats appends. */
  email: string | null;
  planName: string | null;
  planDaysLeft: number | null;
  usage: { [K in keyof MouseStatsUsage]: number | null };
}

/** `test@example.com(partnername)` → `test@example.com`. */
const PARTNER_SUFFIX_PATTERN = /\([^()]*\)$/;

/** Removes the `(partnerId)` suffix MouseStats appends to `Email`. */
export function stripPartnerSuffix(email: string): string {
  return email.trim().replace(PARTNER_SUFFIX_PATTERN, "").trim();
}

/**
 * Parses GetAccount's JSON body (already known not to be `permission-denied`).
 * @throws MouseStatsUnexpectedReplyError when the body is not a JSON object.
 */
export function parseGetAccountReply(body: string, status: number): MouseStatsAccount {
  let json: unknown;
  try {
    json = JSON.parse(body.replace(/^\uFEFF/, ""));
  } catch {
    throw new MouseStatsUnexpectedReplyError({ operation: "GetAccount", status, reason: "invalid-json" });
  }
  const parsed = GET_ACCOUNT_REPLY_SCHEMA.safeParse(json);
  if (!parsed.success) {
    // Only the field paths: values could be personal data.
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join(".") || "(root)"))];
    throw new MouseStatsUnexpectedReplyError({
      operation: "GetAccount",
      status,
      reason: "invalid-fields",
      detail: `bad or missing: ${fields.join(", ")}`,
    });
  }
  const reply = parsed.data;
  return {
    email: reply.Email ? stripPartnerSuffix(reply.Email) : null,
    planName: reply.PlanName,
    planDaysLeft: reply.PlanDaysLeft,
    usage: {
      heatmapProjects: reply.PlanUsedHeatmapProjects,
      playbackProjects: reply.PlanUsedPlaybackProjects,
      heatmapVisits: reply.PlanUsedHeatmapVisits,
      playbackVisits: reply.PlanUsedPlaybackVisits,
    },
  };
}
