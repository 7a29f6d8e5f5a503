import {
  type Attachment,
  appendMessage,
  createMessage,
  createReply,
  findMessage,
  listSegments,
  MessageRejected,
  messageTextProblem,
  newAttachmentId,
  newId,
  roomDocName,
  segmentDocName,
} from "@chat/model";
import { type Accessor, createSignal, type Signal } from "solid-js";
import type { FileOutbox, OutboxFile, OutboxMessage } from "../device/fileOutbox";
import { ApiError, type UploadProgress } from "../lib/api";
import { reconnectDelay } from "./backoff";
import type { DocRegistry } from "./docs";

/**
 * Sends messages with files (docs/api.md, "Files"). The server accepts a message's attachments only
 * once they are uploaded, by its author, to its room, with the metadata the upload answered; so a
 * message with files waits in the device's outbox (device/fileOutbox.ts) — shown at once as the
 * author's pending message — while its files upload one after another, and goes into the room's
 * newest history segment only when all of them are stored. It keeps going by itself: at start, when
 * the network returns, and after a failure with growing waits.
 *
 * A file the server refuses (too big, empty, a bad name, no longer a member…) keeps its sentence and
 * waits for the person: Retry, or Remove it (the rest of the message, text included, still goes).
 */

export interface FileToSend {
  /** The attachment id (newAttachmentId), chosen before upload. */
  id: string;
  name: string;
  bytes: Blob;
}

export type Upload = (
  roomId: string,
  attachmentId: string,
  name: string,
  bytes: Blob,
  onProgress: UploadProgress,
  signal: AbortSignal,
) => Promise<Attachment>;

export interface FileSender {
  /** Messages waiting for their files, in every room, oldest first. */
  messages: Accessor<readonly OutboxMessage[]>;
  /** How many of them are not in their room's history yet (part of "N pending"). */
  count(): number;
  /** How far a file's upload is (0 to 1) while it runs, else null. */
  progress(fileId: string): number | null;
  /**
   * What is wrong with a message as a whole, or null: the device cannot keep it (it still goes while
   * the page stays open), or it cannot go at all (`blocking`: the room refused it; only discarding helps).
   */
  problem(messageId: string): { text: string; blocking: boolean } | null;
  /**
   * Puts a message with files in the outbox (with `thread`, a reply to its root); throws
   * MessageRejected with a sentence for bad text.
   */
  send(
    roomId: string,
    text: string,
    files: readonly FileToSend[],
    thread?: { rootId: string; alsoInRoom: boolean },
  ): OutboxMessage;
  /** Tries the refused files of a message again. */
  retry(messageId: string): void;
  /** Changes the text of a waiting message; throws MessageRejected with a sentence for bad text. */
  edit(messageId: string, text: string): void;
  /** Takes one file off a waiting message; a message left with no file and no text goes. */
  removeFile(messageId: string, fileId: string): void;
  /** Gives up a waiting message. */
  discard(messageId: string): void;
  /** The network may be back: try now instead of waiting out the back-off. */
  wake(): void;
  stop(): void;
}

export interface FileSenderOptions {
  author: string;
  registry: DocRegistry;
  /** The person's outbox; when it cannot be opened, messages wait in memory only (and say so). */
  outbox: Promise<FileOutbox>;
  upload: Upload;
  /** Runs `work` unless another tab holds `name` (Web Locks); then resolves undefined. */
  exclusive?: <T>(name: string, work: () => Promise<T>) => Promise<T | undefined>;
  /** Other tabs of this person: `post` says the outbox changed, `listen` hears it. */
  tabs?: { post(): void; listen(changed: () => void): () => void };
  now?: () => number;
  /** The wait before trying again after `failures` failures in a row (the socket's back-off by default). */
  retryDelay?: (failures: number) => number;
  /** How long to wait for the server's copy of a room before trusting the device's. */
  syncWaitMs?: number;
}

/** Failures worth trying again by themselves: no connection, or the server busy or briefly unwell. */
function isTransient(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  return error.status === 0 || error.status === 401 || error.status === 429 || error.status >= 500;
}

/** What a refusal says about a file, for the person. */
function refusalSentence(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 413) return `${error.message} Remove it, or send a smaller file.`;
    return error.message;
  }
  return "The file could not be sent.";
}

