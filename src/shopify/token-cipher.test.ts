import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { TokenDecryptionError } from "./errors.ts";
import { createTokenCipher } from "./token-cipher.ts";

const key = randomBytes(32);
const TOKEN = "shpat_0123456789abcdef0123456789abcdef";

function swapChar(text: string, index: number): string {
  const c = text[index] === "A" ? "B" : "A";
  return text.slice(0, index) + c + text.slice(index + 1);
}

describe("createTokenCipher", () => {
  it("round-trips a token", () => {
    const cipher = createTokenCipher(key);
    expect(cipher.decrypt(cipher.encrypt(TOKEN))).toBe(TOKEN);
  });

  it("round-trips empty and non-ASCII text", () => {
    const cipher = createTokenCipher(key);
    for (const plain of ["", "ünïcödé ✓", "x".repeat(5000)]) expect(cipher.decrypt(cipher.encrypt(plain))).toBe(plain);
  });

  it("writes v1:<iv>:<tag>:<ciphertext> with a 12-byte IV and a 16-byte tag", () => {
    const stored = createTokenCipher(key).encrypt(TOKEN);
    const [version, iv, tag, ct] = stored.split(":");
    expect(version).toBe("v1");
    expect(Buffer.from(iv ?? "", "base64")).toHaveLength(12);
    expect(Buffer.from(tag ?? "", "base64")).toHaveLength(16);
    expect(Buffer.from(ct ?? "", "base64")).toHaveLength(Buffer.byteLength(TOKEN));
    expect(stored).not.toContain(TOKEN);
  });

  it("uses a fresh IV for every encryption", () => {
    const cipher = createTokenCipher(key);
    const a = cipher.encrypt(TOKEN);
    const b = cipher.encrypt(TOKEN);
    expect(a).not.toBe(b);
    expect(a.split(":")[1]).not.toBe(b.split(":")[1]);
  });

  it.each([
    ["the IV", 1],
    ["the tag", 2],
    ["the ciphertext", 3],
  ])("throws TokenDecryptionError when %s is altered", (_label, part) => {
    const cipher = createTokenCipher(key);
    const parts = cipher.encrypt(TOKEN).split(":");
    parts[part] = swapChar(parts[part] ?? "", 0);
    expect(() => cipher.decrypt(parts.join(":"))).toThrow(TokenDecryptionError);
  });

  it("throws TokenDecryptionError with another key, without quoting the data", () => {
    const stored = createTokenCipher(key).encrypt(TOKEN);
    const other = createTokenCipher(randomBytes(32));
    expect(() => other.decrypt(stored)).toThrow(TokenDecryptionError);
    try {
      other.decrypt(stored);
    } catch (err) {
      expect(String((err as Error).message)).not.toContain(stored.split(":")[3]);
    }
  });

  it.each([
    ["empty", ""],
    ["plaintext", TOKEN],
    ["another version", "v2:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA==:AAAA"],
    ["too few parts", "v1:AAAAAAAAAAAAAAAA:AAAA"],
    ["too many parts", "v1:a:b:c:d"],
    ["a short IV", "v1:AAAA:AAAAAAAAAAAAAAAAAAAAAA==:AAAA"],
    ["a short tag", "v1:AAAAAAAAAAAAAAAA:AAAA:AAAA"],
    ["non-base64", "v1:????????????????:AAAAAAAAAAAAAAAAAAAAAA==:AAAA"],
  ])("throws TokenDecryptionError for %s", (_label, stored) => {
    expect(() => createTokenCipher(key).decrypt(stored)).toThrow(TokenDecryptionError);
  });

  it.each([[16], [31], [33], [64]])("refuses a %i-byte key", (length) => {
    expect(() => createTokenCipher(randomBytes(length))).toThrow(RangeError);
  });

  it("keeps its own copy of the key", () => {
    const mutable = Buffer.from(key);
    const cipher = createTokenCipher(mutable);
    const stored = cipher.encrypt(TOKEN);
    mutable.fill(0);
    expect(cipher.decrypt(stored)).toBe(TOKEN);
  });
});
