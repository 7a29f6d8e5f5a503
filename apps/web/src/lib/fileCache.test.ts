import { afterEach, describe, expect, it, vi } from "vitest";
import { fileCacheBudget, isCachedFileRequest } from "./fileCache";

/** Cache Storage as the service worker has it, in memory: keys listed in the order they were put. */
function memoryCaches() {
  const stores = new Map<string, Map<string, Response>>();
  const open = async (name: string) => {
    let store = stores.get(name);
    if (!store) {
      store = new Map();
      stores.set(name, store);
    }
    const entries = store;
    return {
      keys: async () => [...entries.keys()].map((url) => new Request(url)),
      match: async (request: Request) => entries.get(request.url)?.clone(),
      delete: async (request: Request) => entries.delete(request.url),
      put: async (request: Request, response: Response) => {
        entries.delete(request.url);
        entries.set(request.url, response);
      },
    };
  };
  return { open, stores };
}

const MB = 1024 * 1024;
const sized = (bytes: number, headers = true) =>
  new Response(new Uint8Array(bytes), headers ? { headers: { "content-length": String(bytes) } } : {});

afterEach(() => vi.unstubAllGlobals());

describe("the service worker's attachment cache", () => {
  it("answers attachments and thumbnails of this origin, never a forced download or another path", () => {
    vi.stubGlobal("self", { location: { origin: "https://chat.example" } });
    const matches = (href: string, method = "GET") =>
      isCachedFileRequest({ url: new URL(href), request: new Request(href, { method }) });
    expect(matches("https://chat.example/api/files/abc_DEF-12")).toBe(true);
    expect(matches("https://chat.example/api/files/abc/thumbnail")).toBe(true);
    expect(matches("https://chat.example/api/files/abc?download=1")).toBe(false);
    expect(matches("https://chat.example/api/files/abc", "HEAD")).toBe(false);
    expect(matches("https://chat.example/api/rooms/abc/files/def")).toBe(false);
    expect(matches("https://chat.example/api/files/abc/other")).toBe(false);
    expect(matches("https://elsewhere.example/api/files/abc")).toBe(false);
    expect(matches("https://chat.example/api/avatars/abc123")).toBe(true);
    expect(matches("https://chat.example/api/profile/avatar")).toBe(false);
  });

  it("keeps whole successful answers only, none over 20 MB", async () => {
    const keep = (response: Response) => fileCacheBudget.cacheWillUpdate({ response });
    expect(await keep(sized(10))).not.toBeNull();
    expect(await keep(new Response("gone", { status: 404 }))).toBeNull();
    expect(await keep(new Response("part", { status: 206 }))).toBeNull();
    expect(await keep(sized(21 * MB))).toBeNull();
  });

  it("stays under 100 MB by evicting the oldest entries, the newest always kept", async () => {
    const fake = memoryCaches();
    vi.stubGlobal("caches", fake);
    const cache = await fake.open("chat-files");
    for (let i = 0; i < 6; i++) {
      // One without a Content-Length is weighed by its body.
      await cache.put(new Request(`https://chat.example/api/files/f${i}`), sized(20 * MB, i !== 2));
      await fileCacheBudget.cacheDidUpdate({ cacheName: "chat-files" });
    }
    const kept = [...fake.stores.get("chat-files")!.keys()].map((url) => url.split("/").pop());
    expect(kept).toEqual(["f1", "f2", "f3", "f4", "f5"]);

    // One answer bigger than the budget on its own still stays (the person just opened it).
    await cache.put(new Request("https://chat.example/api/files/big"), sized(101 * MB));
    await fileCacheBudget.cacheDidUpdate({ cacheName: "chat-files" });
    expect([...fake.stores.get("chat-files")!.keys()].map((url) => url.split("/").pop())).toEqual(["big"]);
  });
});
