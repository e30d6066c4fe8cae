import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exactId, parseExactJson } from "./exact-json.ts";

describe("parseExactJson", () => {
  it("keeps every 64-bit id exactly, wherever it sits (property)", () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (a, b) => {
      const parsed = parseExactJson(`{"id":${a},"customer":{"id":${b}},"orders":[${a},${b}]}`) as { id: unknown; customer: { id: unknown }; orders: unknown[] };
      for (const [value, expected] of [[parsed.id, a], [parsed.customer.id, b], [parsed.orders[0], a], [parsed.orders[1], b]] as const) {
        expect(exactId.parse(value)).toBe(String(expected));
      }
    }));
  });

  it("leaves everything else as JSON.parse gives it", () => {
    const text = '{"price":"9.99","n":1.5,"big":1e21,"neg":-9007199254740993,"ok":42,"s":"9007199254740993","t":true,"z":null}';
    expect(parseExactJson(text)).toEqual({ price: "9.99", n: 1.5, big: 1e21, neg: "-9007199254740993", ok: 42, s: "9007199254740993", t: true, z: null });
  });

  it("shows why: JSON.parse rounds Shopify's example order id", () => {
    expect(String((JSON.parse('{"id":820982911946154508}') as { id: number }).id)).toBe("820982911946154500");
    expect((parseExactJson('{"id":820982911946154508}') as { id: string }).id).toBe("820982911946154508");
  });

  it("exactId refuses what is not an id", () => {
    for (const bad of [1.5, -1, "12a", "", "1".repeat(21), null, {}]) expect(exactId.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });
});
