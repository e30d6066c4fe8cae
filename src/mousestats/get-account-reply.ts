import { z } from "zod";

import { MouseStatsUnexpectedReplyError } from "./errors.ts";

const count = z.number().int().nonnegative();

/** GetAccount's JSON, as in the document's sample output. Unknown extra fields are ignored. */
const GET_ACCOUNT_REPLY_SCHEMA = z.object({
  Email: z.string().min(1),
  PlanName: z.string(),
  PlanDaysLeft: count,
  PlanUsedHeatmapProjects: count,
  PlanUsedPlaybackProjects: count,
  PlanUsedHeatmapVisits: count,
  PlanUsedPlaybackVisits: count,
});

/** What the reseller used of the plan. */
export interface MouseStatsUsage {
  heatmapProjects: number;
  playbackProjects: number;
  heatmapVisits: number;
  playbackVisits: number;
}

/** One MouseStats account, as GetAccount describes it. */
export interface MouseStatsAccount {
  /** The user's email, without the `(partnerId)` suffix MouseStats appends. */
  email: string;
  planName: string;
  planDaysLeft: number;
  usage: MouseStatsUsage;
}

/** `test@example.com(partnername)` → `test@example.com`. */
const PARTNER_SUFFIX_PATTERN = /\([^()]*\)$/;

/** Removes the `(partnerId)` suffix MouseStats appends to `Email`. */
export function stripPartnerSuffix(email: string): string {
  return email.trim().replace(PARTNER_SUFFIX_PATTERN, "").trim();
}

/**
 * Parses GetAccount's JSON body (already known not to be `permission-denied`).
 * @throws MouseStatsUnexpectedReplyError when the body is not JSON or a field is missing
 *   or of the wrong type.
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
    email: stripPartnerSuffix(reply.Email),
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
