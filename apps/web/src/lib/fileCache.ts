/**
 * What the service worker keeps of attachments, so an image this device has shown once shows again
 * offline: thumbnails and full-size images (`/api/files/<id>` and `/api/files/<id>/thumbnail`, never a
 * forced download), cache first (an attachment id names the same bytes for ever), in one bounded cache
 * whose oldest entries go first. vite.config.ts hands these to workbox's generated service worker.
 *
 * The hooks are copied into the service worker as source text (workbox-build stringifies them), so
 * they must not use anything from outside their own bodies: numbers are written out inside them.
 */

/** The Cache Storage cache of attachments (sign-out deletes it, device/forgetDevice.ts). */
export const FILES_CACHE = "chat-files";

/** At most this many responses (workbox's ExpirationPlugin evicts the least recently used). */
export const FILES_CACHE_MAX_ENTRIES = 200;

/**
 * GET requests the cache answers: an attachment or its thumbnail, with no query (`?download=1` is a
 * download), and avatars (`/api/avatars/<id>`: a new picture gets a new id, so they never go stale),
 * so people's pictures show offline too.
 */
export function isCachedFileRequest({ url, request }: { url: URL; request: Request }): boolean {
  return (
    request.method === "GET" &&
    url.origin === self.location.origin &&
    url.search === "" &&
    /^\/api\/(files\/[A-Za-z0-9_-]+(\/thumbnail)?|avatars\/[a-z0-9]+)$/.test(url.pathname)
  );
}

/**
 * A workbox plugin: keeps only whole, successful answers (no 206 part of a file, no 404 of a file
 * one may not see), none bigger than 20 MB, and keeps the cache under 100 MB by deleting the oldest
 * entries (Cache Storage lists keys in the order they were put).
 */
export const fileCacheBudget = {
  cacheWillUpdate: async ({ response }: { response: Response }): Promise<Response | null> => {
    if (response.status !== 200) return null;
    const declared = Number(response.headers.get("content-length"));
    return declared > 20 * 1024 * 1024 ? null : response;
  },
  cacheDidUpdate: async ({ cacheName }: { cacheName: string }): Promise<void> => {
    const budget = 100 * 1024 * 1024;
    const cache = await caches.open(cacheName);
    const keys = await cache.keys();
    const sizes: number[] = [];
    let total = 0;
    for (const key of keys) {
      const response = await cache.match(key);
      let size = 0;
      if (response) {
        const declared = Number(response.headers.get("content-length"));
        size = Number.isFinite(declared) && declared > 0 ? declared : (await response.blob()).size;
      }
      sizes.push(size);
      total += size;
    }
    // The newest entry (the one just put) always stays.
    for (let i = 0; i < keys.length - 1 && total > budget; i++) {
      await cache.delete(keys[i]!);
      total -= sizes[i]!;
    }
  },
};
