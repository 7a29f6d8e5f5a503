/**
 * Helpers shared by the specs. Everything on a page is found the way a screen reader finds it: by role
 * and accessible name (the UI contract), never by CSS class or test id. Setup that is not under test
 * (accounts, rooms) goes through the HTTP API to keep the tests fast.
 */
import { randomBytes } from "node:crypto";
import {
  type APIRequestContext,
  type BrowserContext,
  type BrowserContextOptions,
  test as base,
  expect,
  type Locator,
  type Page,
  type WebSocketRoute,
} from "@playwright/test";

export { expect };

/** One person in their own browser context (own cookies, own IndexedDB: a separate device). */
export interface Person {
  username: string;
  password: string;
  context: BrowserContext;
  page: Page;
  /** Messages of alert()/confirm() dialogs the page opened: rendered messages must never run script. */
  dialogs: string[];
}

export type PersonOptions = BrowserContextOptions & {
  /** Create the account (through the API) before returning; default true. */
  signUp?: boolean;
};

/** A name no earlier run used (the database may be a shared Postgres): `alice-1f2e3d4c`. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A nav link's accessible name starts with the room or person name, then may add ", 2 unread". */
function startsWith(name: string): RegExp {
  return new RegExp(`^${escapeRegExp(name)}(?![\\w.-])`, "i");
}

