import "fake-indexeddb/auto";
import {
  type Attachment,
  appendMessage,
  createMessage,
  initRoom,
  listMessages,
  type RoomMeta,
  roomDocName,
  segmentDocName,
} from "@chat/model";
import { describe, expect, it } from "vitest";
import { openFileOutbox } from "../device/fileOutbox";
import { ApiError } from "../lib/api";
import { createFileSender, type FileSenderOptions, type Upload } from "./fileSender";
import { memoryRegistry } from "./memoryRegistry";

const ROOM = "roomaaaaaaaaaaaa";

const meta: RoomMeta = {
  id: ROOM,
  name: "design",
  kind: "channel",
  topic: "",
  archived: false,
  createdBy: "ann",
  createdAt: 0,
};

/** A server's file endpoint: answers what it stored, or fails the way it is told to. */
function fakeServer() {
  const stored = new Map<string, Attachment>();
  const calls: string[] = [];
  let failWith: ApiError | null = null;
  const upload: Upload = async (roomId, id, name, bytes, onProgress) => {
    calls.push(`${roomId} ${id} ${name}`);
    if (failWith) throw failWith;
    onProgress(bytes.size / 2, bytes.size);
    onProgress(bytes.size, bytes.size);
    const isPng = name.endsWith(".png");
    const file: Attachment = isPng
      ? { id, name, size: bytes.size, type: "image/png", width: 640, height: 480 }
      : { id, name, size: bytes.size, type: "application/pdf" };
    stored.set(id, file);
    return file;
  };
  return {
    upload,
    calls,
    stored,
    fail(error: ApiError | null) {
      failWith = error;
    },
  };
}

function setup(scope: string) {
  const { registry, doc } = memoryRegistry();
  initRoom(doc(roomDocName(ROOM)), meta);
  const server = fakeServer();
  const start = (extra: Partial<FileSenderOptions> = {}) =>
    createFileSender({
      author: "ann",
      registry,
      outbox: openFileOutbox(scope),
      upload: server.upload,
      // Tests wake the sender themselves, as the network's return would.
      retryDelay: () => 3_600_000,
      syncWaitMs: 0,
      ...extra,
    });
  const segment = () => doc(segmentDocName(ROOM, 0));
  return { registry, server, start, segment };
}

const pdf = (id: string, name = "report.pdf") => ({ id, name, bytes: new Blob(["%PDF-1.7 report"]) });
const png = (id: string, name = "chart.png") => ({
  id,
  name,
  bytes: new Blob([new Uint8Array([137, 80, 78, 71])], { type: "image/png" }),
});

