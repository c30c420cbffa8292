/** Entry point: the page chrome (nav, live status, API token) and the router. */
import "./styles.css";
import { takeRefusedRead } from "./api/client.ts";
import { onLiveStatus, subscribe } from "./api/events.ts";
import { getToken, onTokenChange, setToken, setTokenPrompt } from "./api/token.ts";
import { el } from "./dom.ts";
import { startRouter } from "./router.ts";
import { href } from "./views/view.ts";

const app = document.getElementById("app") as HTMLElement;
const links = {
  sweeps: el("a", { attrs: { href: href.sweeps() } }, "Sweeps"),
  fleet: el("a", { attrs: { href: href.fleet() } }, "Fleet"),
  submit: el("a", { attrs: { href: href.submit() } }, "New sweep"),
};
const live = el("span", { class: "live", attrs: { "data-testid": "live-status" } });
const token = el("input", {
  class: "token",
  attrs: { type: "password", placeholder: "API token", autocomplete: "off", "aria-label": "API token" },
});
token.value = getToken();
token.addEventListener("change", () => {
  setToken(token.value.trim());
  // a view whose reads were refused (HPO_AUTH_READS=1) loads again with the new token; others
  // (a half-typed sweep on the submit page) stay as they are
  if (takeRefusedRead()) window.dispatchEvent(new HashChangeEvent("hashchange"));
});
onTokenChange(() => {
  token.value = getToken();
});
// Asked only when the coordinator refuses an action for the lack of a submit-scope token.
setTokenPrompt(
  (reason) => window.prompt(`${reason}\n\nAPI token allowed to submit (HPO_SUBMIT_TOKEN or HPO_TOKEN):`) ?? undefined,
);
const outlet = el("main", { class: "outlet" });
app.append(
  el(
    "header",
    { class: "topbar" },
    el("a", { class: "brand", attrs: { href: href.sweeps() } }, "hpo"),
    el("nav", null, links.sweeps, links.fleet, links.submit),
    el("div", { class: "spacer" }),
    live,
    token,
  ),
  outlet,
);
onLiveStatus((s) => {
  live.textContent = s === "live" ? "● live" : s === "connecting" ? "○ connecting" : "○ reconnecting";
  live.className = `live ${s}`;
});
subscribe({});
startRouter(outlet, (r) => {
  for (const [name, a] of Object.entries(links)) {
    a.classList.toggle("active", name === r.name || (name === "sweeps" && (r.name === "sweep" || r.name === "trial")));
  }
});
