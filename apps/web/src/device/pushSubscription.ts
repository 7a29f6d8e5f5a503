import { ApiError, addPushSubscription, getPushKey, removePushSubscription } from "../lib/api";

/**
 * This device's Web Push subscription: the browser's (PushManager, through the service worker) and
 * the server's record of it (POST/DELETE /api/push/subscriptions), kept together. The server pushes
 * a DM, a mention or (per the room's level) a message while none of the person's devices has the app
 * in view; the service worker shows it (public/push-sw.js).
 */

/** Whether this browser can receive pushes at all (an iPhone only once the app is installed). */
export function pushSupported(): boolean {
  return (
    typeof navigator !== "undefined" &&
    "serviceWorker" in navigator &&
    typeof window !== "undefined" &&
    "PushManager" in window &&
    typeof Notification !== "undefined"
  );
}

/** The app's service worker; it may not be running (the first visit, `npm run dev`): then a sentence. */
async function registration(): Promise<ServiceWorkerRegistration> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const missing = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error("The app's service worker is not running yet. Reload the page and try again.")),
      10_000,
    );
  });
  try {
    return await Promise.race([navigator.serviceWorker.ready, missing]);
  } finally {
    clearTimeout(timer);
  }
}

/** The browser's subscription, when pushes are on here (permission granted and subscribed). */
export async function currentPushSubscription(): Promise<PushSubscription | null> {
  if (!pushSupported() || Notification.permission !== "granted") return null;
  return (await registration()).pushManager.getSubscription();
}

function sameKey(subscription: PushSubscription, key: string): boolean {
  const current = subscription.options.applicationServerKey;
  if (!current) return false;
  const bytes = new Uint8Array(current);
  const wanted = base64UrlBytes(key);
  return bytes.length === wanted.length && bytes.every((byte, i) => byte === wanted[i]);
}

function base64UrlBytes(value: string): Uint8Array<ArrayBuffer> {
  const base64 = value.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Turns pushes on for this device: asks for permission (only now, when the person chose it),
 * subscribes with the server's key and registers the subscription. A subscription the browser kept
 * from before (another account on this browser, or a key the server no longer uses) is replaced.
 * Throws an Error with a sentence to show when it cannot.
 */
export async function turnOnPush(): Promise<void> {
  if (!pushSupported()) throw new Error("This browser cannot receive push notifications.");
  const permission =
    Notification.permission === "granted" ? "granted" : await Notification.requestPermission();
  if (permission !== "granted")
    throw new Error("Notifications are blocked for this site. Allow them in the browser's site settings.");
  const key = await getPushKey();
  const { pushManager } = await registration();
  let subscription = await pushManager.getSubscription();
  if (subscription && !sameKey(subscription, key)) {
    await subscription.unsubscribe();
    subscription = null;
  }
  subscription ??= await pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: base64UrlBytes(key),
  });
  try {
    await addPushSubscription(subscription.toJSON());
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 409) throw error;
    // Registered to the account that used this browser before: a subscription of our own instead.
    await subscription.unsubscribe();
    subscription = await pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: base64UrlBytes(key),
    });
    await addPushSubscription(subscription.toJSON());
  }
}

/** Turns pushes off for this device: the server forgets the subscription, the browser drops it. */
export async function turnOffPush(): Promise<void> {
  if (!pushSupported()) return;
  const subscription = await (await registration()).pushManager.getSubscription();
  if (!subscription) return;
  try {
    await removePushSubscription(subscription.endpoint);
  } catch (error) {
    // Already gone on the server (404): the browser's copy goes all the same.
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
  }
  await subscription.unsubscribe();
}

/**
 * At sign-out, before the session ends: no pushes for a person who is not signed in here. Bounded,
 * so a server that does not answer never holds up signing out (ending the session removes the
 * server's record anyway; the browser's copy is dropped regardless).
 */
export async function stopPushForSignOut(): Promise<void> {
  if (!pushSupported() || !navigator.serviceWorker.controller) return;
  await Promise.race([
    turnOffPush().catch(async () => (await currentPushSubscription())?.unsubscribe()),
    new Promise((resolve) => setTimeout(resolve, 3_000)),
  ]);
}

/**
 * On start, with pushes on here: registers the subscription again (the server may have lost it:
 * a new session after the last one expired, a new key), quietly. One request per start, for those
 * who turned pushes on only.
 */
export async function keepPushSubscription(): Promise<void> {
  try {
    if (!pushSupported() || !navigator.serviceWorker.controller) return;
    if ((await currentPushSubscription()) !== null) await turnOnPush();
  } catch {
    // Offline, or refused: the switch in Settings says how things stand.
  }
}

/** A click on a pushed notification while the app is open: the service worker asks us to go there. */
export function onNotificationOpen(open: (path: string) => void): () => void {
  if (typeof navigator === "undefined" || !("serviceWorker" in navigator)) return () => {};
  const listener = (event: MessageEvent) => {
    const data = event.data as { type?: unknown; path?: unknown } | null;
    if (data?.type === "chat:open" && typeof data.path === "string" && data.path.startsWith("/"))
      open(data.path);
  };
  navigator.serviceWorker.addEventListener("message", listener);
  return () => navigator.serviceWorker.removeEventListener("message", listener);
}
