import type { MessageView } from "@chat/model";
import { cachedHtml, rememberHtml } from "../messageHtml";

/**
 * The last TAIL_SIZE messages of each recently shown room, kept in localStorage so a cold start can
 * show them synchronously, before IndexedDB has even opened and before the room's newest segment
 * (up to 2,000 messages, 40–180 ms to decode) is loaded. It is a cache of what the segment says:
 * the segment replaces it as soon as it is loaded, and it is rewritten from the segment afterwards.
 * At most MAX_ROOMS rooms per person are kept (least recently shown dropped); sign-out removes them.
 */
export const TAIL_SIZE = 50;
const MAX_ROOMS = 30;
const PREFIX = "chat.tail:";

interface StoredTail {
  at: number;
  /** Each with the HTML its text rendered to, so the first screen needs no Markdown renderer. */
  messages: Array<MessageView & { html?: string }>;
}

const keyFor = (scope: string, roomId: string) => `${PREFIX}${scope}:${roomId}`;

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

export function writeTail(scope: string, roomId: string, messages: readonly MessageView[]): void {
  try {
    const value: StoredTail = {
      at: Date.now(),
      messages: messages.slice(-TAIL_SIZE).map((message) => ({ ...message, html: cachedHtml(message.text) })),
    };
    localStorage.setItem(keyFor(scope, roomId), JSON.stringify(value));
    const mine = tailKeys(scope);
    if (mine.length > MAX_ROOMS) {
      const byAge = mine
        .map((key) => ({
          key,
          at: (JSON.parse(localStorage.getItem(key) ?? "{}") as Partial<StoredTail>).at ?? 0,
        }))
        .sort((a, b) => a.at - b.at);
      for (const { key } of byAge.slice(0, mine.length - MAX_ROOMS)) localStorage.removeItem(key);
    }
  } catch {
    // Storage full or disabled: the room still opens from IndexedDB, a little later.
  }
}

function tailKeys(scope: string): string[] {
  const prefix = `${PREFIX}${scope}:`;
  const keys: string[] = [];
  for (let i = 0; i < localStorage.length; i++) {
    const key = localStorage.key(i);
    if (key?.startsWith(prefix)) keys.push(key);
  }
  return keys;
}

/** Sign-out: forget every room tail of the person. */
export function forgetTails(scope: string): void {
  try {
    for (const key of tailKeys(scope)) localStorage.removeItem(key);
  } catch {
    // Nothing stored.
  }
}
