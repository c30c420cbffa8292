/** A mounted page. The router creates one per route and destroys it on navigation. */
export interface View {
  readonly el: HTMLElement;
  /** Stops timers, subscriptions and charts. */
  destroy(): void;
}

export const href = {
  sweeps: () => "#/",
  sweep: (id: string) => `#/sweeps/${encodeURIComponent(id)}`,
  trial: (sweepId: string, trialId: string) =>
    `#/sweeps/${encodeURIComponent(sweepId)}/trials/${encodeURIComponent(trialId)}`,
  fleet: () => "#/fleet",
  submit: () => "#/submit",
};

export function navigate(to: string): void {
  location.hash = to;
}
