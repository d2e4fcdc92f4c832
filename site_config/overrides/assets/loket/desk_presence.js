// Collision on the agent desk (#12): while a ticket's page is open, ask the server every
// 15 seconds who else has it open and what others changed since the page was shown
// (GET /desk/tickets/N/presence?version=V), and say so above the ticket. Without
// JavaScript nothing is lost: a reply posted from an out-of-date page is refused by the
// server with the ticket as it is now and the typed text kept.
(function () {
  "use strict";
  const page = document.querySelector(".loket-desk-ticket[data-number][data-version]");
  const note = page && page.querySelector(".loket-presence");
  if (!note || !window.fetch) return;
  const url = "/desk/tickets/" + page.dataset.number + "/presence?version=" +
    encodeURIComponent(page.dataset.version);
  const EVERY = 15000;

  function say(data) {
    const parts = [];
    if (data.others.length) {
      parts.push(data.others.join(", ") + (data.others.length === 1 ? " has" : " have") +
                 " this ticket open too.");
    }
    const last = data.changes[data.changes.length - 1];
    if (last) {
      parts.push("Since you opened it: " + last.who + " — " + last.what + " (" + last.at +
                 "). Reload to see the ticket as it is now; a reply sent from this page " +
                 "will be held back so you can check it.");
    }
    note.textContent = parts.join(" ");
    note.hidden = parts.length === 0;
  }

  function poll() {
    if (document.hidden) return;  // A tab in the background is nobody's attention.
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((answer) => (answer.ok ? answer.json() : null))
      .then((data) => { if (data) say(data); })
      .catch(() => {});  // Offline for a moment: the next poll tries again.
  }

  poll();
  setInterval(poll, EVERY);
  document.addEventListener("visibilitychange", poll);
})();
