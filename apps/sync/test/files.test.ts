import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Attachment,
  appendMessage,
  createMessage,
  deleteMessage,
  editMessage,
  FILE_NAME_HEADER,
  messageEdits,
  newAttachmentId,
  segmentDocName,
} from "@chat/model";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  api,
  closeReason,
  createStorage,
  Device,
  eventually,
  joinRoom,
  signUp,
  startTestServer,
  storedDoc,
  type TestServer,
  type TestStorage,
  type TestUser,
  uniqueName,
} from "./harness.ts";
import { mountTinyDisk } from "./tinyDisk.ts";

/**
 * Files end to end over HTTP (docs/api.md "Files"): every bad input of issue 19, what a download
 * answers and to whom, dedupe, and deletion. The server takes at most 256 KiB per file here.
 */
const LIMIT = 256 * 1024;
let storage: TestStorage;
let server: TestServer;
let filesDir: string;
const devices: Device[] = [];
const device = (user: TestUser) => {
  const d = new Device(server, user);
  devices.push(d);
  return d;
};

let ownDataDir: string | null = null;
beforeAll(async () => {
  storage = await createStorage();
  // With Postgres the files still go to a folder of this test's own, not the repository's ./data.
  if (!storage.env.DATA_DIR) ownDataDir = mkdtempSync(join(tmpdir(), "chat-files-"));
  const dataDir = storage.env.DATA_DIR ?? ownDataDir!;
  server = await startTestServer(storage, 0, { DATA_DIR: dataDir }, { maxUploadBytes: LIMIT });
  filesDir = join(dataDir, "files");
});
afterAll(async () => {
  for (const d of devices) d.destroy();
  await server?.close();
  await storage?.dispose();
  if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
});

const png = (width = 640, height = 480, seed = 0) =>
  sharp({ create: { width, height, channels: 3, background: { r: seed % 256, g: 120, b: 200 } } })
    .png()
    .toBuffer();
const PDF = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");

async function upload(
  user: TestUser | null,
  roomId: string,
  bytes: Buffer,
  name = "file.bin",
  id = newAttachmentId(),
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${server.url}/api/rooms/${roomId}/files/${id}`, {
    method: "PUT",
    headers: {
      ...(user ? { cookie: user.cookie } : {}),
      [FILE_NAME_HEADER]: encodeURIComponent(name),
      "content-type": "application/octet-stream",
      ...headers,
    },
    body: new Uint8Array(bytes),
  });
  // biome-ignore lint/suspicious/noExplicitAny: an answer's JSON, checked by each test
  const body: any = await response.json();
  return { status: response.status, body, id };
}

async function download(user: TestUser | null, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}${path}`, {
    headers: { ...(user ? { cookie: user.cookie } : {}), ...headers },
  });
  return {
    status: response.status,
    headers: response.headers,
    bytes: Buffer.from(await response.arrayBuffer()),
  };
}

async function newRoom(owner: TestUser, options: { private?: boolean } = {}): Promise<string> {
  const room = await api(
    server,
    "POST",
    "/api/rooms",
    { name: uniqueName("files "), ...options },
    owner.cookie,
  );
  return room.body.room.id as string;
}

async function join_(user: TestUser, roomId: string) {
  await joinRoom(server, user, roomId);
}

/** Sends a message naming the files, as the app does, and waits until the server numbered it. */
async function send(user: TestUser, roomId: string, text: string, attachments: Attachment[]) {
  const { doc, provider } = await device(user).open(segmentDocName(roomId, 0));
  const message = createMessage(user.id, text, Date.now(), undefined, attachments);
  appendMessage(doc, message);
  await eventually(() => !provider.hasUnsyncedChanges, 5_000, "the message stored");
  await server.sequencer.settled(segmentDocName(roomId, 0));
  return { doc, provider, message };
}

