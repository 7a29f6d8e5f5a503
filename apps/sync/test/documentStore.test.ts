import { appendMessage, createMessage, listMessages } from "@chat/model";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { loadConfig } from "../src/config.ts";
import type { Database, Queryable } from "../src/db/database.ts";
import { openDatabase } from "../src/db/open.ts";
import { appendUpdate, compactDocument, readDocument } from "../src/docs/documentStore.ts";
import { UpdateLog } from "../src/docs/updateLog.ts";
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

  it("group commit: appends made while one is written go together, in order, and each settles once stored", async () => {
    const statements: number[] = [];
    const counting: Queryable = {
      query: <T extends object>(sql: string, params?: readonly unknown[]) => {
        if (sql.startsWith("insert into document_updates")) statements.push((params?.length ?? 0) / 2);
        return db.query<T>(sql, params);
      },
    };
    const log = new UpdateLog(counting);
    const doc = new Y.Doc();
    const name = `room:${"c".repeat(16)}/0`;
    const appends: Promise<void>[] = [];
    for (let i = 0; i < 120; i++) {
      const before = Y.encodeStateVector(doc);
      appendMessage(doc, createMessage("u", `message ${i}`));
      appends.push(log.append(name, Y.encodeStateAsUpdate(doc, before)));
    }
    await Promise.all(appends);
    // The first is written at once, alone; the 119 that queued behind it go in one statement.
    expect(statements).toEqual([1, 119]);
    const stored = await readDocument(db, name);
    expect(stored).toHaveLength(120);
    const replica = new Y.Doc();
    // Applied one by one in stored order: every update finds what it builds on already there.
    for (const part of stored) {
      Y.applyUpdate(replica, part);
      expect(replica.store.pendingStructs).toBeNull();
    }
    expect(listMessages(replica).map((m) => m.text)).toEqual(listMessages(doc).map((m) => m.text));
  });

  it("group commit: a failed write rejects exactly the appends it carried, and the log goes on", async () => {
    let failures = 1;
    const flaky: Queryable = {
      query: <T extends object>(sql: string, params?: readonly unknown[]) => {
        if (failures-- > 0) return Promise.reject(new Error("connection refused"));
        return db.query<T>(sql, params);
      },
    };
    const log = new UpdateLog(flaky);
    const name = `room:${"d".repeat(16)}/0`;
    const first = log.append(name, Y.encodeStateAsUpdate(new Y.Doc()));
    const queued = log.append(name, Y.encodeStateAsUpdate(new Y.Doc()));
    await expect(first).rejects.toThrow("connection refused");
    await expect(queued).resolves.toBeUndefined();
    await expect(log.append(name, Y.encodeStateAsUpdate(new Y.Doc()))).resolves.toBeUndefined();
    expect(await readDocument(db, name)).toHaveLength(2);
  });
});
