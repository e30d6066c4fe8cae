import { createHash, timingSafeEqual } from "node:crypto";

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * True when `_partnerId` and `_partnerSecret` match. The secret is compared in constant time,
 * as the real service should, so the simulator models no timing side channel.
 */
export function isValidPartner(
  partnerId: string | undefined,
  partnerSecret: string | undefined,
  expected: { partnerId: string; partnerSecret: string },
): boolean {
  if (partnerId === undefined || partnerSecret === undefined) return false;
  const isSecretEqual = timingSafeEqual(digest(partnerSecret), digest(expected.partnerSecret));
  return isSecretEqual && partnerId === expected.partnerId;
}