export const test = base.extend<{ person: (prefix: string, options?: PersonOptions) => Promise<Person> }>({
  person: async ({ browser, baseURL }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async (prefix, { signUp = true, ...options } = {}) => {
      const context = await browser.newContext({ baseURL, ...options });
      contexts.push(context);
      const username = uniqueName(prefix.toLowerCase());
      const page = await context.newPage();
      const dialogs: string[] = [];
      page.on("dialog", (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      page.on("pageerror", (error) =>
        console.error(`[${username}] uncaught error in the page: ${error.message}`),
      );
      const password = `pw-${randomBytes(8).toString("hex")}`;
      if (signUp) await signUpViaApi(context.request, username, password);
      return { username, password, context, page, dialogs };
    });
    for (const context of contexts) await context.close();
  },
});

async function postJson(request: APIRequestContext, path: string, body: unknown, status: number) {
  const response = await request.post(path, { data: body });
  expect(response.status(), `POST ${path}: ${await response.text()}`).toBe(status);
  return response.json();
}

/** Creates an account; the session cookie lands in the context that owns `request`. */
export async function signUpViaApi(request: APIRequestContext, username: string, password: string) {
  await postJson(request, "/api/signup", { username, password }, 201);
}

export async function signInViaApi(request: APIRequestContext, username: string, password: string) {
  await postJson(request, "/api/login", { username, password }, 200);
}

/**
 * The same person on another device: a browser context of its own (nothing of theirs stored in it),
 * signed in as `who`, its page not yet on the app. Closed at the end of the test, like every person's.
 */
export async function anotherDevice(
  person: (prefix: string, options?: PersonOptions) => Promise<Person>,
  who: Person,
): Promise<Person> {
  const device = await person(`${who.username}-device`, { signUp: false });
  await signInViaApi(device.context.request, who.username, who.password);
  return { ...device, username: who.username, password: who.password };
}

/** Creates a public room as the signed-in person; returns its id. */
export async function createRoomViaApi(request: APIRequestContext, name: string): Promise<string> {
  const body = (await postJson(request, "/api/rooms", { name }, 201)) as { room: { id: string } };
  return body.room.id;
}

/**
 * Joins a public room as the signed-in person ("Join room" through the API): opening a public room one
 * is not in is only a read-only preview.
 */
export async function joinRoomViaApi(request: APIRequestContext, roomId: string): Promise<void> {
  await postJson(request, `/api/rooms/${roomId}/join`, undefined, 200);
}

/** The signed-in person's id, from the API, with the page's cookies. */
export async function sessionUserId(page: Page): Promise<string> {
  const response = await page.request.get("/api/session");
  expect(response.status()).toBe(200);
  const { user } = (await response.json()) as { user: { id: string } | null };
  expect(user, "signed in").not.toBeNull();
  return user!.id;
}

/** Loads the app at `path` as a signed-in person and waits until it shows the workspace. */
export async function openApp(page: Page, path = "/"): Promise<void> {
  await page.goto(path);
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

/** The header's connection state (`role=status`) says Online: the socket is up. */
export async function expectOnline(page: Page): Promise<void> {
  await expect(page.getByRole("status").filter({ hasText: "Online" }).first()).toBeVisible();
}

export const roomsNav = (page: Page) => page.getByRole("navigation", { name: "Rooms" });
export const dmNav = (page: Page) => page.getByRole("navigation", { name: "Direct messages" });
export const roomLink = (page: Page, name: string) =>
  roomsNav(page).getByRole("link", { name: startsWith(name) });
/** The link to one's DM with `username` (by its address too: a group's link "bob, carol" starts the same way). */
export const dmLink = (page: Page, username: string) =>
  dmNav(page)
    .getByRole("link", { name: startsWith(username) })
    .and(page.locator(`[href="/dm/${encodeURIComponent(username)}"]`));
export const messageLog = (page: Page) => page.getByRole("log", { name: "Messages" });
export const messageBox = (page: Page) => page.getByRole("textbox", { name: "Message" });

/** The message `article` in the log whose rendered text contains `text`. */
export function messageArticle(page: Page, text: string): Locator {
  return messageLog(page).getByRole("article").filter({ hasText: text });
}

/** Types into "Message" and presses Enter (which sends; Shift+Enter would be a new line). */
export async function sendMessage(page: Page, text: string): Promise<void> {
  const box = messageBox(page);
  await box.fill(text);
  await box.press("Enter");
}

/** Loads the app until the service worker controls the page (the first visit installs it; a reload is then served by it). */
export async function installApp(person: Person, path: string): Promise<void> {
  await openApp(person.page, path);
  // Strings, because the e2e TypeScript has no DOM types: these run in the page.
  await person.page.evaluate("navigator.serviceWorker.ready.then(() => true)");
  await person.page.reload();
  await expect
    .poll(() => person.page.evaluate("navigator.serviceWorker.controller !== null"), { timeout: 20_000 })
    .toBe(true);
  await expect(person.page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

/** Close codes a page may be handed: the reserved ones (no code, abnormal closure) become 1000. */
const passableCode = (code: number | undefined) =>
  code !== undefined && code >= 1000 && code !== 1005 && code !== 1006 ? code : 1000;

/**
 * A network that really goes away, the sync socket included. Chromium's emulated offline
 * (`context.setOffline`) keeps an open WebSocket and only holds its frames, delivering them when the
 * network returns or the tab closes; a real network loss kills the socket and loses what was sent
 * into it, so the app must sync its state afresh. Here the context's sync sockets go through
 * Playwright (`routeWebSocket`): `cut()` closes them and refuses new ones until `restore()`.
 * Install before the context's first page opens the app.
 */
export async function controllableNetwork(context: BrowserContext) {
  let up = true;
  const open = new Set<{ page: WebSocketRoute; server: WebSocketRoute }>();
  await context.routeWebSocket(/\/sync/, (page) => {
    if (!up) {
      page.close({ code: 1001, reason: "no network" });
      return;
    }
    const server = page.connectToServer();
    const pair = { page, server };
    open.add(pair);
    page.onClose((code, reason) => {
      open.delete(pair);
      server.close({ code: passableCode(code), reason });
    });
    server.onClose((code, reason) => {
      open.delete(pair);
      page.close({ code: passableCode(code), reason });
    });
  });
  return {
    async cut() {
      up = false;
      await context.setOffline(true);
      for (const pair of [...open]) {
        open.delete(pair);
        pair.server.close({ code: 1001, reason: "no network" });
        pair.page.close({ code: 1001, reason: "no network" });
      }
    },
    async restore() {
      up = true;
      await context.setOffline(false);
    },
  };
}
