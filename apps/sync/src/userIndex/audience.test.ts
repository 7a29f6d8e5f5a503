import { userDocName } from "@chat/model";
import type { Document } from "@hocuspocus/server";
import { describe, expect, it } from "vitest";
import { IndexAudience } from "./audience.ts";

describe("IndexAudience", () => {
  it("counts an index that is loading here as watched, so a recount during its load is not lost", async () => {
    const open = { connections: new Map([["c", {}]]) } as unknown as Document;
    const idle = { connections: new Map() } as unknown as Document;
    const loaded = new Map([
      [userDocName("open"), open],
      [userDocName("idle"), idle],
    ]);
    const audience = new IndexAudience(
      (name) => loaded.get(name),
      null,
      (name) => name === userDocName("loading"),
    );
    const watching = await audience.watching(["open", "idle", "loading", "away"]);
    expect([...watching].sort()).toEqual(["loading", "open"]);
    // The idle one was passed over: it is brought in line when a device connects to it.
    expect(audience.catchUpOnConnect(idle)).toBe(true);
    expect(audience.catchUpOnConnect(idle)).toBe(false);
  });
});
