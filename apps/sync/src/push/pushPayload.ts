import { PREVIEW_LENGTH } from "@chat/model";

/** What the service worker receives (apps/web/public/push-sw.js shows it). */
export interface PushPayload {
  /** The notification's title: "#room", or the person writing in a direct conversation. */
  title: string;
  body: string;
  /** Where a click opens the app: the conversation, or for a reply its thread. */
  url: string;
  /** One notification per room: a newer push replaces the older one. */
  tag: string;
  roomId: string;
  messageId: string;
}

export interface PayloadFacts {
  room: { id: string; kind: string; name: string };
  author: { username: string; displayName: string };
  message: { id: string; text: string; attachments?: readonly unknown[]; threadRoot?: string };
}

/** The text shown: the message's start, or what it carries when it has no text. */
export function previewOf(message: PayloadFacts["message"]): string {
  const text = message.text.replace(/\s+/g, " ").trim();
  if (text) return text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH - 1)}…` : text;
  const files = message.attachments?.length ?? 0;
  return files === 1 ? "Sent a file" : files > 1 ? `Sent ${files} files` : "New message";
}

export function pushPayload({ room, author, message }: PayloadFacts): PushPayload {
  const who = author.displayName || author.username;
  const preview = previewOf(message);
  const dm = room.kind === "dm";
  const conversation = dm ? `/dm/${encodeURIComponent(author.username)}` : `/r/${room.id}`;
  const root = message.threadRoot;
  // "#general, in a thread": the web app's paths (apps/web/src/lib/routes.ts threadPath).
  const place = dm ? who : room.kind === "group" && !room.name ? who : `#${room.name}`;
  return {
    title: root === undefined ? place : `${place}, in a thread`,
    body: dm ? preview : `${who}: ${preview}`,
    url: root === undefined ? conversation : `${conversation}/t/${encodeURIComponent(root)}`,
    // A thread's pushes replace each other, not the room's.
    tag: root === undefined ? `room-${room.id}` : `thread-${room.id}-${root}`,
    roomId: room.id,
    messageId: message.id,
  };
}
