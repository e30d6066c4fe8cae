import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createWebhookSigner, hmacSha256 } from "./webhook-hmac.ts";

describe("hmacSha256", () => {
  it("equals node's createHmac for any key (shorter, equal to and longer than a block) and any body", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200, size: "max" }), fc.uint8Array({ maxLength: 3000, size: "max" }), (key, body) => {
      const expected = createHmac("sha256", Buffer.from(key)).update(body).digest();
      expect(hmacSha256(Buffer.from(key))(body).equals(expected)).toBe(true);
    }), { numRuns: 300 });
  });

  it("signs strings as their UTF-8 bytes, with the RFC 4231 test vector", () => {
    // RFC 4231, test case 2.
    expect(hmacSha256(Buffer.from("Jefe"))("what do ya want for nothing?").toString("hex"))
      .toBe("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    // RFC 4231, test case 6: a 131-byte key, hashed first.
    expect(hmacSha256(Buffer.alloc(131, 0xaa))("Test Using Larger Than Block-Size Key - Hash Key First").toString("hex"))
      .toBe("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    expect(hmacSha256(Buffer.from("k"))("é").equals(hmacSha256(Buffer.from("k"))(Buffer.from("é", "utf8")))).toBe(true);
  });
});

describe("webhook signer", () => {
  const signer = createWebhookSigner("shpss_app-secret");
  const body = JSON.stringify({ id: 1, note: "ünïcode" });

  it("verifies what Shopify signs: base64 HMAC-SHA256 of the raw body with the app secret", () => {
    const shopifyHeader = createHmac("sha256", "shpss_app-secret").update(body, "utf8").digest("base64");
    expect(signer.sign(body)).toBe(shopifyHeader);
    expect(signer.verify(Buffer.from(body), shopifyHeader)).toBe(true);
    expect(signer.verify(Buffer.from(body), ` ${shopifyHeader} `)).toBe(true);
  });

  it("refuses another body, another secret, other encodings and no header", () => {
    const header = signer.sign(body);
    expect(signer.verify(Buffer.from(`${body} `), header)).toBe(false);
    expect(createWebhookSigner("other").verify(Buffer.from(body), header)).toBe(false);
    expect(signer.verify(Buffer.from(body), Buffer.from(header, "base64").toString("hex"))).toBe(false);
    expect(signer.verify(Buffer.from(body), Buffer.from(header, "base64").toString("base64url"))).toBe(false);
    expect(signer.verify(Buffer.from(body), header.slice(0, -1))).toBe(false);
    expect(signer.verify(Buffer.from(body), undefined)).toBe(false);
    expect(signer.verify(Buffer.from(body), "")).toBe(false);
  });
});
