// A receipt's 'Print this page' link: shown only where JavaScript runs to print.
for (const link of document.querySelectorAll("[data-print]")) {
  const holder = link.closest(".portal-print-link");
  if (holder) holder.hidden = false;
  link.addEventListener("click", (event) => {
    event.preventDefault();
    window.print();
  });
}
