/*
 * Web Push in the service worker (imported by the one vite-plugin-pwa generates: vite.config.ts,
 * workbox.importScripts). The server sends { title, body, url, tag, roomId, messageId }, encrypted
 * for this browser (apps/sync/src/push/): shown as a notification, one per room (a newer push
 * replaces the older one); a click opens that conversation in the app, starting it if it is closed.
 */

/** Only a path of this app: a push never sends the browser anywhere else. */
function appPath(url) {
  return typeof url === "string" && url.startsWith("/") && !url.startsWith("//") ? url : "/";
}

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data ? event.data.text() : "" };
  }
  const title = typeof data.title === "string" && data.title ? data.title : "Chat";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: typeof data.body === "string" ? data.body : "",
      tag: typeof data.tag === "string" ? data.tag : "chat",
      // A newer message in the same room alerts again, replacing the notification it updates.
      renotify: typeof data.tag === "string",
      icon: "/icons/icon-192.png",
      badge: "/icons/icon-192.png",
      data: { url: appPath(data.url), roomId: data.roomId, messageId: data.messageId },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const path = appPath(event.notification.data?.url);
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
      if (open) {
        // The app moves to the conversation itself (no reload: what is being typed stays).
        open.postMessage({ type: "chat:open", path });
        try {
          await open.focus();
        } catch {
          // Focusing needs the click's permission; the app has moved all the same.
        }
        return;
      }
      await self.clients.openWindow(path);
    })(),
  );
});

// The push service replaced the subscription (rare; Firefox does it when it rotates keys): register
// the new one in its place, so pushes keep coming without the person doing anything. The old one is
// removed by the server the first time its push service answers 410 for it.
self.addEventListener("pushsubscriptionchange", (event) => {
  event.waitUntil(
    (async () => {
      const options = event.oldSubscription?.options;
      const subscription =
        event.newSubscription ?? (options ? await self.registration.pushManager.subscribe(options) : null);
      if (!subscription) return;
      await fetch("/api/push/subscriptions", {
        method: "POST",
        credentials: "same-origin",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(subscription.toJSON()),
      });
    })(),
  );
});
