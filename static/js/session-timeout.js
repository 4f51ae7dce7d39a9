// The "you are about to be signed out" warning: the GOV.UK / HMRC timeout dialog pattern.
// The server alone ends sessions (idle and absolute); this script only warns ahead of
// that, lets the user stay signed in (a small POST to the keep-alive route), and moves
// to the sign-in page when the time is up. Loaded only on signed-in pages.
const dialog = document.getElementById("portal-timeout");

// The server moves a session's end on at most once a minute, or a 30th of the idle time
// if that is shorter (sessions.touch_every), so after other activity the end is known to
// within this much: warn early, never late.
const slack = (idle) => Math.min(60 * 1000, idle / 30);
// The page is fetched again only this long after the end, so the request cannot arrive
// while the session still lives (it would then count as use and start it again).
const AFTER_THE_END = 2000;

function words(ms) {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  if (seconds >= 60) {
    const minutes = Math.ceil(seconds / 60);
    return `${minutes} minute${minutes === 1 ? "" : "s"}`;
  }
  return `${seconds} second${seconds === 1 ? "" : "s"}`;
}

function announce(text) {
  const region = document.getElementById("portal-live");
  if (!region) return;
  region.textContent = "";
  window.setTimeout(() => { region.textContent = text; }, 50);
}

function csrfToken() {
  try {
    return JSON.parse(document.body.dataset.hxHeaders || "{}")["X-CSRF-Token"] || "";
  } catch {
    return "";
  }
}

function start() {
  const ms = (name) => Number(dialog.dataset[name]) * 1000;
  const loaded = Date.now();
  const endsBy = loaded + ms("endsBy");
  const idle = ms("idle");
  const warnBefore = ms("warnBefore");
  let endsAt = loaded + ms("endsIn");
  let returnFocus = null;
  let timer = 0;
  const countdown = dialog.querySelector(".portal-timeout__countdown");
  const stay = dialog.querySelector("[data-timeout-stay]");
  const final = dialog.querySelector("[data-timeout-final]");
  const heading = dialog.querySelector("h2");

  // The page the user is on, fetched again: the server answers with the sign-in page
  // and why (or, if another tab kept the session going, with the page itself).
  const leave = () => window.location.assign(window.location.href.split("#")[0]);

  function open() {
    const atTheEnd = endsBy - endsAt < 1000;  // the absolute end: staying is not possible
    stay.hidden = atTheEnd;
    if (final) final.hidden = !atTheEnd;
    returnFocus = document.activeElement;
    dialog.showModal();
    heading.focus();  // read out with the dialog's name and description
  }

  function close() {
    if (!dialog.open) return;
    dialog.close();
    if (returnFocus && returnFocus.isConnected) returnFocus.focus();
    announce("You are still signed in");
  }

  function tick() {
    window.clearTimeout(timer);
    const left = endsAt - Date.now();
    if (left <= -AFTER_THE_END) {
      leave();
      return;
    }
    if (left <= warnBefore) {
      countdown.textContent = words(left);
      if (!dialog.open) open();
    } else if (dialog.open) {
      close();
    }
    const next = left <= warnBefore ? 1000 : left - warnBefore;
    timer = window.setTimeout(tick, Math.max(50, next));
  }

  async function keepAlive() {
    try {
      const response = await fetch(dialog.dataset.keepAlive, {
        method: "POST",
        headers: { "X-CSRF-Token": csrfToken() },
        credentials: "same-origin",
        redirect: "manual",
      });
      if (response.type === "opaqueredirect") {
        // Too late: the session has ended (and that answer removed it), so go to the
        // sign-in page with the reason and this page to come back to.
        const why = endsBy - endsAt < 1000 ? "absolute" : "idle";
        const here = window.location.pathname + window.location.search;
        const query = new URLSearchParams({ "signed-out": why, next: here });
        window.location.assign(`${dialog.dataset.signIn}?${query}`);
        return;
      }
      if (response.status !== 204) {
        leave();  // signed out some other way: the page itself says what to do
        return;
      }
      endsAt = Date.now() + Number(response.headers.get("X-Session-Ends-In") || 0) * 1000;
    } catch {
      return;  // offline: nothing is known to have changed; the countdown goes on
    }
    close();
    tick();
  }

  stay.addEventListener("click", keepAlive);
  // Escape means "stay signed in" (as in the HMRC dialog), not "ignore and lose it".
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    if (!stay.hidden) keepAlive();
  });
  // Other requests this page makes move the session's end on too.
  document.addEventListener("htmx:afterRequest", (event) => {
    if (!event.detail.successful) return;
    endsAt = Math.max(endsAt, Math.min(Date.now() + idle - slack(idle), endsBy));
    tick();
  });
  // Timers in a hidden tab are slowed: look again when the tab comes back.
  document.addEventListener("visibilitychange", () => { if (!document.hidden) tick(); });
  tick();
}

if (dialog && typeof dialog.showModal === "function") start();