async function eventually(check: () => void, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

describe("sending messages with files", () => {
  it("shows the message at once, uploads its files, then appends it with the server's metadata", async () => {
    const { server, start, segment } = setup("s1");
    const sender = start();
    const message = sender.send(ROOM, "the numbers", [pdf("fileaaaaaaaaaaa1"), png("fileaaaaaaaaaaa2")]);
    expect(sender.messages().map((m) => m.id)).toEqual([message.id]);
    expect(sender.count()).toBe(1);

    await eventually(() => expect(sender.messages()).toEqual([]));
    expect(sender.count()).toBe(0);
    expect(server.calls).toEqual([
      `${ROOM} fileaaaaaaaaaaa1 report.pdf`,
      `${ROOM} fileaaaaaaaaaaa2 chart.png`,
    ]);
    const [sent] = listMessages(segment());
    expect(sent).toMatchObject({ id: message.id, author: "ann", text: "the numbers", seq: null });
    // Exactly what the uploads answered, in the order the files were chosen.
    expect(sent!.attachments).toEqual([
      server.stored.get("fileaaaaaaaaaaa1"),
      server.stored.get("fileaaaaaaaaaaa2"),
    ]);
    const outbox = await openFileOutbox("s1");
    expect(await outbox.list()).toEqual([]);
    outbox.close();
    sender.stop();
  });

  it("a reply with files waits in the outbox as a reply and is appended as one (its root, 'Also send to room')", async () => {
    const { start, segment } = setup("s1r");
    const sender = start();
    const message = sender.send(ROOM, "this one", [png("filerrrrrrrrrrr1")], {
      rootId: "rootaaaaaaaaaaaa",
      alsoInRoom: true,
    });
    expect(message).toMatchObject({ threadRoot: "rootaaaaaaaaaaaa", alsoInRoom: true });
    const outbox = await openFileOutbox("s1r");
    await eventually(() => expect(listMessages(segment())).toHaveLength(1));
    const [sent] = listMessages(segment());
    expect(sent).toMatchObject({
      id: message.id,
      text: "this one",
      threadRoot: "rootaaaaaaaaaaaa",
      alsoInRoom: true,
    });
    expect(sent!.attachments).toHaveLength(1);
    outbox.close();
    sender.stop();
  });

  it("refuses what the message would refuse, before anything is kept", () => {
    const { start } = setup("s2");
    const sender = start();
    const eleven = Array.from({ length: 11 }, (_, i) => pdf(`file${String(i).padStart(12, "0")}`));
    expect(() => sender.send(ROOM, "", eleven)).toThrow(/at most 10 files/);
    expect(() => sender.send(ROOM, "", [])).toThrow(/cannot be empty/);
    // Files make empty text fine.
    expect(() => sender.send(ROOM, "", [pdf("filebbbbbbbbbbb1")])).not.toThrow();
    sender.stop();
  });

  it("offline: the message waits on the device, survives a reload, and goes when the network returns", async () => {
    const { server, start, segment } = setup("s3");
    server.fail(new ApiError(0, "Cannot reach the server."));
    const first = start();
    const message = first.send(ROOM, "", [png("filecccccccccc01")]);
    await eventually(() => expect(server.calls.length).toBeGreaterThan(0));
    // Nothing refused: it just waits, counted as pending, with no problem to show.
    expect(first.messages()[0]!.files[0]!.problem).toBeUndefined();
    expect(first.count()).toBe(1);
    first.stop();

    // A reload: a new sender finds it on the device, still offline.
    const second = start();
    await eventually(() => expect(second.messages().map((m) => m.id)).toEqual([message.id]));
    expect(await second.messages()[0]!.files[0]!.blob.size).toBe(4);
    expect(listMessages(segment())).toEqual([]);

    server.fail(null);
    second.wake();
    await eventually(() => expect(second.messages()).toEqual([]));
    expect(listMessages(segment()).map((m) => m.id)).toEqual([message.id]);
    second.stop();
  });

  it("a message appended before a reload is not appended again", async () => {
    const { start, segment } = setup("s4");
    const outbox = await openFileOutbox("s4");
    const stored: Attachment = {
      id: "filedddddddddd01",
      name: "report.pdf",
      size: 3,
      type: "application/pdf",
    };
    await outbox.put({
      id: "msgdddddddddddd1",
      roomId: ROOM,
      author: "ann",
      createdAt: 5,
      text: "",
      files: [{ id: stored.id, name: stored.name, size: 3, localType: "", blob: new Blob(["abc"]), stored }],
      appendedTo: segmentDocName(ROOM, 0),
    });
    outbox.close();
    appendMessage(segment(), createMessage("ann", "", 5, "msgdddddddddddd1", [stored]));

    const sender = start();
    await eventually(() => expect(sender.messages()).toEqual([]));
    expect(listMessages(segment()).map((m) => m.id)).toEqual(["msgdddddddddddd1"]);
    sender.stop();
  });

  it("a file the server refuses keeps its sentence; the rest of the message goes once it is removed", async () => {
    const { server, start, segment } = setup("s5");
    const sender = start();
    server.fail(new ApiError(413, "The file is larger than 25 MB."));
    const message = sender.send(ROOM, "see attached", [pdf("fileeeeeeeeeee01", "huge.pdf")]);
    await eventually(() =>
      expect(sender.messages()[0]!.files[0]!.problem).toBe(
        "The file is larger than 25 MB. Remove it, or send a smaller file.",
      ),
    );
    // Not tried again by itself.
    sender.wake();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.calls.length).toBe(1);

    // Retry asks again (refused again here); Remove sends the text alone.
    sender.retry(message.id);
    await eventually(() => expect(server.calls.length).toBe(2));
    server.fail(null);
    sender.removeFile(message.id, "fileeeeeeeeeee01");
    await eventually(() => expect(sender.messages()).toEqual([]));
    const [sent] = listMessages(segment());
    expect(sent).toMatchObject({ id: message.id, text: "see attached" });
    expect(sent!.attachments).toBeUndefined();
    sender.stop();
  });

  it("removing the only file of a message with no text gives the message up", async () => {
    const { server, start, segment } = setup("s6");
    server.fail(new ApiError(415, "This kind of file cannot be sent."));
    const sender = start();
    const message = sender.send(ROOM, "  ", [pdf("fileffffffffff01")]);
    await eventually(() => expect(sender.messages()[0]!.files[0]!.problem).toBeDefined());
    sender.removeFile(message.id, "fileffffffffff01");
    expect(sender.messages()).toEqual([]);
    expect(sender.count()).toBe(0);
    const reopened = start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(reopened.messages()).toEqual([]);
    expect(listMessages(segment())).toEqual([]);
    sender.stop();
    reopened.stop();
  });

  it("a waiting message's text can be changed, and it goes with the new text", async () => {
    const { server, start, segment } = setup("s7");
    server.fail(new ApiError(0, "Cannot reach the server."));
    const sender = start();
    const message = sender.send(ROOM, "draft words", [pdf("filegggggggggg01")]);
    expect(() => sender.edit(message.id, "x".repeat(10_001))).toThrow(/at most/);
    sender.edit(message.id, "");
    sender.edit(message.id, "final words");
    expect(sender.messages()[0]!.text).toBe("final words");
    server.fail(null);
    sender.wake();
    await eventually(() => expect(sender.messages()).toEqual([]));
    expect(listMessages(segment())[0]).toMatchObject({ id: message.id, text: "final words" });
    sender.stop();
  });

  it("a file whose id was taken goes under a new id when retried", async () => {
    const { server, start, segment } = setup("s8");
    server.fail(new ApiError(409, "That file id is taken."));
    const sender = start();
    const message = sender.send(ROOM, "", [pdf("filehhhhhhhhhh01")]);
    await eventually(() => expect(sender.messages()[0]!.files[0]!.refusedWith).toBe(409));
    server.fail(null);
    sender.retry(message.id);
    await eventually(() => expect(sender.messages()).toEqual([]));
    const [sent] = listMessages(segment());
    expect(sent!.attachments![0]!.id).not.toBe("filehhhhhhhhhh01");
    expect(server.calls[1]).toBe(`${ROOM} ${sent!.attachments![0]!.id} report.pdf`);
    sender.stop();
  });
});
