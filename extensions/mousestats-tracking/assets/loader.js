/* MouseStats loader (theme app embed). Loads https://ssl.mousestats.com/js/{d1}/{d2}/{id}.js once, after analytics consent. */
(function (w, d) {
  var tag = d.currentScript || d.querySelector("script[data-mousestats-site]"),
    id = tag && tag.getAttribute("data-mousestats-site"),
    shopify = w.Shopify;
  if (!/^[1-9][0-9]{3,19}$/.test(id) || !shopify || !shopify.loadFeatures) return;

  function load() {
    if (d.getElementById("__mstrkscpt")) return;
    var s = d.createElement("script");
    s.id = "__mstrkscpt";
    s.async = true;
    s.src = "https://ssl.mousestats.com/js/" + id[0] + "/" + id[1] + "/" + id + ".js?" + Math.floor(Date.now() / 6e5);
    w.MouseStats_Commands = w.MouseStats_Commands || [];
    d.head.appendChild(s);
  }

  d.addEventListener("visitorConsentCollected", function (e) {
    if (e.detail && e.detail.analyticsAllowed) load();
  });
  shopify.loadFeatures([{ name: "consent-tracking-api", version: "0.1" }], function (error) {
    var privacy = shopify.customerPrivacy;
    if (!error && privacy && privacy.analyticsProcessingAllowed()) load();
  });
})(window, document);
