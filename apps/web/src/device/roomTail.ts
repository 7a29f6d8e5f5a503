import type { MessageView } from "@chat/model";
import { cachedHtml, rememberHtml } from "../lib/messageHtml";
import { TAIL_PREFIX, tailKey } from "./tailKey";

/**
 * The last TAIL_SIZE messages of each recently shown room, kept in localStorage so a cold start can
 * show them synchronously, before IndexedDB has even opened and before the room's newest segment
 * (up to 2,000 messages, 40–180 ms to decode) is loaded. It is a cache of what the segment says:
 * the segment replaces it as soon as it is loaded, and it is rewritten from the segment afterwards.
 * At most MAX_ROOMS rooms per person are kept (least recently shown dropped); sign-out removes them.
 */
export const TAIL_SIZE = 50;
const MAX_ROOMS = 30;

interface StoredTail {
  at: number;
  /** When the room was last on screen (0: only kept by the background sync); older ones go first. */
  shownAt?: number;
  /** Each with the HTML its text rendered to, so the first screen needs no Markdown renderer. */
  messages: Array<MessageView & { html?: string }>;
}

const keyFor = tailKey;

export function readTail(scope: string, roomId: string): MessageView[] {
  try {
    const raw = localStorage.getItem(keyFor(scope, roomId));
    if (!raw) return [];
    const stored = JSON.parse(raw) as Partial<StoredTail>;
    if (!Array.isArray(stored.messages)) return [];
    return stored.messages.map(({ html, ...message }) => {
      if (typeof html === "string" && typeof message.text === "string") rememberHtml(message.text, html);
      return message;
    });
  } catch {
    return [];
  }
}

/**
 * Stores the room's latest messages. `shown`: the room is on screen (the background sync passes
 * false, so keeping every room fresh never pushes out the rooms the person actually reads).
 */
export function writeTail(
  scope: string,
  roomId: string,
  messages: readonly MessageView[],
  options: { shown: boolean; htmlFor?: (text: string) => string | undefined } = { shown: true },
): void {
  try {
    const key = keyFor(scope, roomId);
    const htmlFor = options.htmlFor ?? cachedHtml;
    const shownAt = options.shown ? Date.now() : (storedAt(key)?.shownAt ?? 0);
    const value: StoredTail = {
      at: Date.now(),
      shownAt,
      messages: messages.slice(-TAIL_SIZE).map((message) => ({ ...message, html: htmlFor(message.text) })),
    };
    localStorage.setItem(key, JSON.stringify(value));
    const mine = tailKeys(scope);
    if (mine.length > MAX_ROOMS) {
      const byAge = mine
        .map((key) => {
          const stored = storedAt(key);
          return { key, shownAt: stored?.shownAt ?? 0, at: stored?.at ?? 0 };
        })
        .sort((a, b) => a.shownAt - b.shownAt || a.at - b.at);
      for (const { key } of byAge.slice(0, mine.length - MAX_ROOMS)) localStorage.removeItem(key);
    }
  } catch {
    // Storage full or disabled: the room still opens from IndexedDB, a little later.
  }
}

/** The stored tail's times (the messages are not needed). */
function storedAt(key: string): Pick<StoredTail, "at" | "shownAt"> | null {
  const raw = localStorage.getItem(key);
  if (!raw) return null;
  const stored = JSON.parse(raw) as Partial<StoredTail>;
  return { at: stored.at ?? 0, shownAt: stored.shownAt ?? stored.at ?? 0 };
}

/** The id of the newest message the room's stored tail holds, and how many (undefined: no tail). */
export function tailNewest(
  scope: string,
  roomId: string,
): { id: string | undefined; count: number } | undefined {
  try {
    const raw = localStorage.getItem(keyFor(scope, roomId));
    if (!raw) return undefined;
    const messages = (JSON.parse(raw) as Partial<StoredTail>).messages ?? [];
    return { id: messages[messages.length - 1]?.id, count: messages.length };
  } catch {
    return undefined;
  }
}

function tailKeys(scope: string): string[] {
  const prefix = `${TAIL_PREFIX}${scope}:`;
  const keys: string[] = [];
  for (let i = 0; i < localStorage.length; i++) {
    const key = localStorage.key(i);
    if (key?.startsWith(prefix)) keys.push(key);
  }
  return keys;
}

/** The person is no longer in the room: a cold start must not draw its messages again. */
export function forgetTail(scope: string, roomId: string): void {
  try {
    localStorage.removeItem(tailKey(scope, roomId));
  } catch {
    // Nothing stored.
  }
}

/** Sign-out: forget every room tail of the person. */
export function forgetTails(scope: string): void {
  try {
    for (const key of tailKeys(scope)) localStorage.removeItem(key);
  } catch {
    // Nothing stored.
  }
}
