import { describe, expect, it } from "vitest";
import { displayNameOf, hasOwnDisplayName, initials, plainNameOf } from "./people";

describe("how a person is shown", () => {
  it("a deactivated account shows as NAME (deactivated) wherever names show; its initials stay its own", () => {
    const bob = { username: "bob", displayName: "Bob Stone", deactivated: true };
    expect(displayNameOf(bob)).toBe("Bob Stone (deactivated)");
    expect(displayNameOf({ username: "carol", displayName: "carol", deactivated: true })).toBe(
      "carol (deactivated)",
    );
    expect(displayNameOf({ username: "dave", displayName: "dave" })).toBe("dave");
    expect(initials(plainNameOf(bob))).toBe("BS");
  });

  it("the handle is shown beside the name when the name says more: a display name, or (deactivated)", () => {
    expect(hasOwnDisplayName({ username: "dave", displayName: "dave" })).toBe(false);
    expect(hasOwnDisplayName({ username: "dave", displayName: "Dave" })).toBe(true);
    expect(hasOwnDisplayName({ username: "carol", displayName: "carol", deactivated: true })).toBe(true);
    expect(hasOwnDisplayName(undefined)).toBe(false);
  });
});
