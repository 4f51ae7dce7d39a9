// Factual accuracy check (progressive enhancement only).
// When the server answers 409 (the check was completed in another tab, or closed by its
// deadline, meanwhile), it sends the page as it now is, aimed at #accuracy-check
// (HX-Retarget): show it instead of an error, so the user sees why nothing changed.
document.addEventListener("htmx:beforeSwap", (event) => {
  const xhr = event.detail.xhr;
  if (xhr && xhr.status === 409 && xhr.getResponseHeader("HX-Retarget") === "#accuracy-check") {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
