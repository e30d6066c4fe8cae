// @ts-check
// Loaded by app.js only when polaris.js did not load (offline sandbox, tests): gives the s-*
// elements the semantics the Polaris components would have (headings, buttons, alerts, links)
// and the text field a real label, input, details and error. With fallback.css, the same markup
// then reads and works like Polaris.
"use strict";
window.HeatmapsFallback = (function fallback() {
  /** @param {Element} scope @param {string} selector */
  const all = (scope, selector) => [...(scope.matches(selector) ? [scope] : []), ...scope.querySelectorAll(selector)];

  /** Without polaris.js: gives the custom elements the semantics (and inputs) the components would have. @param {Element} scope */
  function decorate(scope) {
    for (const el of all(scope, "s-section[heading], s-banner[heading]")) {
      if (el.firstElementChild?.classList.contains("fallback-heading")) continue;
      const heading = document.createElement(el.localName === "s-section" ? "h2" : "h3");
      heading.className = "fallback-heading";
      heading.textContent = el.getAttribute("heading");
      el.prepend(heading);
    }
    for (const el of all(scope, "s-heading")) Object.assign(el, { role: "heading", ariaLevel: "3" });
    for (const el of all(scope, "s-banner")) el.setAttribute("role", el.getAttribute("tone") === "critical" ? "alert" : "status");
    for (const el of all(scope, "s-button")) decorateButton(/** @type {HTMLElement} */ (el));
    for (const el of all(scope, "s-link")) {
      const a = document.createElement("a");
      for (const name of ["href", "target", "data-testid"]) if (el.hasAttribute(name)) a.setAttribute(name, el.getAttribute(name) ?? "");
      a.rel = "noopener noreferrer";
      a.append(...el.childNodes);
      el.replaceWith(a);
    }
    for (const el of all(scope, "s-text-field")) decorateField(/** @type {HTMLElement} */ (el));
  }

  /** A label, an input, the details and the error inside the element, kept in step with its attributes. @param {HTMLElement} el */
  function decorateField(el) {
    let input = el.querySelector("input");
    if (!input) {
      const label = document.createElement("label");
      input = document.createElement("input");
      input.id = `${el.id}-input`;
      label.htmlFor = input.id;
      label.textContent = el.getAttribute("label");
      Object.assign(input, { type: "text", name: el.getAttribute("name") ?? "", value: el.getAttribute("value") ?? "", placeholder: el.getAttribute("placeholder") ?? "", autocomplete: "off", spellcheck: false });
      input.dataset.testid = (el.dataset.testid ?? "").replace(/-field$/, "");
      const error = Object.assign(document.createElement("p"), { id: `${el.id}-error`, className: "field-error" });
      error.setAttribute("role", "alert");
      error.dataset.testid = "tracking-error";
      el.append(label, input, error);
    }
    const message = el.getAttribute("error");
    const error = /** @type {HTMLElement} */ (el.querySelector(".field-error"));
    error.textContent = message ?? "";
    error.hidden = !message;
    // The help under the field (`<id>-help`), then the error.
    input.setAttribute("aria-describedby", `${el.id}-help${message ? ` ${el.id}-error` : ""}`);
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }

  /** @param {HTMLElement} el */
  function decorateButton(el) {
    el.setAttribute("role", "button");
    el.tabIndex = el.hasAttribute("disabled") ? -1 : 0;
    el.setAttribute("aria-disabled", String(el.hasAttribute("disabled")));
  }

  return { decorate };
})();
