import { randomInt } from "node:crypto";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/**
 * A password for CreateAccount: 32 alphanumeric characters (~190 bits) from the CSPRNG. Never
 * stored or logged: merchants sign in with login tokens, never with it.
 */
export function randomPassword(length = 32): string {
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}
