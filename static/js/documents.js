// The documents screens: an accessible progress bar while a file uploads (htmx only;
// without JavaScript the browser shows its own progress and the form still works).
// The start and the end are announced in the page's one polite live region; the
// percentage in between is shown, not spoken, so a screen reader is not flooded.
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
