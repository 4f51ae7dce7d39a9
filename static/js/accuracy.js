// Factual accuracy check (progressive enhancement only: the form works without it).
/* global htmx */

const form = () => document.querySelector("#accuracy-check form");
const inForm = (node) => Boolean(node && node.closest && node.closest("#accuracy-check form"));

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