const blobFiles = () =>
  existsSync(join(filesDir, "blobs"))
    ? readdirSync(join(filesDir, "blobs"), { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
        .length
    : 0;
const tempFiles = () => (existsSync(join(filesDir, "tmp")) ? readdirSync(join(filesDir, "tmp")).length : 0);

describe("uploading a file", () => {
  it("stores it, detects its type and dimensions from the bytes, and answers a retry the same", async () => {
    const alice = await signUp(server, "alice");
    const roomId = await newRoom(alice);
    const image = await png();
    const first = await upload(alice, roomId, image, "Holiday photo 🌴.png");
    expect(first.status).toBe(201);
    expect(first.body.file).toEqual({
      id: first.id,
      name: "Holiday photo 🌴.png",
      size: image.length,
      type: "image/png",
      width: 640,
      height: 480,
    });
    const retry = await upload(alice, roomId, image, "Holiday photo 🌴.png", first.id);
    expect(retry).toMatchObject({ status: 200, body: first.body });
    const other = await upload(alice, roomId, PDF, "Holiday photo 🌴.png", first.id);
    expect(other.status).toBe(409);
    expect(other.body.error).toMatch(/already taken/);
    const bob = await signUp(server, "bob");
    await join_(bob, roomId);
    expect((await upload(bob, roomId, image, "mine.png", first.id)).status).toBe(409);
  });

  it("believes the bytes, not the name: a .png that is a PDF is a PDF (and a download)", async () => {
    const alice = await signUp(server, "alice");
    const roomId = await newRoom(alice);
    const lying = await upload(alice, roomId, PDF, "cute-cat.png");
    expect(lying.status).toBe(201);
    expect(lying.body.file).toEqual({
      id: lying.id,
      name: "cute-cat.png",
      size: PDF.length,
      type: "application/pdf",
    });
    const svg = await upload(
      alice,
      roomId,
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      "x.png",
    );
    expect(svg.body.file.type).toBe("image/svg+xml");
    const html = await upload(
      alice,
      roomId,
      Buffer.from("<!DOCTYPE html><script>alert(1)</script>"),
      "page.jpg",
    );
    expect(html.body.file.type).toBe("text/html");
    const text = await upload(alice, roomId, Buffer.from("plain words, ünïcode"), "notes.txt");
    expect(text.body.file.type).toBe("text/plain");
    const noise = await upload(alice, roomId, Buffer.from([0, 159, 146, 150, 1, 2, 3]), "data");
    expect(noise.body.file.type).toBe("application/octet-stream");
    // Bytes that start like a PNG but are not one: a PNG by its signature, without dimensions (a download).
    const broken = Buffer.concat([(await png()).subarray(0, 40), Buffer.alloc(100)]);
    const damaged = await upload(alice, roomId, broken, "broken.png");
    expect(damaged.body.file).toEqual({ id: damaged.id, name: "broken.png", size: 140, type: "image/png" });
  });

  it("refuses every bad input with a sentence, and keeps nothing of it", async () => {
    const alice = await signUp(server, "alice");
    const carol = await signUp(server, "carol");
    const roomId = await newRoom(alice, { private: true });
    const before = blobFiles();
    const cases: Array<[string, Promise<{ status: number; body: { error: string } }>, number, RegExp]> = [
      [
        "over the limit",
        upload(alice, roomId, Buffer.alloc(LIMIT + 1, 7), "big.bin"),
        413,
        /larger than this server takes \(0.25 MB\)/,
      ],
      ["empty", upload(alice, roomId, Buffer.alloc(0), "empty.txt"), 400, /empty/],
      ["a slash", upload(alice, roomId, PDF, "../../etc/passwd"), 400, /cannot contain \//],
      ["a backslash", upload(alice, roomId, PDF, "C:\\boot.ini"), 400, /cannot contain/],
      ["a control character", upload(alice, roomId, PDF, "bell\u0007.pdf"), 400, /control characters/],
      ["a new line", upload(alice, roomId, PDF, "two\nlines.pdf"), 400, /control characters/],
      [
        "1,000 characters",
        upload(alice, roomId, PDF, `${"a".repeat(996)}.pdf`),
        400,
        /at most 255 characters \(this one has 1,000\)/,
      ],
      ["no name", upload(alice, roomId, PDF, ""), 400, /needs a name/],
      ["a bad id", upload(alice, roomId, PDF, "a.pdf", "Not_An_Id"), 400, /file id/],
      ["a room one is not in", upload(carol, roomId, PDF, "a.pdf"), 404, /no such room/],
      ["a room that does not exist", upload(alice, "nosuchroom000000", PDF, "a.pdf"), 404, /no such room/],
    ];
    for (const [what, attempt, status, error] of cases) {
      const answer = await attempt;
      expect(answer.status, what).toBe(status);
      expect(answer.body.error, what).toMatch(error);
    }
    const noHeader = await fetch(`${server.url}/api/rooms/${roomId}/files/${newAttachmentId()}`, {
      method: "PUT",
      headers: { cookie: alice.cookie },
      body: PDF,
    });
    expect(noHeader.status).toBe(400);
    expect(((await noHeader.json()) as { error: string }).error).toMatch(/X-File-Name/);
    expect((await upload(null, roomId, PDF, "a.pdf")).status).toBe(401);
    expect(blobFiles()).toBe(before);
    expect(tempFiles()).toBe(0);
  });

  it("tells the app its limit with the session, so a file too big is refused as it is chosen", async () => {
    const alice = await signUp(server, "alice");
    const session = await api(server, "GET", "/api/session", undefined, alice.cookie);
    expect(session.body.maxUploadBytes).toBe(LIMIT);
  });

  it("refuses a file over the limit that does not say its size, once it gets there", async () => {
    const alice = await signUp(server, "alice");
    const roomId = await newRoom(alice);
    const id = newAttachmentId();
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > LIMIT * 4) return controller.close();
        sent += 16 * 1024;
        controller.enqueue(new Uint8Array(16 * 1024).fill(3));
      },
    });
    const response = await fetch(`${server.url}/api/rooms/${roomId}/files/${id}`, {
      method: "PUT",
      headers: { cookie: alice.cookie, [FILE_NAME_HEADER]: "stream.bin" },
      body,
      duplex: "half",
    } as RequestInit).catch((error: Error) => error);
    // The server answers 413 and closes the connection; a client still sending may see the close first.
    if (!(response instanceof Error)) expect(response.status).toBe(413);
    await eventually(() => tempFiles() === 0, 5_000, "the partial file removed");
    expect((await server.db.query("select 1 from attachments where id = $1", [id])).length).toBe(0);
  });

  it("keeps nothing of an upload whose client goes away halfway", async () => {
    const alice = await signUp(server, "alice");
    const roomId = await newRoom(alice);
    const id = newAttachmentId();
    const before = blobFiles();
    const request = httpRequest(`${server.url}/api/rooms/${roomId}/files/${id}`, {
      method: "PUT",
      headers: { cookie: alice.cookie, [FILE_NAME_HEADER]: "half.bin", "content-length": String(200_000) },
    });
    request.on("error", () => {});
    request.write(Buffer.alloc(100_000, 1));
    await eventually(() => tempFiles() === 1, 5_000, "the upload under way");
    request.destroy();
    await eventually(() => tempFiles() === 0, 5_000, "the partial file removed");
    expect(blobFiles()).toBe(before);
    expect((await server.db.query("select 1 from attachments where id = $1", [id])).length).toBe(0);
  });

  it("stores the same bytes once, however often they are uploaded", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const roomId = await newRoom(alice);
    await join_(bob, roomId);
    const image = await png(320, 200, 77);
    const before = blobFiles();
    const one = await upload(alice, roomId, image, "a.png");
    const two = await upload(bob, roomId, image, "b.png");
    expect([one.status, two.status]).toEqual([201, 201]);
    expect(blobFiles()).toBe(before + 1);
    const [row] = await server.db.query<{ n: number }>(
      "select count(*)::int as n from attachments where id = any($1::text[]) group by sha256",
      [[one.id, two.id]],
    );
    expect(row?.n).toBe(2);
  });
});

