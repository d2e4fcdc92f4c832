/* Loket portal pages: the ticket form and the status look-up, enhanced in place.
   Without JavaScript both forms post to the server, which answers with a page. */
(function () {
  "use strict";

  /* English, as written in the code; a form carries its page's language in data-text
     (rendered from the message catalogs: functions/loket/web/i18n.py SCRIPT_TEXT). */
  var ENGLISH = {
    sending: "Sending…", submit: "Submit ticket", received: "Ticket received",
    receiptText: "We received your ticket. A receipt is on its way to your e-mail.",
    number: "Ticket number", status: "Status", subject: "Subject", follow: "Follow your ticket",
    offline: "We could not reach the server. Your ticket was not sent; try again.",
    notFound: "There is no ticket with this number and access code.",
    remove: "Remove", uploading: "Uploading…", uploaded: "Ready",
    uploadFailed: "Not uploaded", tooMany: "At most {n} files per message.",
    tooLarge: "Larger than {size}.", waitForFiles: "Wait until every file is uploaded, or remove it." };

  function textOf(form) {
    try { return Object.assign({}, ENGLISH, JSON.parse(form.dataset.text || "{}")); }
    catch (e) { return ENGLISH; }
  }

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

  /* As the server writes it (web/formats.py): 1.5 MB, or 1,5 MB on a Dutch page. */
  function fileSize(bytes) {
    var lang = document.documentElement.lang || "en";
    if (bytes >= 1048576) return (bytes / 1048576).toLocaleString(lang, {
      minimumFractionDigits: 1, maximumFractionDigits: 1, useGrouping: false }) + " MB";
    if (bytes >= 1024) return Math.round(bytes / 1024) + " kB";
    return bytes + " bytes";
  }

  /* ---- files: uploaded ahead, each with progress and a remove button ------- */
  /* POST /api/uploads announces a file; the answer says where to post it (S3 with a
     presigned POST on AWS, the app itself locally): its fields first, the file last. */

  function fieldError(input, text) {
    var field = input.closest(".loket-field");
    var err = field.querySelector(".loket-error");
    if (!err) return;
    err.textContent = text; err.hidden = !text;
    field.classList.toggle("loket-field--invalid", !!text);
  }

  /* ---- the signed-in customer (accounts) --------------------------------- */
  /* GET /api/session says who is signed in. With a session, every change sends its
     CSRF token as X-CSRF-Token, and the ticket form fills in the account's address
     and lists only its products. */

  var sessionPromise = null;
  function session() {
    if (!sessionPromise) {
      sessionPromise = fetch("/api/session", { headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { signed_in: false }; })
        .catch(function () { return { signed_in: false }; });
    }
    return sessionPromise;
  }

  function withSession(headers) {
    return session().then(function (who) {
      if (who.signed_in) headers["X-CSRF-Token"] = who.csrf_token;
      return headers;
    });
  }

  function knowCustomer(form) {
    session().then(function (who) {
      if (!who.signed_in) return;
      var email = form.querySelector("input[name=email]");
      if (email) { email.value = who.email; email.readOnly = true; }
      var product = form.querySelector("select[name=product]");
      if (product) {
        var allowed = who.products.map(function (p) { return p.id; });
        Array.prototype.slice.call(product.options).forEach(function (option) {
          if (option.value && allowed.indexOf(option.value) < 0) option.remove();
        });
        if (allowed.length === 1) product.value = allowed[0];
      }
    });
  }

  function postJSON(url, body) {
    return withSession({ "Content-Type": "application/json", "Accept": "application/json" })
      .then(function (headers) {
        return fetch(url, { method: "POST", body: JSON.stringify(body), headers: headers });
      })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) throw new Error((data.errors || []).map(function (e) { return e.detail; }).join(" ") || data.detail);
          return data;
        });
      });
  }

  function sendFile(form, file, item) {
    return new Promise(function (resolve, reject) {
      var body = new FormData();
      Object.keys(form.fields).forEach(function (k) { body.append(k, form.fields[k]); });
      body.append("file", file);
      var xhr = new XMLHttpRequest();
      item.xhr = xhr;
      xhr.open("POST", form.url);
      xhr.upload.onprogress = function (event) {
        if (event.lengthComputable) item.querySelector("progress").value = event.loaded / event.total * 100;
      };
      xhr.onload = function () { (xhr.status < 300 ? resolve : reject)(new Error(xhr.statusText)); };
      xhr.onerror = xhr.onabort = function () { reject(new Error("")); };
      xhr.send(body);
    });
  }

  function addFile(input, list, file, t) {
    var status = el("span", { "class": "loket-file-status" }, [t.uploading]);
    var remove = el("button", { type: "button", "class": "loket-file-remove" }, [t.remove]);
    var item = el("li", { "class": "loket-file loket-file--uploading" }, [
      el("span", { "class": "loket-file-name" }, [file.name]), " ",
      el("span", { "class": "loket-file-size" }, [fileSize(file.size)]), " ",
      el("progress", { max: "100", value: "0" }), " ", status, " ", remove]);
    remove.setAttribute("aria-label", t.remove + " " + file.name);
    remove.addEventListener("click", function () {
      if (item.xhr) item.xhr.abort();
      item.remove();
      fieldError(input, "");
      input.focus();
    });
    list.appendChild(item);
    function failed(text) {
      item.className = "loket-file loket-file--failed";
      status.textContent = t.uploadFailed + (text ? ": " + text : "");
    }
    if (file.size > Number(input.dataset.maxFileBytes)) {
      failed(t.tooLarge.replace("{size}", fileSize(Number(input.dataset.maxFileBytes))));
      return;
    }
    postJSON(input.dataset.upload, { name: file.name, size: file.size, type: file.type })
      .then(function (form) {
        return sendFile(form, file, item).then(function () { return form.id; });
      })
      .then(function (id) {
        item.dataset.id = id;
        item.className = "loket-file loket-file--done";
        item.querySelector("progress").value = 100;
        status.textContent = t.uploaded;
      })
      .catch(function (error) { if (item.isConnected) failed(error.message); });
  }

  function enhanceFiles(form, t) {
    form.querySelectorAll("input[type=file][data-upload]").forEach(function (input) {
      var list = input.parentNode.querySelector(".loket-files");
      input.required = false;  // Checked by the server, which knows about uploaded ids.
      input.addEventListener("change", function () {
        var max = Number(input.dataset.maxFiles);
        Array.prototype.forEach.call(input.files, function (file) {
          if (list.children.length >= max) fieldError(input, t.tooMany.replace("{n}", max));
          else addFile(input, list, file, t);
        });
        input.value = "";  // The files go ahead, never inline with the form.
      });
    });
  }

  function uploadedIds(form) {
    return Array.prototype.map.call(form.querySelectorAll(".loket-file--done"),
                                    function (item) { return item.dataset.id; });
  }

  function filesReady(form, t) {
    var waiting = form.querySelector(".loket-file--uploading, .loket-file--failed, .loket-file--refused");
    if (waiting) fieldError(form.querySelector("input[type=file][data-upload]"), t.waitForFiles);
    return !waiting;
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
      // A file's error (attachments[2]) shows under the files' input, and on the file.
      var name = e.field.replace(/\[\d+\]$/, "");
      var index = /^attachments\[(\d+)\]$/.exec(e.field);
      var item = index && form.querySelectorAll(".loket-file--done")[Number(index[1])];
      if (item) {
        item.dataset.refused = "1";
        item.querySelector(".loket-file-status").textContent = e.message || e.detail;
      }
      var field = form.querySelector('.loket-field[data-field="' + CSS.escape(name) + '"]');
      if (!field) return;
      field.classList.add("loket-field--invalid");
      var input = field.querySelector("input, select, textarea");
      input.setAttribute("aria-invalid", "true");
      first = first || input;
      if (item) return;  // Said on the file itself.
      var err = field.querySelector(".loket-error");
      var text = e.message || e.detail;  // message: a sentence in the page's language.
      err.textContent = err.hidden ? text : err.textContent + " " + text;
      err.hidden = false;
    });
    var summary = form.querySelector(".loket-form-errors");
    if (!first) summary.textContent = problem.detail || problem.title;
    summary.hidden = false;
    form.querySelectorAll(".loket-file[data-refused]").forEach(function (item) {
      item.className = "loket-file loket-file--refused";
    });
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

  /* A field the form definition types as integer (data-type on its .loket-field) goes
     as a JSON number: the API refuses "4" where its document says integer. Anything
     that is not a whole number stays text, so the server names the field in its error. */
  function typed(form, name, value) {
    var field = form.querySelector('.loket-field[data-field="' + CSS.escape(name) + '"]');
    if (field && field.dataset.type === "integer" && /^\s*-?\d+\s*$/.test(value)) return Number(value);
    return value;
  }

  function payload(form) {
    var data = {};
    new FormData(form).forEach(function (value, name) {
      // Files went ahead; their ids stand in for them.
      if (name !== "idempotency_key" && name !== "csrf_token" && typeof value === "string" &&
          value !== "") data[name] = typed(form, name, value);
    });
    var ids = uploadedIds(form);
    if (ids.length) data.attachments = ids;
    return data;
  }

  function enhanceTicketForm(form) {
    var t = textOf(form);
    var key = newKey();
    enhanceFiles(form, t);
    knowCustomer(form);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!form.reportValidity()) return;
      clearErrors(form);
      if (!filesReady(form, t)) return;
      var button = form.querySelector(".loket-submit");
      button.disabled = true; button.textContent = t.sending;
      withSession({ "Content-Type": "application/json", "Accept": "application/json",
                    "Idempotency-Key": key }).then(function (headers) {
        return fetch(form.dataset.api, { method: "POST", headers: headers,
                                         body: JSON.stringify(payload(form)) });
      }).then(function (response) {
        return response.json().then(function (body) { return [response, body]; });
      }).then(function (result) {
        if (result[0].ok) {
          showReceipt(form, result[1], t); key = newKey();
          form.querySelectorAll(".loket-files").forEach(function (list) { list.replaceChildren(); });
        }
        else showErrors(form, result[1]);
      }).catch(function () {
        showErrors(form, { detail: t.offline });
      }).finally(function () {
        button.disabled = false; button.textContent = t.submit;
      });
    });
  }

  /* ---- the reply form on a ticket's page ---------------------------------- */
  /* Posts as without JavaScript, with the ids of the files uploaded ahead. */

  function enhanceReply(form) {
    var t = textOf(form);
    enhanceFiles(form, t);
    form.addEventListener("submit", function (event) {
      if (!filesReady(form, t)) { event.preventDefault(); return; }
      uploadedIds(form).forEach(function (id) {
        form.appendChild(el("input", { type: "hidden", name: "attachments", value: id }));
      });
    });
  }

  /* ---- the status look-up ------------------------------------------------- */
  /* Ends on the same full ticket page as without JavaScript (add information, close,
     reopen, rate): the form goes to /portal/lookup once the number and code are known
     to be right; a wrong pair is said here, without leaving the page. */

  function lookUp(form, number, token) {
    var t = textOf(form);
    var box = form.nextElementSibling;
    var url = form.dataset.api + "/" + encodeURIComponent(number) +
      "?token=" + encodeURIComponent(token) + "&lang=" + encodeURIComponent(form.dataset.lang);
    return fetch(url, { headers: { "Accept": "application/json" } }).then(function (response) {
      if (response.ok) {
        form.number.value = number; form.token.value = token;
        form.submit();  // Not a submit event: the browser follows the form's action.
      }
      else box.replaceChildren(el("p", { "class": "loket-error", role: "alert" }, [t.notFound]));
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
      lookUp(form, params.get("ticket"), params.get("token"));
    }
  }

  /* ---- the header on the knowledge base's pages ----------------------------- */
  /* The static header links to Sign in. The server's own pages say who is signed in;
     here the script does, only when the sign-in left its hint cookie (most readers
     have none and cost no request): name, My tickets, Desk for an agent, Sign out. */

  function enhanceHeader(nav) {
    if (nav.querySelector(".loket-portal-who")) return;  // A server page: said already.
    if (!/(?:^|; )loket_signed_in=/.test(document.cookie)) return;
    session().then(function (who) {
      if (!who.signed_in) {  // The session ended: the hint goes too.
        document.cookie = "loket_signed_in=; max-age=0; path=/";
        return;
      }
      var t = JSON.parse(nav.dataset.text || "{}"), lang = nav.dataset.lang || "en";
      var out = el("form", { method: "post", action: "/portal/logout?lang=" + encodeURIComponent(lang),
                             "class": "loket-portal-logout" },
                   [el("input", { type: "hidden", name: "csrf_token", value: who.csrf_token }),
                    el("button", { type: "submit", "class": "loket-portal-link" }, [t.sign_out])]);
      var links = [el("span", { "class": "loket-portal-who", title: t.signed_in_as + " " + who.email },
                      [who.name || who.email]),
                   el("a", { "class": "loket-portal-link", target: "_self",
                             href: "/portal/my-tickets?lang=" + encodeURIComponent(lang) }, [t.my_tickets])];
      if (who.role === "agent") {
        links.push(el("a", { "class": "loket-portal-link", href: "/desk/", target: "_self" }, [t.desk]));
      }
      links.push(out);
      nav.replaceChildren.apply(nav, links);
    });
  }

  function init() {
    document.querySelectorAll("nav.loket-portal-links:not([data-enhanced])").forEach(function (n) {
      n.dataset.enhanced = "1"; enhanceHeader(n);
    });
    document.querySelectorAll("form.loket-form:not([data-enhanced])").forEach(function (f) {
      f.dataset.enhanced = "1"; enhanceTicketForm(f);
    });
    document.querySelectorAll("form.loket-lookup:not([data-enhanced])").forEach(function (f) {
      f.dataset.enhanced = "1"; enhanceLookup(f);
    });
    document.querySelectorAll("form.loket-reply:not([data-enhanced])").forEach(function (f) {
      f.dataset.enhanced = "1"; enhanceReply(f);
    });
  }

  // MkDocs Material's instant navigation swaps pages without a reload.
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(init);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
