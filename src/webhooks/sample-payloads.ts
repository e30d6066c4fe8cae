/** Realistic sample bodies per topic, in Shopify's shapes (reference/shopify.md §3–4), for `npm run trigger` and tests. */
export interface SampleOptions {
  shop: string;
  email?: string;
  sku?: string;
  status?: string;
  /** ISO time for `updated_at`. @default now */
  at?: string;
  id?: number;
}

const numericId = () => Math.floor(Math.random() * 9e11) + 1e11;

export function samplePayload(topic: string, o: SampleOptions): Record<string, unknown> {
  const at = o.at ?? new Date().toISOString();
  const id = o.id ?? numericId();
  const handle = o.shop.replace(/\.myshopify\.com$/, "");
  const shopGid = "gid://shopify/Shop/548380009";
  switch (topic) {
    case "app_subscriptions/update":
      return { app_subscription: {
        admin_graphql_api_id: `gid://shopify/AppSubscription/${id}`, name: "MouseStats Heatmaps", status: o.status ?? "ACTIVE",
        admin_graphql_api_shop_id: shopGid, created_at: at, updated_at: at, currency: "USD", capped_amount: null,
        price: "9.99", interval: "every_30_days", plan_handle: null,
      } };
    case "app_purchases_one_time/update":
      return { app_purchase_one_time: {
        admin_graphql_api_id: `gid://shopify/AppPurchaseOneTime/${id}`, name: "MouseStats Heatmaps", status: o.status ?? "ACTIVE",
        admin_graphql_api_shop_id: shopGid, created_at: at, updated_at: at,
      } };
    case "orders/paid": {
      const email = o.email ?? `buyer-${id}@example.com`;
      return {
        id, admin_graphql_api_id: `gid://shopify/Order/${id}`, name: `#${1000 + (id % 9000)}`, order_number: 1000 + (id % 9000),
        email, contact_email: email, created_at: at, processed_at: at, currency: "USD", total_price: "9.99",
        financial_status: o.status ?? "paid", fulfillment_status: null, test: true,
        customer: { id: id + 1, email, first_name: "Sample", last_name: "Buyer", admin_graphql_api_id: `gid://shopify/Customer/${id + 1}` },
        line_items: [{ id: id + 2, admin_graphql_api_id: `gid://shopify/LineItem/${id + 2}`, sku: o.sku ?? "MOUSESTATS-HEATMAPS",
          title: "MouseStats Heatmaps add-on", name: "MouseStats Heatmaps add-on", quantity: 1, price: "9.99", product_id: null, variant_id: null }],
      };
    }
    case "app/uninstalled":
      return { id, name: handle, email: o.email ?? `${handle}@example.com`, domain: o.shop, myshopify_domain: o.shop, plan_name: "basic" };
    case "app/scopes_update":
      return { id, shop_id: shopGid, previous: [], current: ["read_orders"], updated_at: at };
    case "customers/data_request":
      return { shop_id: id, shop_domain: o.shop, orders_requested: [id + 10], customer: { id: id + 1, email: o.email ?? "customer@example.com", phone: null }, data_request: { id: id + 2 } };
    case "customers/redact":
      return { shop_id: id, shop_domain: o.shop, customer: { id: id + 1, email: o.email ?? "customer@example.com", phone: null }, orders_to_redact: [id + 10] };
    case "shop/redact":
      return { shop_id: id, shop_domain: o.shop };
    default:
      return { id };
  }
}
