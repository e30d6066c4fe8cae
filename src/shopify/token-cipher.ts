import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { TokenDecryptionError } from "./errors.ts";

/** Encrypts access/refresh tokens for the database; plaintext exists only in memory. */
export interface TokenCipher {
  /** `v1:<iv b64>:<tag b64>:<ciphertext b64>`; a fresh random IV every call. */
  encrypt(plain: string): string;
  /** Throws `TokenDecryptionError` for a wrong key, an unknown format or altered bytes. */
  decrypt(stored: string): string;
}

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * AES-256-GCM with a 96-bit random IV (NIST SP 800-38D's recommended size; random IVs are safe
 * far beyond this app's number of writes) and the full 128-bit tag. The version prefix leaves
 * room for key rotation.
 */
export function createTokenCipher(key32: Buffer): TokenCipher {
  if (!Buffer.isBuffer(key32) || key32.length !== KEY_BYTES) {
    throw new RangeError(`createTokenCipher: the key must be ${KEY_BYTES} bytes`);
  }
  const key = Buffer.from(key32);
  return {
    encrypt(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
      const ciphertext = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, iv.toString("base64"), tag.toString("base64"), ciphertext.toString("base64")].join(":");
    },
    decrypt(stored) {
      const parts = typeof stored === "string" ? stored.split(":") : [];
      if (parts.length !== 4 || parts[0] !== VERSION) throw new TokenDecryptionError("unknown format");
      const [iv, tag, ciphertext] = parts.slice(1).map((p) => (BASE64.test(p) ? Buffer.from(p, "base64") : undefined));
      if (iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || ciphertext === undefined) {
        throw new TokenDecryptionError("unknown format");
      }
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
      } catch {
        // GCM only says "unable to authenticate": wrong key and tampering look the same.
        throw new TokenDecryptionError("authentication failed (wrong key or altered data)");
      }
    },
  };
}