describe("downloading a file", () => {
  it("serves a public room's files to anyone signed in, as its history is (a preview), not to nobody", async () => {
    const alice = await signUp(server, "alice");
    const reader = await signUp(server, "reader");
    const roomId = await newRoom(alice);
    const { body, id } = await upload(alice, roomId, PDF, "agenda.pdf");
    const path = `/api/files/${id}`;
    // Not before a message names it: until then it is the uploader's alone, in any room.
    expect((await download(reader, path)).status).toBe(404);
    await send(alice, roomId, "", [body.file]);
    expect((await download(reader, path)).status).toBe(200);
    expect((await download(null, path)).status).toBe(404);
  });

  it("serves it to the uploader, then to members once a message names it, and to nobody else", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const mallory = await signUp(server, "mallory");
    const roomId = await newRoom(alice, { private: true });
    await api(server, "POST", `/api/rooms/${roomId}/members`, { username: bob.username }, alice.cookie);
    const { body, id } = await upload(alice, roomId, PDF, "Q3 report.pdf");
    const path = `/api/files/${id}`;
    expect((await download(alice, path)).status).toBe(200);
    // Before a message names it, it is the uploader's alone.
    expect((await download(bob, path)).status).toBe(404);
    await send(alice, roomId, "", [body.file]);
    const got = await download(bob, path);
    expect(got.status).toBe(200);
    expect(got.bytes.equals(PDF)).toBe(true);
    for (const [who, user] of [
      ["a non-member", mallory],
      ["no session", null],
    ] as const) {
      const refused = await download(user, path);
      expect(refused.status, who).toBe(404);
      expect(JSON.parse(refused.bytes.toString()), who).toEqual({
        error: "There is no such file, or you may not see it.",
      });
    }
    // The same body as a file that does not exist: nothing tells them apart.
    const missing = await download(mallory, `/api/files/${newAttachmentId()}`);
    expect(missing.bytes.toString()).toBe((await download(mallory, path)).bytes.toString());
  });

  it("answers with the caching, type, disposition and range headers of the contract", async () => {
    const alice = await signUp(server, "alice");
    const roomId = await newRoom(alice);
    const image = await png(1200, 800, 3);
    const photo = (await upload(alice, roomId, image, "Straße & co.png")).body.file as Attachment;
    const report = (await upload(alice, roomId, PDF, "report (final).pdf")).body.file as Attachment;
    const svg = (
      await upload(alice, roomId, Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'/>"), "logo.svg")
    ).body.file as Attachment;
    await send(alice, roomId, "files", [photo, report, svg]);

    const whole = await download(alice, `/api/files/${photo.id}`);
    expect(whole.status).toBe(200);
    expect(whole.bytes.equals(image)).toBe(true);
    expect(Object.fromEntries(whole.headers)).toMatchObject({
      "content-type": "image/png",
      "cache-control": "private, max-age=31536000, immutable",
      "x-content-type-options": "nosniff",
      "accept-ranges": "bytes",
      "content-length": String(image.length),
    });
    expect(whole.headers.get("content-disposition")).toBe(
      "inline; filename=\"Stra_e & co.png\"; filename*=UTF-8''Stra%C3%9Fe%20%26%20co.png",
    );
    const etag = whole.headers.get("etag")!;
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect((await download(alice, `/api/files/${photo.id}`, { "if-none-match": etag })).status).toBe(304);
    expect(
      (await download(alice, `/api/files/${photo.id}?download=1`)).headers.get("content-disposition"),
    ).toMatch(/^attachment; /);
    for (const file of [report, svg]) {
      const got = await download(alice, `/api/files/${file.id}`);
      expect(got.headers.get("content-disposition"), file.name).toMatch(/^attachment; .*filename\*=UTF-8''/);
      expect(got.headers.get("content-security-policy"), file.name).toBe("default-src 'none'; sandbox");
    }
    expect((await download(alice, `/api/files/${report.id}`)).headers.get("content-disposition")).toBe(
      "attachment; filename=\"report (final).pdf\"; filename*=UTF-8''report%20%28final%29.pdf",
    );

    const part = await download(alice, `/api/files/${photo.id}`, { range: "bytes=10-19" });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 10-19/${image.length}`);
    expect(part.bytes.equals(image.subarray(10, 20))).toBe(true);
    const tail = await download(alice, `/api/files/${photo.id}`, { range: "bytes=-5" });
    expect(tail.bytes.equals(image.subarray(image.length - 5))).toBe(true);
    const open = await download(alice, `/api/files/${photo.id}`, { range: `bytes=${image.length - 3}-` });
    expect(open.bytes.length).toBe(3);
    const past = await download(alice, `/api/files/${photo.id}`, { range: `bytes=${image.length}-` });
    expect(past.status).toBe(416);
    expect(past.headers.get("content-range")).toBe(`bytes */${image.length}`);
    expect(JSON.parse(past.bytes.toString()).error).toMatch(/past its end/);
    // A range for another version (If-Range) gets the whole file.
    expect(
      (await download(alice, `/api/files/${photo.id}`, { range: "bytes=0-1", "if-range": '"old"' })).status,
    ).toBe(200);

    const thumbnail = await download(alice, `/api/files/${photo.id}/thumbnail`);
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.headers.get("content-type")).toBe("image/webp");
    expect(thumbnail.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
    const meta = await sharp(thumbnail.bytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["webp", 480, 320]);
    expect((await download(alice, `/api/files/${report.id}/thumbnail`)).status).toBe(404);
  });
});

describe("deleting a message", () => {
  it("hides its files from everyone and removes bytes nothing else uses", async () => {
    const alice = await signUp(server, "alice");
    const bob = await signUp(server, "bob");
    const roomId = await newRoom(alice);
    await join_(bob, roomId);
    const shared = await png(100, 100, 200);
    const own = (await upload(alice, roomId, await png(90, 90, 201), "own.png")).body.file as Attachment;
    const copy = (await upload(alice, roomId, shared, "copy.png")).body.file as Attachment;
    const kept = (await upload(bob, roomId, shared, "kept.png")).body.file as Attachment;
    const { doc, message } = await send(alice, roomId, "two files", [own, copy]);
    await send(bob, roomId, "the same picture", [kept]);
    expect((await download(bob, `/api/files/${own.id}/thumbnail`)).status).toBe(200);
    const before = blobFiles();

    deleteMessage(doc, message, alice.id);
    await eventually(
      async () => (await download(bob, `/api/files/${own.id}`)).status === 404,
      5_000,
      "hidden",
    );
    for (const user of [alice, bob])
      for (const file of [own, copy]) {
        expect((await download(user, `/api/files/${file.id}`)).status).toBe(404);
        expect((await download(user, `/api/files/${file.id}/thumbnail`)).status).toBe(404);
      }
    // Bob's message names the same bytes: they stay, for him.
    expect((await download(alice, `/api/files/${kept.id}`)).bytes.equals(shared)).toBe(true);
    await eventually(() => blobFiles() === before - 1, 5_000, "the unused bytes removed");
  });
});

describe("the file store refusing a write", () => {
  it("answers 503 with a sentence and loses nothing already stored", async () => {
    const alice = await signUp(server, "alice");
    const roomId = await newRoom(alice);
    const stored = (await upload(alice, roomId, PDF, "before.pdf")).body.file as Attachment;
    await send(alice, roomId, "", [stored]);
    // The folder for temporary files becomes a file: every write fails (as a read-only disk would).
    rmSync(join(filesDir, "tmp"), { recursive: true, force: true });
    writeFileSync(join(filesDir, "tmp"), "in the way");
    try {
      const refused = await upload(alice, roomId, await png(10, 10, 9), "after.png");
      expect(refused.status).toBe(503);
      expect(refused.body.error).toMatch(/cannot store files right now/);
      expect((await server.db.query("select 1 from attachments where id = $1", [refused.id])).length).toBe(0);
      expect((await download(alice, `/api/files/${stored.id}`)).bytes.equals(PDF)).toBe(true);
    } finally {
      rmSync(join(filesDir, "tmp"), { force: true });
    }
    expect((await upload(alice, roomId, await png(10, 10, 9), "after.png")).status).toBe(201);
  });
});

describe("a message's attachments, judged by the write rules", () => {
  it("refuses files the author did not upload to this room, or not as uploaded, and keeps the list immutable", async () => {
    const alice = await signUp(server, "alice");
    const mallory = await signUp(server, "mallory");
    const roomId = await newRoom(alice);
    const otherRoom = await newRoom(mallory);
    await join_(mallory, roomId);
    const alices = (await upload(alice, roomId, PDF, "alice.pdf")).body.file as Attachment;
    const elsewhere = (await upload(mallory, otherRoom, PDF, "there.pdf")).body.file as Attachment;
    const malloryFile = (await upload(mallory, roomId, await png(50, 40, 5), "m.png")).body
      .file as Attachment;
    const segment = segmentDocName(roomId, 0);

    const attempts: Array<[string, Attachment[], RegExp]> = [
      ["someone else's upload", [alices], /files its author uploaded/],
      ["an upload to another room", [elsewhere], /uploaded to its room/],
      ["a file never uploaded", [{ ...malloryFile, id: newAttachmentId() }], /uploaded before it/],
      ["another size", [{ ...malloryFile, size: malloryFile.size + 1 }], /exactly what the upload answered/],
      [
        "another type",
        [{ ...malloryFile, type: "application/pdf", width: undefined, height: undefined }],
        /exactly/,
      ],
      ["other dimensions", [{ ...malloryFile, width: 5000 }], /exactly/],
      ["another name", [{ ...malloryFile, name: "renamed.png" }], /exactly/],
    ];
    for (const [what, attachments, reason] of attempts) {
      const { doc, provider } = await device(mallory).open(segment);
      const closing = closeReason(provider);
      const record = {
        ...createMessage(mallory.id, "look", Date.now(), undefined, [malloryFile]),
        attachments,
      };
      // A key set to undefined is no key at all in the record sent.
      appendMessage(doc, JSON.parse(JSON.stringify(record)));
      expect(await closing, what).toMatch(new RegExp(`^forbidden-write: .*${reason.source}`));
    }
    // Her own file as uploaded goes through, once; a second message cannot take it.
    const first = await send(mallory, roomId, "", [malloryFile]);
    expect((await download(alice, `/api/files/${malloryFile.id}`)).status).toBe(200);
    {
      const { doc, provider } = await device(mallory).open(segment);
      const closing = closeReason(provider);
      appendMessage(doc, createMessage(mallory.id, "again", Date.now(), undefined, [malloryFile]));
      expect(await closing).toBe("forbidden-write: a file belongs to one message");
    }
    // An edit is text only: an edit record that carries attachments is refused.
    {
      const { doc, provider } = await device(mallory).open(segment);
      const closing = closeReason(provider);
      messageEdits(doc).set(first.message.id, { text: "", deleted: false, at: 1, attachments: [] } as never);
      expect(await closing).toMatch(/^forbidden-write: an edit does not have the edit shape/);
    }
    // Emptying the text of a message with files is an edit like any other.
    editMessage(first.doc, first.message, mallory.id, "");
    await eventually(() => !first.provider.hasUnsyncedChanges, 5_000, "the edit stored");
    expect(messageEdits(await storedDoc(server, segment)).get(first.message.id)).toMatchObject({ text: "" });
  });
});

describe("the sweep", () => {
  it("drops uploads no message named within a week, and the files of messages deleted unseen", async () => {
    const alice = await signUp(server, "alice");
    const roomId = await newRoom(alice);
    const forgotten = (await upload(alice, roomId, await png(30, 30, 31), "forgotten.png")).body
      .file as Attachment;
    const recent = (await upload(alice, roomId, await png(30, 30, 32), "recent.png")).body.file as Attachment;
    const named = (await upload(alice, roomId, await png(30, 30, 33), "named.png")).body.file as Attachment;
    const { message } = await send(alice, roomId, "", [named]);
    await server.db.query(
      "update attachments set created_at = now() - interval '8 days' where id = any($1::text[])",
      [[forgotten.id, named.id]],
    );
    // A deletion this instance did not act on (another instance's, or one before a crash): only the
    // user index's record of it.
    await server.db.query("update room_messages set deleted = true where room_id = $1 and message_id = $2", [
      roomId,
      message.id,
    ]);
    expect((await download(alice, `/api/files/${named.id}`)).status).toBe(404);
    const before = blobFiles();
    await server.files.sweep();
    expect((await download(alice, `/api/files/${forgotten.id}`)).status).toBe(404);
    expect((await download(alice, `/api/files/${recent.id}`)).status).toBe(200);
    expect(blobFiles()).toBe(before - 2);
    // A retry of the forgotten upload under its id is refused: ids are never reused.
    expect((await upload(alice, roomId, await png(30, 30, 31), "forgotten.png", forgotten.id)).status).toBe(
      409,
    );
  });
});

describe("a full disk", () => {
  const disk = mountTinyDisk(1024 * 1024);
  afterAll(() => disk?.unmount());

  it.skipIf(disk === null)("answers 507 with a sentence and loses nothing already stored", async () => {
    // A database of its own (two servers never share one PGlite folder); its files on the tiny disk.
    const own = await createStorage();
    const full = await startTestServer(
      own,
      0,
      { DATA_DIR: own.env.DATA_DIR ?? ownDataDir! },
      { maxUploadBytes: 8 * 1024 * 1024, fileStore: { kind: "disk", dir: join(disk!.dir, "files") } },
    );
    try {
      const alice = await signUp(full, "alice");
      const room = await api(full, "POST", "/api/rooms", { name: uniqueName("full ") }, alice.cookie);
      const put = async (bytes: Buffer, name: string) => {
        const response = await fetch(
          `${full.url}/api/rooms/${room.body.room.id}/files/${newAttachmentId()}`,
          {
            method: "PUT",
            headers: { cookie: alice.cookie, [FILE_NAME_HEADER]: name },
            body: new Uint8Array(bytes),
          },
        );
        return {
          status: response.status,
          body: (await response.json()) as { error?: string; file?: Attachment },
        };
      };
      const kept = await put(PDF, "kept.pdf");
      expect(kept.status).toBe(201);
      const refused = await put(Buffer.alloc(2 * 1024 * 1024, 5), "too-big-for-the-disk.bin");
      expect(refused.status).toBe(507);
      expect(refused.body.error).toMatch(/no room left for files/);
      const back = await fetch(`${full.url}/api/files/${kept.body.file!.id}`, {
        headers: { cookie: alice.cookie },
      });
      expect(Buffer.from(await back.arrayBuffer()).equals(PDF)).toBe(true);
      expect(readdirSync(join(disk!.dir, "files", "tmp"))).toEqual([]);
    } finally {
      await full.close();
      await own.dispose();
    }
  });
});
