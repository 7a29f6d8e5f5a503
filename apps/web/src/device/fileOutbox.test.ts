import "fake-indexeddb/auto";
import { describe, expect, it } from "vitest";
import { deleteFileOutbox, type OutboxMessage, openFileOutbox } from "./fileOutbox";

const waiting = (id: string, createdAt: number, bytes = "%PDF-1.7"): OutboxMessage => ({
  id,
  roomId: "room1",
  author: "ann",
  createdAt,
  text: `message ${id}`,
  files: [
    {
      id: `${id}-f`,
      name: "report.pdf",
      size: bytes.length,
      localType: "application/pdf",
      blob: new Blob([bytes]),
    },
  ],
});

describe("the file outbox on the device", () => {
  it("keeps waiting messages with their files' bytes across a reopen (a reload), oldest first", async () => {
    const outbox = await openFileOutbox("ann");
    await outbox.put(waiting("b", 20));
    await outbox.put(waiting("a", 10, "first bytes"));
    outbox.close();

    const reopened = await openFileOutbox("ann");
    const listed = await reopened.list();
    expect(listed.map((message) => message.id)).toEqual(["a", "b"]);
    expect(await listed[0]!.files[0]!.blob.text()).toBe("first bytes");
    expect(listed[0]!.files[0]).toMatchObject({ name: "report.pdf", size: 11, localType: "application/pdf" });

    // An upload's answer and the segment it went to are written over the same entry.
    const uploaded = listed[0]!;
    uploaded.files[0]!.stored = { id: "a-f", name: "report.pdf", size: 11, type: "application/pdf" };
    uploaded.appendedTo = "room:room1/0";
    await reopened.put(uploaded);
    expect((await reopened.list())[0]).toMatchObject({
      appendedTo: "room:room1/0",
      files: [{ stored: { type: "application/pdf" } }],
    });

    expect((await reopened.get("a"))?.appendedTo).toBe("room:room1/0");
    await reopened.delete("a");
    expect(await reopened.get("a")).toBeUndefined();
    expect((await reopened.list()).map((message) => message.id)).toEqual(["b"]);
    reopened.close();
  });

  it("is one person's: another's outbox is separate, and sign-out deletes it", async () => {
    const ann = await openFileOutbox("ann2");
    const bob = await openFileOutbox("bob2");
    await ann.put(waiting("x", 1));
    expect(await bob.list()).toEqual([]);
    bob.close();

    // Sign-out in another tab: this one lets the database go.
    await deleteFileOutbox("ann2");
    await expect(ann.list()).rejects.toThrow(/closed/);
    const fresh = await openFileOutbox("ann2");
    expect(await fresh.list()).toEqual([]);
    fresh.close();
  });
});
