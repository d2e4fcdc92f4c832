/* Loket: knowledge-base articles under the ticket form's subject, while the customer types.
   From the third character and a short pause, the form asks /api/suggest and lists the
   best articles as links that open in a new tab, so the form keeps what was typed.
   Arrow keys move between the subject and the links; Tab reaches them too; a live
   region tells screen-reader users how many articles were found. */
(function () {
  "use strict";

  var MIN_CHARS = 3;
  var DELAY_MS = 180;  // A pause in typing, well under the half second readers notice.

  var TEXT = {
    en: { title: "Articles that may answer your question", newTab: "(opens in a new tab)",
          count: function (n) {
            return n === 1 ? "1 article may answer your question"
              : n + " articles may answer your question"; } },
    nl: { title: "Artikelen die uw vraag misschien beantwoorden",
          newTab: "(opent in een nieuw tabblad)",
          count: function (n) {
            return n === 1 ? "1 artikel kan uw vraag beantwoorden"
              : n + " artikelen kunnen uw vraag beantwoorden"; } }
  };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  /* The site's root, from MkDocs Material's page config, so links work under a sub-path. */
  function siteRoot() {
    var config = document.getElementById("__config");
    var base = ".";
    try { base = JSON.parse(config.textContent).base || "."; } catch (e) { /* no config */ }
    return new URL(base.replace(/\/?$/, "/"), document.baseURI);
  }

  /* The server escapes the snippet and adds only <mark>; we still copy nothing but text
     and <mark> elements, never the HTML itself. */
  function snippetNodes(html) {
    var doc = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    var out = document.createDocumentFragment();
    doc.body.firstChild.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") out.appendChild(el("mark", {}, [node.textContent]));
      else out.appendChild(document.createTextNode(node.textContent));
    });
    return out;
  }

  function enhance(form) {
    var input = form.querySelector("#loket-subject");
    if (!input) return;
    var t = TEXT[form.dataset.lang] || TEXT.en;
    var api = form.dataset.suggestApi || form.dataset.api.replace(/tickets\/?$/, "suggest");
    var product = form.querySelector("#loket-product");
    var root = siteRoot();
    var list = el("ul", { "class": "loket-suggest-list", id: "loket-suggest-list",
                          "aria-labelledby": "loket-suggest-title" });
    var box = el("div", { "class": "loket-suggest", hidden: "" }, [
      el("p", { "class": "loket-suggest-title", id: "loket-suggest-title" }, [t.title]), list]);
    var status = el("p", { "class": "loket-visually-hidden", role: "status",
                           "aria-live": "polite" });
    input.closest(".loket-field").append(box, status);
    input.setAttribute("autocomplete", "off");  // The browser's own list would cover ours.
    input.setAttribute("aria-controls", "loket-suggest-list");

    var timer = null, latest = 0, shown = "", cache = new Map(), controller = null;

    function params() {
      var p = new URLSearchParams({ q: input.value.trim(), lang: form.dataset.lang || "en" });
      if (product && product.value) p.set("product", product.value);
      return p.toString();
    }

    function show(query, suggestions) {
      if (query === shown) return;
      shown = query;
      list.replaceChildren.apply(list, suggestions.map(function (s) {
        var link = el("a", { href: new URL(s.url.replace(/^\//, ""), root).href,
                             target: "_blank", rel: "noopener" }, [
          el("span", { "class": "loket-suggest-name" }, [s.title]),
          el("span", { "class": "loket-visually-hidden" }, [" " + t.newTab])]);
        var text = el("span", { "class": "loket-suggest-snippet" });
        text.appendChild(snippetNodes(s.snippet));
        link.appendChild(text);
        return el("li", {}, [link]);
      }));
      box.hidden = suggestions.length === 0;
      status.textContent = suggestions.length ? t.count(suggestions.length) : "";
    }

    function hide() {
      shown = "";
      box.hidden = true;
      list.replaceChildren();
      status.textContent = "";
    }

    function fetchSuggestions() {
      var query = params();
      if (cache.has(query)) { show(query, cache.get(query)); return; }
      var ticket = ++latest;
      if (controller) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      fetch(api + "?" + query, { headers: { "Accept": "application/json" },
                                 signal: controller ? controller.signal : undefined })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (body) {
          var found = body ? body.suggestions : [];
          cache.set(query, found);
          // An answer to an older query must not replace the newest one.
          if (ticket === latest && input.value.trim().length >= MIN_CHARS) show(query, found);
        })
        .catch(function () { /* Offline or aborted: the form works without suggestions. */ });
    }

    function schedule() {
      clearTimeout(timer);
      if (input.value.trim().length < MIN_CHARS) { latest++; hide(); return; }
      timer = setTimeout(fetchSuggestions, DELAY_MS);
    }

    function links() { return Array.prototype.slice.call(list.querySelectorAll("a")); }

    input.addEventListener("input", schedule);
    if (product) product.addEventListener("change", schedule);
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && !box.hidden && links().length) {
        event.preventDefault();
        links()[0].focus();
      } else if (event.key === "Escape" && !box.hidden) {
        hide();
      }
    });
    list.addEventListener("keydown", function (event) {
      var all = links(), index = all.indexOf(document.activeElement);
      if (index < 0) return;
      if (event.key === "ArrowDown" && index < all.length - 1) all[index + 1].focus();
      else if (event.key === "ArrowUp") (index ? all[index - 1] : input).focus();
      else if (event.key === "Escape") { input.focus(); hide(); }
      else return;
      event.preventDefault();
    });
  }

  function init() {
    document.querySelectorAll("form.loket-form:not([data-suggest])").forEach(function (f) {
      f.dataset.suggest = "1"; enhance(f);
    });
  }

  // MkDocs Material's instant navigation swaps pages without a reload.
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(init);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
