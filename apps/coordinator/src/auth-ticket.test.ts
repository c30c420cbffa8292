import { describe, expect, it } from "vitest";
import { bindRefusal, eventTicket, isLoopbackHost, TICKET_TTL_MS, validTicket } from "./auth.ts";

describe("event-stream tickets (issue 22)", () => {
  it("are valid for TICKET_TTL_MS with the token that made them, and for nothing else", () => {
    const now = 1_700_000_000_000;
    const { ticket, expiresAt } = eventTicket("tok", now);
    expect(expiresAt).toBe(now + TICKET_TTL_MS);
    expect(ticket).not.toContain("tok");
    expect(validTicket("tok", ticket, now)).toBe(true);
    expect(validTicket("tok", ticket, expiresAt - 1)).toBe(true);
    expect(validTicket("tok", ticket, expiresAt)).toBe(false); // expired
    expect(validTicket("other", ticket, now)).toBe(false);
    const [exp, mac] = ticket.split(".") as [string, string];
    expect(validTicket("tok", `${Number(exp) + 1000}.${mac}`, now)).toBe(false); // expiry moved
    expect(validTicket("tok", `${exp}.${mac.slice(0, -1)}A`, now)).toBe(false);
    // a far-future expiry is refused even with a valid MAC (tickets are short-lived by construction)
    expect(validTicket("tok", eventTicket("tok", now + 10 * TICKET_TTL_MS).ticket, now)).toBe(false);
    for (const junk of [undefined, "", "x", ["a"], `${exp}.`]) expect(validTicket("tok", junk, now)).toBe(false);
  });
});

describe("bind addresses (issue 22)", () => {
  it("lets only loopback addresses run without a token", () => {
    for (const h of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]", "::ffff:127.0.0.1"]) {
      expect(isLoopbackHost(h), h).toBe(true);
      expect(bindRefusal(h, undefined)).toBeUndefined();
    }
    for (const h of ["0.0.0.0", "::", "192.168.1.10", "10.0.0.1", "example.com", "128.0.0.1"]) {
      expect(isLoopbackHost(h), h).toBe(false);
      expect(bindRefusal(h, undefined)).toContain(`refusing to listen on ${h} without an API token`);
      expect(bindRefusal(h, "t")).toBeUndefined();
    }
  });
});
