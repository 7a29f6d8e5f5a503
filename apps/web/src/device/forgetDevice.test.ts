import "fake-indexeddb/auto";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as Y from "yjs";
import { rememberDeviceUser } from "./deviceUser";
import { openFileOutbox } from "./fileOutbox";
import { forgetDevice } from "./forgetDevice";
import { attachLocalStore } from "./localStore";
import { openSearchStore, searchStoreName, writeShard } from "./searchIndexStore";
import { tailKey } from "./tailKey";

/** localStorage as the browser has it (Node has none by default). */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    key: (i) => [...items.keys()][i] ?? null,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, String(value)),
    removeItem: (key) => void items.delete(key),
    clear: () => items.clear(),
  };
}

async function keepOnDevice(userId: string): Promise<void> {
  const doc = new Y.Doc();
  const store = attachLocalStore(userId, "room:r/0", doc);
  await store.loaded;
  doc.getMap("m").set("k", "v");
  await store.flushed();
  store.destroy();
  const search = await openSearchStore(searchStoreName(userId));
  await writeShard(search, { key: "r/0", roomId: "r", format: 5, newest: 1, documents: 0 }, "{}");
  search.close();
  const outbox = await openFileOutbox(userId);
  await outbox.put({ id: "m1", roomId: "r", author: userId, createdAt: 1, text: "", files: [] });
  outbox.close();
  localStorage.setItem(tailKey(userId, "r"), "[]");
  localStorage.setItem(`chat.nav:${userId}`, "{}");
}

const storedKeys = () => Array.from({ length: localStorage.length }, (_, i) => localStorage.key(i)).sort();
const databases = async () => (await indexedDB.databases()).map((db) => db.name).sort();

describe("forgetting the device at sign-out", () => {
  beforeEach(() => {
    globalThis.localStorage = memoryStorage();
  });

  it("removes every store kept for the person, and only theirs", async () => {
    await keepOnDevice("ann");
    await keepOnDevice("bob");
    rememberDeviceUser({ id: "ann", username: "ann", displayName: "Ann" });

    await forgetDevice("ann");

    expect(await databases()).toEqual(["chat-device:bob", "chat-outbox:bob", "chat-search-bob"]);
    expect(storedKeys()).toEqual(["chat.nav:bob", tailKey("bob", "r")]);
  });

  it("deletes the attachments the service worker kept", async () => {
    const deleted: string[] = [];
    vi.stubGlobal("caches", { delete: async (name: string) => deleted.push(name) > 0 });
    try {
      await forgetDevice("ann");
    } finally {
      vi.unstubAllGlobals();
    }
    expect(deleted).toEqual(["chat-files"]);
  });

  it("forgets who opens at start even when nobody was signed in", async () => {
    rememberDeviceUser({ id: "ann", username: "ann", displayName: "Ann" });
    await forgetDevice(null);
    expect(localStorage.length).toBe(0);
  });
});
