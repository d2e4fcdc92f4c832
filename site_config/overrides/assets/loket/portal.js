/* Loket portal pages: the ticket form and the status look-up, enhanced in place.
   Without JavaScript both forms post to the server, which answers with a page. */
(function () {
  "use strict";

  var TEXT = {
    en: { sending: "Sending…", submit: "Submit ticket", received: "Ticket received",
          receiptText: "We received your ticket. A receipt is on its way to your e-mail.",
          number: "Ticket number", status: "Status", subject: "Subject", follow: "Follow your ticket",
          conversation: "Conversation", customer: "You", agent: "Support", system: "Loket",
          offline: "We could not reach the server. Your ticket was not sent; try again.",
          notFound: "There is no ticket with this number and access code." },
    nl: { sending: "Bezig met versturen…", submit: "Melding versturen", received: "Melding ontvangen",
          receiptText: "Wij hebben uw melding ontvangen. U krijgt een bevestiging per e-mail.",
          number: "Meldingsnummer", status: "Status", subject: "Onderwerp", follow: "Volg uw melding",
          conversation: "Gesprek", customer: "U", agent: "Support", system: "Loket",
          offline: "De server is niet bereikbaar. Uw melding is niet verstuurd; probeer het opnieuw.",
          notFound: "Er is geen melding met dit nummer en deze toegangscode." }
  };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function facts(pairs) {
    var dl = el("dl", { "class": "loket-facts" });
    pairs.forEach(function (p) {
      dl.appendChild(el("dt", {}, [p[0]]));
      dl.appendChild(el("dd", { "class": p[2] || "" }, [String(p[1])]));
    });
    return dl;
  }

  function newKey() {
    return (window.crypto && crypto.randomUUID) ? crypto.randomUUID()
      : String(Date.now()) + Math.random().toString(16).slice(2);
  }

  /* ---- the ticket form ---------------------------------------------------- */

  function clearErrors(form) {
    form.querySelectorAll(".loket-field").forEach(function (f) {
      f.classList.remove("loket-field--invalid");
      var input = f.querySelector("input, select, textarea");
      if (input) input.removeAttribute("aria-invalid");
      var err = f.querySelector(".loket-error");
      if (err) { err.textContent = ""; err.hidden = true; }
    });
    form.querySelector(".loket-form-errors").hidden = true;
  }

  function showErrors(form, problem) {
    var first = null;
    (problem.errors || []).forEach(function (e) {
      var field = form.querySelector('.loket-field[data-field="' + CSS.escape(e.field) + '"]');
      if (!field) return;
      field.classList.add("loket-field--invalid");
      var input = field.querySelector("input, select, textarea");
      input.setAttribute("aria-invalid", "true");
      var err = field.querySelector(".loket-error");
      err.textContent = e.detail; err.hidden = false;
      first = first || input;
    });
    var summary = form.querySelector(".loket-form-errors");
    if (!first) summary.textContent = problem.detail || problem.title;
    summary.hidden = false;
    (first || summary).focus();
  }

  function showReceipt(form, data, t) {
    var box = form.nextElementSibling;
    box.replaceChildren(
      el("h2", {}, [t.received]), el("p", {}, [t.receiptText]),
      facts([[t.number, data.number, "loket-number"], [t.status, data.status.label, "loket-status"],
             [t.subject, data.subject]]),
      el("p", {}, [el("a", { "class": "md-button md-button--primary loket-follow",
                             href: data.lookup_url }, [t.follow])]));
    form.hidden = true;
    box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
  }

  function payload(form) {
    var data = {};
    new FormData(form).forEach(function (value, name) {
      if (name !== "idempotency_key" && value !== "") data[name] = value;
    });
    return data;
  }

  function enhanceTicketForm(form) {
    var t = TEXT[form.dataset.lang] || TEXT.en;
    var key = newKey();
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!form.reportValidity()) return;
      var button = form.querySelector(".loket-submit");
      button.disabled = true; button.textContent = t.sending;
      clearErrors(form);
      fetch(form.dataset.api, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/json",
                   "Idempotency-Key": key },
        body: JSON.stringify(payload(form))
      }).then(function (response) {
        return response.json().then(function (body) { return [response, body]; });
      }).then(function (result) {
        if (result[0].ok) { showReceipt(form, result[1], t); key = newKey(); }
        else showErrors(form, result[1]);
      }).catch(function () {
        showErrors(form, { detail: t.offline });
      }).finally(function () {
        button.disabled = false; button.textContent = t.submit;
      });
    });
  }

  /* ---- the status look-up ------------------------------------------------- */

  function renderTicket(box, ticket, t) {
    var list = el("ol", { "class": "loket-messages" });
    ticket.messages.forEach(function (m) {
      list.appendChild(el("li", { "class": "loket-message loket-message--" + m.role }, [
        el("p", { "class": "loket-message-meta" }, [el("strong", {}, [t[m.role] || m.role]), " ",
          el("time", { datetime: m.created_at }, [new Date(m.created_at).toLocaleString()])]),
        el("div", { "class": "loket-message-body" }, [m.body])]));
    });
    box.replaceChildren(el("article", { "class": "loket-ticket-view" }, [
      el("h2", {}, ["#" + ticket.number + " " + ticket.subject]),
      facts([[t.status, ticket.status.label, "loket-status"], [t.number, ticket.number]]),
      el("h3", {}, [t.conversation]), list]));
  }

  function lookUp(form, number, token) {
    var t = TEXT[form.dataset.lang] || TEXT.en;
    var box = form.nextElementSibling;
    var url = form.dataset.api + "/" + encodeURIComponent(number) +
      "?token=" + encodeURIComponent(token) + "&lang=" + encodeURIComponent(form.dataset.lang);
    return fetch(url, { headers: { "Accept": "application/json" } }).then(function (response) {
      return response.json().then(function (body) {
        if (response.ok) renderTicket(box, body, t);
        else box.replaceChildren(el("p", { "class": "loket-error", role: "alert" }, [t.notFound]));
      });
    }).catch(function () {
      box.replaceChildren(el("p", { "class": "loket-error", role: "alert" }, [t.offline]));
    });
  }

  function enhanceLookup(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!form.reportValidity()) return;
      lookUp(form, form.number.value.replace(/^#/, "").trim(), form.token.value.trim());
    });
    var params = new URLSearchParams(location.search);
    if (params.get("ticket") && params.get("token")) {
      form.number.value = params.get("ticket");
      form.token.value = params.get("token");
      lookUp(form, params.get("ticket"), params.get("token"));
    }
  }

  function init() {
    document.querySelectorAll("form.loket-form:not([data-enhanced])").forEach(function (f) {
      f.dataset.enhanced = "1"; enhanceTicketForm(f);
    });
    document.querySelectorAll("form.loket-lookup:not([data-enhanced])").forEach(function (f) {
      f.dataset.enhanced = "1"; enhanceLookup(f);
    });
  }

  // MkDocs Material's instant navigation swaps pages without a reload.
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(init);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
