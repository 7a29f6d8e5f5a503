import { describe, expect, it } from "vitest";
import { OpenDocuments } from "./openDocuments.ts";

describe("OpenDocuments", () => {
  it("counts documents opening and open per socket and per account; closing frees a place", () => {
    const places = new OpenDocuments({ openPerSocket: 2, openPerAccount: 3 });
    expect(places.admit("s1", "u", "a", 0)).toBeNull();
    expect(places.admit("s1", "u", "b", 0)).toBeNull();
    expect(places.admit("s1", "u", "c", 0)).toBe("socket");
    expect(places.admit("s2", "u", "c", 0)).toBeNull();
    expect(places.admit("s2", "u", "d", 0)).toBe("account");
    expect(places.admit("s3", "v", "d", 0)).toBeNull(); // someone else
    places.opened("s1", "u", "a");
    places.closed("s1", "u", "a");
    expect(places.admit("s1", "u", "c", 0)).toBeNull();
  });

  it("gives back a place whose document never opened after a minute; a close that was never counted frees nothing", () => {
    const places = new OpenDocuments({ openPerSocket: 1, openPerAccount: 10 });
    expect(places.admit("s", "u", "a", 0)).toBeNull();
    places.closed("s", "u", "a"); // the socket went away while "a" loaded: not counted as open yet
    expect(places.admit("s", "u", "b", 30_000)).toBe("socket");
    expect(places.admit("s", "u", "b", 60_001)).toBeNull();
    places.opened("s", "u", "b");
    expect(places.admit("s", "u", "c", 200_000)).toBe("socket"); // open documents never expire
  });
});
