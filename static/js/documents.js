// The documents screens: an accessible progress bar while a file uploads (htmx only;
// without JavaScript the browser shows its own progress and the form still works).
// The start and the end are announced in the page's one polite live region; the
// percentage in between is shown, not spoken, so a screen reader is not flooded.
//
// An upload the server answers with an error status, or that never gets an answer,
// is not swapped by htmx (there is no page to show): its message is put on screen here
// the way the server shows a refused file, an error summary that takes focus and links
// to the field, and the message next to the field. The words come from the form's
// data-error-* attributes.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

const announce = (text) => { if (window.portalAnnounce) window.portalAnnounce(text); };

const isUpload = (elt) => elt instanceof HTMLFormElement && elt.classList.contains("portal-upload-form");

function parts(form) {
  return {
    box: form.querySelector(".portal-upload-progress"),
    bar: form.querySelector("progress"),
    text: form.querySelector("#upload-progress-text"),
  };
}

function show(form, percent) {
  const { box, bar, text } = parts(form);
  if (!box) return;
  box.hidden = false;
  bar.value = percent;
  bar.textContent = `${percent}%`;
  text.textContent = `${percent}% uploaded`;
}

document.addEventListener("htmx:beforeRequest", (event) => {
  const form = event.detail.elt;
  if (!isUpload(form)) return;
  const input = form.querySelector("input[type=file]");
  const count = input && input.files ? input.files.length : 0;
  show(form, 0);
  if (count > 0) {
    announce(count === 1 ? `Uploading ${input.files[0].name}: 0%` : `Uploading ${count} files: 0%`);
  }
});

document.addEventListener("htmx:xhr:progress", (event) => {
  const form = event.target;
  if (!isUpload(form) || !event.detail.total) return;
  show(form, Math.floor((event.detail.loaded / event.detail.total) * 100));
});

document.addEventListener("htmx:afterRequest", (event) => {
  const form = event.detail.elt;
  if (!isUpload(form) || !form.isConnected) return;  // swapped: the new content speaks
  if (event.detail.successful) {
    show(form, 100);
    announce("Upload complete: 100%");
  } else {
    const { box } = parts(form);
    if (box) box.hidden = true;
  }
});

function hiddenPrefix() {
  const span = document.createElement("span");
  span.className = "govuk-visually-hidden";
  span.textContent = "Error:";
  return span;
}

function summaryFor(input, message) {
  const link = document.createElement("a");
  link.href = `#${input.id}`;
  link.textContent = message;
  const item = document.createElement("li");
  item.append(link);
  const list = document.createElement("ul");
  list.className = "govuk-list govuk-error-summary__list";
  list.append(item);
  const body = document.createElement("div");
  body.className = "govuk-error-summary__body";
  body.append(list);
  const title = document.createElement("h2");
  title.className = "govuk-error-summary__title";
  title.textContent = "There is a problem";
  const alert = document.createElement("div");
  alert.setAttribute("role", "alert");
  alert.append(title, body);
  const summary = document.createElement("div");
  summary.className = "govuk-error-summary";
  summary.dataset.module = "govuk-error-summary";
  summary.append(alert);
  return summary;
}

function showError(form, message) {
  const input = form.querySelector("input[type=file]");
  const container = form.closest("#document-list") || form.parentElement;
  if (!input || !container) return;
  // Next to the field, as govukFileUpload renders an errorMessage.
  input.closest(".govuk-form-group")?.classList.add("govuk-form-group--error");
  input.classList.add("govuk-file-upload--error");
  const errorId = `${input.id}-error`;
  let fieldError = document.getElementById(errorId);
  if (!fieldError) {
    fieldError = document.createElement("p");
    fieldError.id = errorId;
    fieldError.className = "govuk-error-message";
    input.before(fieldError);
  }
  fieldError.replaceChildren(hiddenPrefix(), ` ${message}`);
  const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
  if (!described.includes(errorId)) input.setAttribute("aria-describedby", [...described, errorId].join(" "));
  // The summary at the top of the block, replacing one already there. GOV.UK Frontend
  // starts it while it is held apart (so nothing else on the page is started twice):
  // its link then moves focus to the field's label, as on a page the server sent.
  const summary = summaryFor(input, message);
  const holder = document.createElement("div");
  holder.append(summary);
  initAll({ scope: holder });
  const old = container.querySelector(".govuk-error-summary");
  if (old) old.replaceWith(summary); else container.prepend(summary);
  if (!document.title.startsWith("Error: ")) document.title = `Error: ${document.title}`;
  summary.setAttribute("tabindex", "-1");
  summary.focus();
}

function failed(event) {
  const form = event.detail.elt;
  if (!isUpload(form) || !form.isConnected) return;
  const status = event.detail.xhr ? event.detail.xhr.status : 0;
  const message = status === 413 ? form.dataset.errorTooLarge
    : status === 503 ? form.dataset.errorUnavailable
    : form.dataset.errorFailed;
  showError(form, message);
}

document.addEventListener("htmx:responseError", failed);
document.addEventListener("htmx:sendError", failed);