const DEVICE_PROBLEM =
  "This device could not keep the files (is its storage full?): they are sent only while this page stays open.";
const ROOM_REFUSED = "You can no longer post in this conversation, so this message cannot be sent.";

type Outcome = "done" | "waiting" | "offline";

/** How soon to look again at a message another tab was sending. */
const OTHER_TAB_RETRY_MS = 5_000;

export function createFileSender(options: FileSenderOptions): FileSender {
  const now = options.now ?? Date.now;
  const retryDelay = options.retryDelay ?? reconnectDelay;
  const syncWaitMs = options.syncWaitMs ?? 10_000;
  const exclusive =
    options.exclusive ?? (<T>(_name: string, work: () => Promise<T>): Promise<T | undefined> => work());

  const [messages, setMessages] = createSignal<readonly OutboxMessage[]>([], { equals: false });
  const [problems, setProblems] = createSignal<ReadonlyMap<string, string>>(new Map());
  const progressSignals = new Map<string, Signal<number | null>>();
  /** Ids whose latest version is in the outbox (not only in memory). */
  const persisted = new Set<string>();
  /** The upload running now, by message id, to stop it when the message or its file goes. */
  const running = new Map<string, { fileId: string; abort: AbortController }>();
  let outbox: FileOutbox | null = null;
  let stopped = false;

  const progressSignal = (fileId: string) => {
    let signal = progressSignals.get(fileId);
    if (!signal) {
      signal = createSignal<number | null>(null);
      progressSignals.set(fileId, signal);
    }
    return signal;
  };
  const setProgress = (fileId: string, value: number | null) => progressSignal(fileId)[1](value);
  const setProblem = (messageId: string, problem: string | null) =>
    setProblems((map) => {
      if ((map.get(messageId) ?? null) === problem) return map;
      const next = new Map(map);
      if (problem === null) next.delete(messageId);
      else next.set(messageId, problem);
      return next;
    });

  const current = (id: string) => messages().find((message) => message.id === id);
  const replace = (message: OutboxMessage) =>
    setMessages((list) => {
      const at = list.findIndex((m) => m.id === message.id);
      if (at < 0) return [...list, message].sort(byAge);
      const next = [...list];
      next[at] = message;
      return next;
    });
  const drop = (id: string) => setMessages((list) => list.filter((message) => message.id !== id));

  // Writes go one after another, so an older version never lands over a newer one.
  let writes: Promise<void> = Promise.resolve();
  const write = (id: string, work: (box: FileOutbox) => Promise<void>, isPut: boolean): Promise<void> => {
    writes = writes.then(async () => {
      const box = outbox ?? (await options.outbox.catch(() => null));
      if (!box) {
        persisted.delete(id);
        if (isPut) setProblem(id, DEVICE_PROBLEM);
        return;
      }
      try {
        await work(box);
        if (isPut) {
          persisted.add(id);
          if (problems().get(id) === DEVICE_PROBLEM) setProblem(id, null);
        } else persisted.delete(id);
        options.tabs?.post();
      } catch (error) {
        // Stopped (signed out, or the page is going): the outbox is closed, nothing more to keep.
        if (stopped) return;
        console.error("the file outbox could not be written", error);
        if (isPut) {
          persisted.delete(id);
          setProblem(id, DEVICE_PROBLEM);
        }
      }
    });
    return writes;
  };
  const save = (message: OutboxMessage) => write(message.id, (box) => box.put(message), true);
  const forget = (id: string) => {
    drop(id);
    setProblem(id, null);
    return write(id, (box) => box.delete(id), false);
  };
  const patch = (
    id: string,
    change: (message: OutboxMessage) => OutboxMessage,
  ): OutboxMessage | undefined => {
    const before = current(id);
    if (!before) return undefined;
    const after = change(before);
    replace(after);
    void save(after);
    return after;
  };
  const patchFile = (id: string, fileId: string, change: Partial<OutboxFile>) =>
    patch(id, (message) => ({
      ...message,
      files: message.files.map((file) => (file.id === fileId ? { ...file, ...change } : file)),
    }));

  /** What the outbox holds now, merged into memory (at start, and when another tab changed it). */
  async function reload(): Promise<void> {
    const box = outbox;
    if (!box || stopped) return;
    const stored = await box.list().catch(() => null);
    if (!stored || stopped) return;
    const onDevice = new Map(stored.map((message) => [message.id, message]));
    for (const id of onDevice.keys()) persisted.add(id);
    setMessages((list) => {
      // Kept in memory only (the device refused it), or not yet written: still waiting.
      const memoryOnly = list.filter((message) => !onDevice.has(message.id) && !persisted.has(message.id));
      for (const message of list)
        if (!onDevice.has(message.id) && persisted.has(message.id)) persisted.delete(message.id);
      return [...stored, ...memoryOnly].sort(byAge);
    });
  }

  // ---- moving messages on ----

  let pumping = false;
  let again = false;
  let failures = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;

  function wake(): void {
    if (stopped) return;
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
    void pump();
  }

  async function pump(): Promise<void> {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      let busy = false;
      do {
        again = false;
        for (const { id } of messages()) {
          if (stopped) return;
          const outcome = await exclusive(`chat-outbox:${options.author}:${id}`, () => advance(id));
          if (outcome === "offline") {
            failures += 1;
            retryTimer = setTimeout(wake, retryDelay(failures));
            return;
          }
          // Another tab of this person is sending it: look again later, in case that tab closes.
          busy ||= outcome === undefined;
        }
      } while (again && !stopped);
      failures = 0;
      if (busy && !stopped) retryTimer = setTimeout(wake, OTHER_TAB_RETRY_MS);
    } finally {
      pumping = false;
    }
  }

  async function advance(id: string): Promise<Outcome> {
    // Another tab may have moved it on (or sent it) since this one last looked.
    if (outbox && persisted.has(id)) {
      // This tab's own writes first: reading before them would bring back an older version.
      await writes;
      const latest = await outbox.get(id).catch(() => undefined);
      if (!latest) {
        drop(id);
        persisted.delete(id);
        return "done";
      }
      replace(latest);
    }
    let message = current(id);
    if (!message) return "done";
    if (!message.appendedTo) {
      for (const file of message.files) {
        if (file.stored || file.problem) continue;
        const abort = new AbortController();
        running.set(id, { fileId: file.id, abort });
        setProgress(file.id, 0);
        try {
          const stored = await options.upload(
            message.roomId,
            file.id,
            file.name,
            file.blob,
            (sent, total) => setProgress(file.id, total > 0 ? Math.min(1, sent / total) : 0),
            abort.signal,
          );
          message = patchFile(id, file.id, { stored });
        } catch (error) {
          // Removed while it uploaded: nothing to report.
          if (abort.signal.aborted) return "done";
          if (isTransient(error)) return "offline";
          message = patchFile(id, file.id, {
            problem: refusalSentence(error),
            refusedWith: error instanceof ApiError ? error.status : undefined,
          });
        } finally {
          running.delete(id);
          setProgress(file.id, null);
        }
        if (!message) return "done";
      }
      if (message.files.some((file) => file.problem)) return "waiting";
    }
    return deliver(message);
  }

  /** Every file is stored: the message goes into the room's newest segment, then leaves the outbox. */
  async function deliver(waiting: OutboxMessage): Promise<Outcome> {
    let message = waiting;
    const room = options.registry.open(roomDocName(message.roomId));
    try {
      await room.whenLoaded;
      // Which segment is newest is the server's to say: ask it when it can be asked.
      await until(() => room.synced() || room.refusal() !== null, syncWaitMs);
      if (room.refusal()) {
        setProblem(message.id, ROOM_REFUSED);
        return "waiting";
      }
      const segments = listSegments(room.doc);
      const newest = segments[segments.length - 1];
      const target =
        message.appendedTo ?? (newest === undefined ? null : segmentDocName(message.roomId, newest));
      if (!target) return "offline";
      const segment = options.registry.open(target);
      try {
        await segment.whenLoaded;
        // Appended before a reload: whether it got there, only the server's copy can say for sure;
        // appending it twice would be refused.
        if (message.appendedTo && !(await until(() => segment.synced(), syncWaitMs))) return "offline";
        if (!findMessage(segment.doc, message.id)) {
          message = patch(message.id, (m) => ({ ...m, appendedTo: target })) ?? message;
          await writes;
          // As it is now (its text may have been edited meanwhile); from here on, the segment holds it.
          message = current(message.id) ?? message;
          const attachments = message.files.map((file) => file.stored!);
          const record =
            message.threadRoot === undefined
              ? createMessage(message.author, message.text, message.createdAt, message.id, attachments)
              : createReply(message.author, message.text, message.threadRoot, {
                  alsoInRoom: message.alsoInRoom,
                  now: message.createdAt,
                  id: message.id,
                  attachments,
                });
          appendMessage(segment.doc, record);
        }
        await segment.flushed();
      } finally {
        segment.release();
      }
      await forget(message.id);
      return "done";
    } catch (error) {
      if (error instanceof MessageRejected) {
        setProblem(message.id, error.message);
        return "waiting";
      }
      throw error;
    } finally {
      room.release();
    }
  }

  // ---- start ----

  void options.outbox
    .then(async (box) => {
      if (stopped) return box.close();
      outbox = box;
      await reload();
    })
    .catch((error) => console.error("the file outbox could not be opened", error))
    .finally(() => wake());
  const stopListening = options.tabs?.listen(() => void reload().then(wake));

  return {
    messages,
    count: () => messages().filter((message) => !message.appendedTo).length,
    progress: (fileId) => progressSignal(fileId)[0](),
    problem: (messageId) => {
      const text = problems().get(messageId);
      return text === undefined ? null : { text, blocking: text !== DEVICE_PROBLEM };
    },
    send(roomId, text, files, thread) {
      const id = newId();
      const createdAt = now();
      // The same rules as the message it becomes (text, at most ten files); the server's metadata
      // replaces what the browser guessed once the files are uploaded.
      createMessage(
        options.author,
        text,
        createdAt,
        id,
        files.map((file) => ({
          id: file.id,
          name: file.name,
          size: Math.max(1, file.bytes.size),
          type: file.bytes.type || "application/octet-stream",
        })),
      );
      const message: OutboxMessage = {
        id,
        roomId,
        author: options.author,
        createdAt,
        text,
        files: files.map((file) => ({
          id: file.id,
          name: file.name,
          size: file.bytes.size,
          localType: file.bytes.type,
          blob: file.bytes,
        })),
        ...(thread ? { threadRoot: thread.rootId, ...(thread.alsoInRoom ? { alsoInRoom: true } : {}) } : {}),
      };
      replace(message);
      void save(message).then(wake);
      return message;
    },
    retry(messageId) {
      setProblem(messageId, null);
      patch(messageId, (message) => ({
        ...message,
        files: message.files.map(({ problem: _problem, refusedWith, ...file }) =>
          // The id was taken (by someone else, or by other bytes): this file goes under a new one.
          refusedWith === 409 ? { ...file, id: newAttachmentId() } : file,
        ),
      }));
      wake();
    },
    edit(messageId, text) {
      const message = current(messageId);
      if (!message || message.appendedTo) return;
      const problem = messageTextProblem(text, message.files.length > 0);
      if (problem) throw new MessageRejected(problem);
      patch(messageId, (m) => ({ ...m, text }));
    },
    removeFile(messageId, fileId) {
      const message = current(messageId);
      if (!message) return;
      const upload = running.get(messageId);
      if (upload?.fileId === fileId) upload.abort.abort();
      const files = message.files.filter((file) => file.id !== fileId);
      if (files.length === 0 && message.text.trim() === "") {
        void forget(messageId);
        return;
      }
      // Left with text only, it goes as a message without files.
      patch(messageId, (m) => ({ ...m, files }));
      wake();
    },
    discard(messageId) {
      running.get(messageId)?.abort.abort();
      void forget(messageId);
    },
    wake,
    stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      for (const upload of running.values()) upload.abort.abort();
      stopListening?.();
      // What was being written is finished first: it is what the next start reads.
      void writes.then(() => outbox?.close());
    },
  };
}

const byAge = (a: OutboxMessage, b: OutboxMessage) => a.createdAt - b.createdAt || a.id.localeCompare(b.id);

/** Polls `condition` until it holds (true) or `ms` have passed (false). */
async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}
