/**
 * Scoped tokens (apps/coordinator/src/auth.ts): every route of the API and the dashboard × every
 * kind of token → the status a user should get. HPO_TOKEN may do everything, HPO_SUBMIT_TOKEN
 * submit and read, HPO_READ_TOKEN only read; no token or an unknown one → 401, a known token
 * without the scope → 403. Reads are open unless HPO_AUTH_READS=1 (protectReads).
 */

import { waitFor } from "@hpo/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppStack, startAppStack } from "./app-stack.ts";

const TOKENS = { all: "all-scopes-3c9e1f", submit: "submit-only-8a2d7b", read: "read-only-5f0c44" } as const;
type Caller = "none" | "wrong" | keyof typeof TOKENS;
const CALLERS: readonly Caller[] = ["none", "wrong", "read", "submit", "all"];
const headerOf = (c: Caller): Record<string, string> =>
  c === "none" ? {} : { authorization: `Bearer ${c === "wrong" ? "not-a-token" : TOKENS[c]}` };

const SPEC = JSON.stringify({
  name: "scopes",
  method: "random",
  dataset: "iris",
  parameters: { learning_rate: { values: [0.01, 0.1] } },
  budget: { max_trials: 2 },
});

/** Every read route, for a sweep id and one of its trial ids. */
const readRoutes = (id: string, trial: string) => [
  "/api/sweeps",
  `/api/sweeps/${id}`,
  `/api/sweeps/${id}/trials`,
  `/api/sweeps/${id}/trials/${trial}`,
  `/api/sweeps/${id}/trials/${trial}/log`,
  `/api/dashboard/sweeps/${id}/leaderboard`,
  `/api/dashboard/sweeps/${id}/history`,
  `/api/dashboard/sweeps/${id}/sample`,
  `/api/dashboard/sweeps/${id}/importance`,
  "/api/dashboard/fleet",
];

for (const protectReads of [false, true]) {
  describe(`token scopes, reads ${protectReads ? "protected (HPO_AUTH_READS=1)" : "open"}`, () => {
    let stack: AppStack;
    let sweepId = "";
    let trialId = "";
    const call = async (caller: Caller, method: "GET" | "POST", path: string, body?: string) => {
      const res = await fetch(`${stack.url}${path}`, {
        method,
        headers: { ...headerOf(caller), ...(body !== undefined && { "content-type": "application/json" }) },
        ...(body !== undefined && { body }),
      });
      const text = path === "/api/events" ? "" : await res.text();
      return { status: res.status, id: res.status === 201 ? (JSON.parse(text) as { id: string }).id : undefined };
    };

    beforeAll(async () => {
      stack = await startAppStack({
        label: "sec-scopes",
        token: TOKENS.all,
        submitToken: TOKENS.submit,
        readToken: TOKENS.read,
        protectReads,
        dashboard: true,
      });
      const created = await fetch(`${stack.url}/api/sweeps`, {
        method: "POST",
        headers: { ...headerOf("all"), "content-type": "application/json" },
        body: SPEC,
      });
      sweepId = ((await created.json()) as { id: string }).id;
      stack.scheduler.kick(sweepId);
      trialId = await waitFor(
        "a proposed trial",
        async () => (await stack.store.listTrials(sweepId, { limit: 10 })).items[0]?.id,
      );
    });
    afterAll(() => stack?.close());

    it("reads: open to all, or with the read scope only", async () => {
      const got: string[] = [];
      const want: string[] = [];
      for (const path of readRoutes(sweepId, trialId)) {
        for (const caller of CALLERS) {
          const { status } = await call(caller, "GET", path);
          got.push(`${caller} GET ${path} ${status < 300 ? "2xx" : status}`);
          const allowed = !protectReads || caller === "read" || caller === "submit" || caller === "all";
          want.push(`${caller} GET ${path} ${allowed ? "2xx" : 401}`);
        }
      }
      expect(got).toEqual(want);
    });

    it("create, extend, cancel, resume: 401 without a known token, 403 with the read token, 2xx with submit or all", async () => {
      const got: string[] = [];
      const want: string[] = [];
      for (const caller of CALLERS) {
        const expected = caller === "none" || caller === "wrong" ? 401 : caller === "read" ? 403 : "2xx";
        // a sweep of its own per caller, so each action finds the state it needs (resume: cancelled)
        const created = await call(caller, "POST", "/api/sweeps", SPEC);
        got.push(`${caller} create ${created.status < 300 ? "2xx" : created.status}`);
        want.push(`${caller} create ${expected}`);
        const id = created.id ?? sweepId;
        for (const [action, body] of [
          ["extend", JSON.stringify({ trials: 1 })],
          ["cancel", undefined],
          ["resume", undefined],
        ] as const) {
          const { status } = await call(caller, "POST", `/api/sweeps/${id}/${action}`, body);
          got.push(`${caller} ${action} ${status < 300 ? "2xx" : status}`);
          want.push(`${caller} ${action} ${expected}`);
        }
      }
      expect(got).toEqual(want);
    });
  });
}
