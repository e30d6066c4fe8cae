import { describe, expect, it } from "vitest";
import { parseShopDomain, shopHandle } from "./shop-domain.ts";

describe("parseShopDomain", () => {
  it.each([
    "my-shop.myshopify.com",
    "shop.myshopify.com",
    "a.myshopify.com",
    "0shop.myshopify.com",
    "shop-with-many-hyphens-1.myshopify.com",
  ])("accepts %s", (input) => {
    expect(parseShopDomain(input)).toBe(input);
  });

  it.each([
    ["upper case", "My-Shop.myshopify.com"],
    ["upper-case suffix", "shop.MyShopify.com"],
    ["leading whitespace", " shop.myshopify.com"],
    ["trailing whitespace", "shop.myshopify.com "],
    ["trailing newline", "shop.myshopify.com\n"],
    ["a port", "shop.myshopify.com:443"],
    ["a path", "shop.myshopify.com/admin"],
    ["a trailing slash", "shop.myshopify.com/"],
    ["a scheme", "https://shop.myshopify.com"],
    ["a trailing dot", "shop.myshopify.com."],
    ["a longer host after it", "x.myshopify.com.evil.com"],
    ["a subdomain", "a.b.myshopify.com"],
    ["another domain", "evil.com"],
    ["the bare suffix", "myshopify.com"],
    ["an empty label", ".myshopify.com"],
    ["a leading hyphen", "-shop.myshopify.com"],
    ["an underscore", "my_shop.myshopify.com"],
    ["a query", "shop.myshopify.com?x=1"],
    ["user info", "user@shop.myshopify.com"],
    ["unicode", "shöp.myshopify.com"],
    ["the admin host", "admin.shopify.com"],
    ["empty", ""],
    ["over 255 characters", `${"a".repeat(242)}.myshopify.com`],
  ])("rejects %s", (_label, input) => {
    expect(parseShopDomain(input)).toBeNull();
  });

  it("accepts exactly 255 characters", () => {
    const input = `${"a".repeat(241)}.myshopify.com`;
    expect(input).toHaveLength(255);
    expect(parseShopDomain(input)).toBe(input);
  });

  it.each([[undefined], [null], [42], [{}], [["shop.myshopify.com"]]])("rejects the non-string %j", (input) => {
    expect(parseShopDomain(input)).toBeNull();
  });
});

describe("shopHandle", () => {
  it.each([
    ["my-shop.myshopify.com", "my-shop"],
    ["a.myshopify.com", "a"],
  ])("gives the handle of %s", (shop, handle) => {
    expect(shopHandle(shop)).toBe(handle);
  });

  it("throws for an invalid domain", () => {
    expect(() => shopHandle("evil.com")).toThrow(TypeError);
  });
});
