/** Hash routing: `#/`, `#/sweeps/:id`, `#/sweeps/:id/trials/:trialId`, `#/fleet`, `#/submit`. */
import { fleetView } from "./views/fleet-view.ts";
import { submitView } from "./views/submit-view.ts";
import { sweepView } from "./views/sweep-view.ts";
import { sweepsView } from "./views/sweeps-view.ts";
import { trialView } from "./views/trial-view.ts";
import type { View } from "./views/view.ts";

export type Route =
  | { readonly name: "sweeps" }
  | { readonly name: "sweep"; readonly id: string }
  | { readonly name: "trial"; readonly sweepId: string; readonly trialId: string }
  | { readonly name: "fleet" }
  | { readonly name: "submit" };

/** `decodeURIComponent`, or the part as it is when it is not valid %-encoding (`%E0%A4%A`). */
const decodePart = (part: string): string => {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
};

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodePart);
  if (parts[0] === "sweeps" && parts[1] && parts[2] === "trials" && parts[3]) {
    return { name: "trial", sweepId: parts[1], trialId: parts[3] };
  }
  if (parts[0] === "sweeps" && parts[1]) return { name: "sweep", id: parts[1] };
  if (parts[0] === "fleet") return { name: "fleet" };
  if (parts[0] === "submit") return { name: "submit" };
  return { name: "sweeps" };
}

export function createView(r: Route): View {
  switch (r.name) {
    case "sweep":
      return sweepView(r.id);
    case "trial":
      return trialView(r.sweepId, r.trialId);
    case "fleet":
      return fleetView();
    case "submit":
      return submitView();
    default:
      return sweepsView();
  }
}

/** Mounts the view for the current hash into `outlet` and swaps it on every hash change. */
export function startRouter(outlet: HTMLElement, onRoute: (r: Route) => void): void {
  let current: View | null = null;
  const go = () => {
    const r = parseRoute(location.hash);
    current?.destroy();
    document.title = "hpo dashboard";
    current = createView(r);
    outlet.replaceChildren(current.el);
    window.scrollTo(0, 0);
    onRoute(r);
  };
  window.addEventListener("hashchange", go);
  go();
}
