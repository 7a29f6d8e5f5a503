import { describe, expect, it } from "vitest";
import { endpointProblem, isPrivateAddress } from "./endpoints.ts";

describe("push endpoints", () => {
  it("private, loopback, link-local and this machine's addresses are private; public ones are not", () => {
    for (const address of [
      "127.0.0.1",
      "10.0.0.8",
      "172.20.1.1",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "::1",
      "::",
      "fd00::1",
      "fe80::1",
      "::ffff:127.0.0.1",
      "64:ff9b::a00:1",
      "not an address",
    ])
      expect([address, isPrivateAddress(address)]).toEqual([address, true]);
    for (const address of ["142.250.74.10", "2a00:1450:4001:80b::200a", "::ffff:8.8.8.8"])
      expect([address, isPrivateAddress(address)]).toEqual([address, false]);
  });

  it("an endpoint must be https to a public host, unless local pushes are allowed (tests)", () => {
    const fcm = "https://fcm.googleapis.com/fcm/send/abc";
    expect(endpointProblem(fcm, false)).toBeNull();
    expect(endpointProblem("http://fcm.googleapis.com/fcm/send/abc", false)).toMatch(/https/);
    expect(endpointProblem("https://127.0.0.1:9/x", false)).toMatch(/private network/);
    expect(endpointProblem("https://x.localhost/x", false)).toMatch(/private network/);
    expect(endpointProblem("https://user:pw@fcm.googleapis.com/x", false)).toMatch(/user name/);
    expect(endpointProblem(`https://fcm.googleapis.com/${"a".repeat(2_100)}`, false)).toMatch(/longer/);
    expect(endpointProblem("http://127.0.0.1:9/push/x", true)).toBeNull();
    expect(endpointProblem("javascript:alert(1)", true)).toMatch(/https/);
  });
});
