// Canned replies on the agent desk (#12). Without JavaScript the "Insert" button posts
// the reply form to /desk/tickets/N/canned-reply and the page comes back with the
// reply added; with it, the chosen reply (its text, filled in for the ticket, is in
// the option's data-text) goes into the reply box where the cursor is, at once.
document.addEventListener("click", (event) => {
  const button = event.target.closest && event.target.closest(".loket-canned-insert");
  if (!button || !button.form) return;
  const select = button.form.querySelector("select[name=canned_reply]");
  const box = button.form.querySelector("textarea[name=body]");
  const option = select && select.selectedOptions[0];
  if (!option || !box || option.dataset.text === undefined) return;
  event.preventDefault();
  const start = box.selectionStart ?? box.value.length;
  const end = box.selectionEnd ?? start;
  const before = box.value.slice(0, start);
  const gap = !before.trim() ? "" : before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
  const inserted = before.trim() ? before + gap + option.dataset.text : option.dataset.text;
  box.value = inserted + box.value.slice(end);
  box.focus();
  box.setSelectionRange(inserted.length, inserted.length);
});
