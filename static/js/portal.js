// Progressive enhancement only: every page works without this file.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

initAll();

const live = () => document.getElementById("portal-live");

// Say something in the one polite live region (cleared first so a repeat is re-read).
export function announce(text) {
  const region = live();
  if (!region || !text) return;
  region.textContent = "";
  window.setTimeout(() => { region.textContent = text; }, 50);
}
window.portalAnnounce = announce;

// After htmx swaps content in: start GOV.UK components inside it, move focus to what
// changed (an error summary first, else the new content's heading), and announce it.
document.addEventListener("htmx:afterSettle", (event) => {
  const target = event.detail.elt && event.detail.elt.isConnected
    ? event.detail.elt
    : document.getElementById(event.detail.target && event.detail.target.id);
  if (!target) return;
  initAll({ scope: target });
  const summary = target.querySelector(".govuk-error-summary");
  const heading = target.querySelector("[data-focus], h1, h2, h3");
  const focusable = summary || heading;
  if (focusable) {
    if (!focusable.hasAttribute("tabindex")) focusable.setAttribute("tabindex", "-1");
    focusable.focus();
  }
  const message = target.querySelector("[data-announce]");
  announce(message ? message.getAttribute("data-announce") : (summary ? "There is a problem" : heading && heading.textContent.trim()));
});

// A form marked data-own-errors shows its own failure on screen (its summary is an alert).
const ownsErrors = (event) => Boolean(event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("[data-own-errors]"));

document.addEventListener("htmx:responseError", (event) => {
  if (ownsErrors(event)) return;
  const status = event.detail.xhr ? event.detail.xhr.status : 0;
  announce(status === 403 ? "You do not have permission to do this." :
           status === 404 ? "That page or document no longer exists." :
           "Sorry, there is a problem with the service. Try again.");
});

document.addEventListener("htmx:sendError", (event) => {
  if (ownsErrors(event)) return;
  announce("The connection was lost. Nothing was changed. Try again.");
});
