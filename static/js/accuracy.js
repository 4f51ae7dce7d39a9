// Factual accuracy check (progressive enhancement only: the form works without it).
/* global htmx */

const form = () => document.querySelector("#accuracy-check form");
const inForm = (node) => Boolean(node && node.closest && node.closest("#accuracy-check form"));

// When the server answers 409 (the check was completed in another tab, or closed by its
// deadline, meanwhile), it sends the page as it now is: show it in place of the form,
// instead of an error, so the user sees why nothing changed.
document.addEventListener("htmx:beforeSwap", (event) => {
  const detail = event.detail;
  const path = (detail.requestConfig && detail.requestConfig.path) || "";
  const region = document.getElementById("accuracy-check");
  if (detail.xhr && detail.xhr.status === 409 && path.endsWith("/accuracy-check") && region) {
    detail.target = region;
    detail.swapOverride = "outerHTML";
    detail.shouldSwap = true;
    detail.isError = false;
  }
});

// Saving as you type: a second after typing stops, and at once when a choice changes,
// the answers are saved and the status line under the form says when.
let timer = null;
let unsaved = false;

function saveSoon(delay) {
  window.clearTimeout(timer);
  timer = window.setTimeout(() => {
    const current = form();
    const status = document.getElementById("accuracy-autosave");
    if (!current || !status || !window.htmx) return;
    unsaved = false;
    htmx.ajax("POST", current.getAttribute("action"), {
      source: current,
      target: status,
      swap: "innerHTML",
      values: { action: "autosave" },
    });
  }, delay);
}

document.addEventListener("input", (event) => {
  if (!inForm(event.target)) return;
  unsaved = true;
  saveSoon(1000);
});
document.addEventListener("change", (event) => {
  if (!inForm(event.target)) return;
  unsaved = true;
  saveSoon(event.target.tagName === "TEXTAREA" ? 0 : 100);
});
// A button ('Done', 'Save and come back later') sends everything itself.
document.addEventListener("submit", (event) => {
  if (event.target === form()) {
    window.clearTimeout(timer);
    unsaved = false;
  }
}, true);

// Leaving or closing the tab with unsaved words: send them anyway.
window.addEventListener("pagehide", () => {
  const current = form();
  if (!unsaved || !current || !navigator.sendBeacon) return;
  window.clearTimeout(timer);
  const data = new URLSearchParams(new FormData(current));
  data.set("action", "autosave");
  navigator.sendBeacon(current.getAttribute("action"), data);
  unsaved = false;
});
