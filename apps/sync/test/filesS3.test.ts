import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import {
  type Attachment,
  appendMessage,
  createMessage,
  deleteMessage,
  FILE_NAME_HEADER,
  newAttachmentId,
  segmentDocName,
} from "@chat/model";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeS3, startFakeS3 } from "./fakeS3.ts";
import {
  api,
  createStorage,
  Device,
  eventually,
  signUp,
  startTestServer,
  type TestServer,
  type TestStorage,
  type TestUser,
  uniqueName,
} from "./harness.ts";

/**
 * The server with its files in S3-compatible storage (s3rver, a real S3 API on this machine), as
 * docker-compose runs it with MinIO: the bucket made at first use, uploads streamed into it in parts,
 * downloads and ranges read from it, and bytes removed from it when nothing refers to them.
 */
const BUCKET = `chat-files-${process.pid}`;
let s3: FakeS3;
let storage: TestStorage;
let server: TestServer;
const devices: Device[] = [];

beforeAll(async () => {
  s3 = await startFakeS3();
  storage = await createStorage();
  server = await startTestServer(storage, 0, s3.env(BUCKET), { maxUploadBytes: 20 * 1024 * 1024 });
});
afterAll(async () => {
  for (const d of devices) d.destroy();
  await server?.close();
  await storage?.dispose();
  await s3?.close();
});

async function objects(prefix: string): Promise<string[]> {
  const { endpoint, region, accessKeyId, secretAccessKey } = s3.options(BUCKET);
  const client = new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    credentials: { accessKeyId: accessKeyId!, secretAccessKey: secretAccessKey! },
  });
  try {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
    return (listed.Contents ?? []).map((o) => o.Key!);
  } finally {
    client.destroy();
  }
}

async function upload(user: TestUser, roomId: string, bytes: Buffer, name: string) {
  const id = newAttachmentId();
  const response = await fetch(`${server.url}/api/rooms/${roomId}/files/${id}`, {
    method: "PUT",
    headers: { cookie: user.cookie, [FILE_NAME_HEADER]: encodeURIComponent(name) },
    body: new Uint8Array(bytes),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { file: Attachment }).file;
}

describe("files in an S3 bucket", () => {
  it("stores, dedupes, serves, thumbnails and removes files through the S3 API", async () => {
    const alice = await signUp(server, "alice");
    const room = await api(server, "POST", "/api/rooms", { name: uniqueName("s3 ") }, alice.cookie);
    const roomId = room.body.room.id as string;
    // Over one upload part (8 MiB): a multipart upload. Noise, so that it is not one colour.
    const big = Buffer.alloc(9 * 1024 * 1024 + 17);
    for (let i = 0; i + 4 <= big.length; i += 4) big.writeUInt32LE(Math.imul(i, 2654435761) >>> 0, i);
    const blob = await upload(alice, roomId, big, "archive.bin");
    expect(blob).toMatchObject({ size: big.length, type: "application/octet-stream" });
    const image = await sharp({ create: { width: 800, height: 600, channels: 3, background: "#3366cc" } })
      .jpeg()
      .toBuffer();
    const photo = await upload(alice, roomId, image, "photo.jpg");
    const again = await upload(alice, roomId, image, "same photo.jpg");
    expect(photo).toMatchObject({ type: "image/jpeg", width: 800, height: 600 });
    expect(await objects("blobs/")).toHaveLength(2);
    expect(await objects("tmp/")).toEqual([]);

    const d = new Device(server, alice);
    devices.push(d);
    const { doc, provider } = await d.open(segmentDocName(roomId, 0));
    const message = createMessage(alice.id, "from the bucket", Date.now(), undefined, [blob, photo]);
    appendMessage(doc, message);
    appendMessage(doc, createMessage(alice.id, "", Date.now(), undefined, [again]));
    await eventually(() => !provider.hasUnsyncedChanges, 5_000, "stored");

    const range = await fetch(`${server.url}/api/files/${blob.id}`, {
      headers: { cookie: alice.cookie, range: "bytes=8388600-8388615" },
    });
    expect(range.status).toBe(206);
    expect(Buffer.from(await range.arrayBuffer()).equals(big.subarray(8388600, 8388616))).toBe(true);
    const whole = await fetch(`${server.url}/api/files/${blob.id}`, { headers: { cookie: alice.cookie } });
    expect(Buffer.from(await whole.arrayBuffer()).equals(big)).toBe(true);
    const thumbnail = await fetch(`${server.url}/api/files/${photo.id}/thumbnail`, {
      headers: { cookie: alice.cookie },
    });
    expect((await sharp(Buffer.from(await thumbnail.arrayBuffer())).metadata()).width).toBe(480);
    expect(await objects("thumbs/")).toHaveLength(1);

    deleteMessage(doc, message, alice.id);
    // The big file goes; the photo's bytes stay for the other message that names them.
    await eventually(async () => (await objects("blobs/")).length === 1, 5_000, "the unused bytes removed");
    expect(await objects("thumbs/")).toHaveLength(1);
    const kept = await fetch(`${server.url}/api/files/${again.id}`, { headers: { cookie: alice.cookie } });
    expect(Buffer.from(await kept.arrayBuffer()).equals(image)).toBe(true);
  });
});
