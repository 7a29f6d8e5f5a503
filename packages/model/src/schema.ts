/**
 * Document names, identifier formats and limits: the vocabulary shared by client and server.
 *
 * Bump SCHEMA_VERSION whenever a document shape changes in a way an older client could not write
 * correctly; the server refuses writes from older clients and tells them to reload.
 */
export const SCHEMA_VERSION = 1;

export const DIRECTORY_DOC = "directory";

/** Longest message body, in characters. Slack allows 40k; 10k keeps documents lean and is plenty for chat. */
export const MAX_MESSAGE_LENGTH = 10_000;
export const MAX_ROOM_NAME_LENGTH = 80;
/**
 * Longest draft (a room's Y.Text in the user index), checked by the server on the merged text. The
 * editor keeps one device's draft within MAX_MESSAGE_LENGTH; the margin leaves room for two devices
 * typing into the same draft at once, whose changes merge.
 */
export const MAX_DRAFT_LENGTH = MAX_MESSAGE_LENGTH + 2_000;
/** Draft roots one user index may hold (one per room ever drafted in). */
export const MAX_DRAFTS = 1_000;
/** Settings in the user index: at most this many keys, each short, each value a small JSON scalar. */
export const MAX_SETTINGS = 100;
export const MAX_SETTING_KEY_LENGTH = 64;
export const MAX_SETTING_VALUE_LENGTH = 256;
export const MAX_TOPIC_LENGTH = 250;
/** Read positions in threads one member may keep in a room document (model threads.ts): a thread each. */
export const MAX_THREAD_READS_PER_MEMBER = 5_000;
/** A history segment is sealed at this many messages and the next one opened (docs/architecture.md, "Who writes which document"). */
export const SEGMENT_CAPACITY = 2_000;

/** Random ids: 16 characters of [a-z0-9]. */
const ID = "[a-z0-9]{16}";
const ID_RE = new RegExp(`^${ID}$`);
/** A direct conversation's room id is derived from its two people, so both (and an offline device) can name it. */
const DM_ROOM_RE = new RegExp(`^dm-(${ID})-(${ID})$`);
const ROOM_ID = `(?:${ID}|dm-${ID}-${ID})`;
const ROOM_DOC_RE = new RegExp(`^room:(${ROOM_ID})$`);
const SEGMENT_DOC_RE = new RegExp(`^room:(${ROOM_ID})/(0|[1-9][0-9]{0,8})$`);
const USER_DOC_RE = new RegExp(`^user:(${ID})$`);

export function isId(value: string): boolean {
  return ID_RE.test(value);
}

/** Makes a random id. Uses the Web Crypto API, present in browsers and Node alike. */
export function newId(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let id = "";
  for (const byte of bytes) id += alphabet[byte % alphabet.length];
  return id;
}

export function dmRoomId(userA: string, userB: string): string {
  const [first, second] = [userA, userB].sort();
  return `dm-${first}-${second}`;
}

/** The two user ids of a direct conversation's room id, or null when it is not one. */
export function dmParticipants(roomId: string): [string, string] | null {
  const match = DM_ROOM_RE.exec(roomId);
  return match ? [match[1]!, match[2]!] : null;
}

export const roomDocName = (roomId: string): string => `room:${roomId}`;
export const segmentDocName = (roomId: string, segment: number): string => `room:${roomId}/${segment}`;
export const userDocName = (userId: string): string => `user:${userId}`;

export type DocRef =
  | { kind: "directory" }
  | { kind: "room"; roomId: string }
  | { kind: "segment"; roomId: string; segment: number }
  | { kind: "user"; userId: string };

/**
 * The documents whose presence (Yjs awareness) means something: the directory (who is online) and a
 * room's segments (who is typing). Every provider announces a state on every document it opens and
 * renews it every 15 s; elsewhere nobody reads it, so the server relays none of it (each state was
 * sent to every device that had the document open).
 */
export function carriesPresence(ref: DocRef): boolean {
  return ref.kind === "directory" || ref.kind === "segment";
}

/** Parses a document name; anything that is not exactly one of our names is null (and refused). */
export function parseDocName(name: string): DocRef | null {
  if (name === DIRECTORY_DOC) return { kind: "directory" };
  let match = ROOM_DOC_RE.exec(name);
  if (match) return { kind: "room", roomId: match[1]! };
  match = SEGMENT_DOC_RE.exec(name);
  if (match) return { kind: "segment", roomId: match[1]!, segment: Number(match[2]) };
  match = USER_DOC_RE.exec(name);
  if (match) return { kind: "user", userId: match[1]! };
  return null;
}

/**
 * Names of the root types in each document. The model's functions read and write them; the server names
 * them only to check and count what an update writes. Who may write each is in writers.ts.
 */
export const ROOTS = {
  directory: { users: "users", rooms: "rooms" },
  room: {
    meta: "meta",
    members: "members",
    reads: "reads",
    threadReads: "threadReads",
    segments: "segments",
  },
  segment: { messages: "messages", seq: "seq", times: "times", edits: "edits", reactions: "reactions" },
  user: {
    rooms: "rooms",
    mentions: "mentions",
    threads: "threads",
    drafts: "drafts",
    settings: "settings",
    notify: "notify",
  },
} as const;
