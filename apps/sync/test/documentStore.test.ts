import { appendMessage, createMessage, listMessages } from "@chat/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { loadConfig } from "../src/config.ts";
import type { Database } from "../src/db/database.ts";
import { openDatabase } from "../src/db/open.ts";
import { appendUpdate, compactDocument, readDocument } from "../src/docs/documentStore.ts";
import { createStorage, type TestStorage } from "./harness.ts";

let storage: TestStorage;
let db: Database;
beforeAll(async () => {
  storage = await createStorage();
  db = await openDatabase(loadConfig({ ...storage.env, WEB_DIST: "" }));
});
afterAll(async () => {
  await db?.close();
  await storage?.dispose();
});

const load = async (name: string) => {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Y.mergeUpdates(await readDocument(db, name)));
  return doc;
};

/** Appends a message written on `doc` to the log, as the instance that received it would. */
async function write(name: string, doc: Y.Doc, text: string) {
  const before = Y.encodeStateVector(doc);
  appendMessage(doc, createMessage("u", text));
  await appendUpdate(db, name, Y.encodeStateAsUpdate(doc, before));
}

describe("document storage", () => {
  it("compaction by an instance that has not seen every row loses nothing", async () => {
    const name = `room:${"a".repeat(16)}/0`;
    const instanceA = new Y.Doc();
    const instanceB = new Y.Doc();
    await write(name, instanceA, "one");
    await write(name, instanceB, "two (only instance B has it)");
    await compactDocument(db, name, Y.encodeStateAsUpdate(instanceA));
    await write(name, instanceA, "three");
    await compactDocument(db, name, Y.encodeStateAsUpdate(instanceA));
    const texts = listMessages(await load(name)).map((m) => m.text);
    expect(texts.sort()).toEqual(["one", "three", "two (only instance B has it)"]);
    const [{ rows }] = (await db.query("select count(*)::int as rows from document_updates where name = $1", [
      name,
    ])) as [{ rows: number }];
    expect(rows).toBe(0);
  });

  it("a document that was never stored loads empty, and one with only log rows loads them", async () => {
    expect(await readDocument(db, "room:nothinghere00000/0")).toEqual([]);
    const name = `room:${"b".repeat(16)}/0`;
    await write(name, new Y.Doc(), "logged only");
    expect(listMessages(await load(name)).map((m) => m.text)).toEqual(["logged only"]);
  });
});
