import {
  findMessage,
  isMessageRecord,
  isServerClientId,
  type MessageRecord,
  messageEdits,
  messagesById,
  parseDocName,
  ROOTS,
  reactionEmojis,
  reactionEmojisByMessage,
} from "@chat/model";
import type { afterHandleMessagePayload, beforeSyncPayload, Extension } from "@hocuspocus/server";
import { messageYjsSyncStep1 } from "y-protocols/sync";
import type * as Y from "yjs";
import {
  askClientToRetry,
  type ConnectionContext,
  ForbiddenWrite,
  RateLimited,
  UpdateTooLarge,
} from "../context.ts";
import type { AccountLimits } from "../limits/accountLimits.ts";
import { newMessageCount, type SegmentGrowth } from "../limits/segmentGrowth.ts";
import { describeWait } from "../limits/tooManyRequests.ts";
import type { Logger } from "../log.ts";
import type { ClientIdRegistry } from "../writes/clientIds.ts";
import { documentFacts } from "../writes/documentFacts.ts";
import {
  type InspectedUpdate,
  inspectOnce,
  UnresolvableUpdate,
  type Write,
} from "../writes/inspectUpdate.ts";
import { type MessageLookup, refuseWrites, type UploadFacts } from "../writes/rules.ts";

/** What the guard asks of the files part (files/files.ts) about the uploads messages name. */
export interface UploadsPort {
  lookup(ids: readonly string[]): Promise<ReadonlyMap<string, UploadFacts>>;
  /** Ties the uploads to the message; false when one of them is another message's already. */
  claim(roomId: string, uploader: string, messageId: string, ids: readonly string[]): Promise<boolean>;
}

/**
 * Largest single Yjs update the server decodes (SECURITY.md, "Limits"): 6 MiB, below the 8 MiB frame
 * cap. A message record of the longest text (10,000 characters) is ~10 KiB of UTF-8 for Latin text and
 * ~30 KiB at worst (three bytes per character), so an offline backlog of ~600 longest Latin messages
 * (~200 of the worst kind, and any number of ordinary ones) still arrives as one update; anything
 * bigger is not a person's backlog but an attempt to make the server decode, hold and store megabytes.
 */
export const MAX_UPDATE_BYTES = 6 * 1024 * 1024;

/**
 * Hocuspocus has no per-update permissions, so every update is decoded and judged before it is
 * applied, stored or broadcast. A refused update closes that document's connection with code 4403;
 * nothing of it reaches other clients or Postgres.
 */
export class WriteGuard implements Extension {
  priority = 200;
  extensionName = "write-guard";

  private readonly clientIds: ClientIdRegistry;
  private readonly log: Logger;
  private readonly limits: AccountLimits;
  private readonly segments: SegmentGrowth;
  private readonly uploads: UploadsPort | null;
  private readonly threadRoots: ThreadRootsPort | null;

  constructor(
    clientIds: ClientIdRegistry,
    log: Logger,
    limits: AccountLimits,
    segments: SegmentGrowth,
    uploads: UploadsPort | null = null,
    threadRoots: ThreadRootsPort | null = null,
  ) {
    this.clientIds = clientIds;
    this.log = log;
    this.limits = limits;
    this.segments = segments;
    this.uploads = uploads;
    this.threadRoots = threadRoots;
  }

  async beforeSync({
    documentName,
    document,
    type,
    payload,
    context,
    connection,
  }: beforeSyncPayload): Promise<void> {
    if (type === messageYjsSyncStep1) return; // a state vector, no content
    const { user } = context as ConnectionContext;
    if (payload.byteLength > MAX_UPDATE_BYTES) {
      const explanation = `${payload.byteLength} bytes, at most ${MAX_UPDATE_BYTES}`;
      this.log.warn({ doc: documentName, user: user.id, bytes: payload.byteLength }, "update too large");
      throw new UpdateTooLarge(explanation);
    }
    const ref = parseDocName(documentName);
    if (!ref) throw new ForbiddenWrite("unknown document");
    let inspected: InspectedUpdate;
    try {
      inspected = inspectOnce(document, payload);
    } catch (error) {
      const explanation = error instanceof UnresolvableUpdate ? error.message : "malformed update";
      this.refuse(documentName, user.id, explanation);
    }
    if (inspected.noop) return;
    // Persistence applies an accepted update before Hocuspocus's own read-only check runs, so a
    // read-only connection (the directory) is refused here, whatever its update holds.
    if (connection.readOnly) this.refuse(documentName, user.id, "this document is read-only");
    if ([...inspected.clients].some(isServerClientId))
      this.refuse(documentName, user.id, "that Yjs client id is reserved for the server");
    // Files a new message names are looked up first (Postgres, or this instance's memory of its
    // uploads), so the rules themselves stay synchronous and pure.
    const attaching = ref.kind === "segment" ? attachingMessages(inspected.writes) : [];
    const uploads =
      attaching.length > 0 && this.uploads
        ? await this.orRetryLater(context, () =>
            this.uploads!.lookup(attaching.flatMap((m) => m.attachments!.map((a) => a.id))),
          )
        : new Map<string, UploadFacts>();
    const inSegment = messageLookup(document, inspected.writes);
    // A reply's root in an older segment is looked up in Postgres first, as files are.
    const threadRoots = this.threadRoots;
    const distantRoots =
      ref.kind === "segment" && threadRoots ? rootsElsewhere(inspected.writes, inSegment) : [];
    const numbered =
      ref.kind === "segment" && threadRoots && distantRoots.length > 0
        ? await this.orRetryLater(context, () => threadRoots(ref.roomId, distantRoots))
        : new Map<string, { threadRoot: string | null; deleted: boolean }>();
    const lookup: MessageLookup = {
      ...inSegment,
      upload: (id: string) => uploads.get(id),
      numbered: (id: string) => numbered.get(id),
    };
    const problem = refuseWrites(ref, user.id, inspected.writes, lookup);
    if (problem) this.refuse(documentName, user.id, problem);
    const stolen = await this.clientIds.claim(inspected.clients, user.id);
    if (stolen.length > 0)
      this.refuse(documentName, user.id, "that Yjs client id belongs to another account");
    // Messages are counted, not updates: one update carries a bounded number and a segment stays
    // near its capacity (limits/segmentGrowth.ts; refused for good, 4403). Then the per-account
    // allowance: over it, the whole socket closes with 4429 and the client keeps the messages
    // pending and sends them again after its reconnect back-off.
    if (ref.kind === "segment") {
      const count = newMessageCount(inspected.writes);
      const overgrown = this.segments.admit(document, context, count);
      if (overgrown) this.refuse(documentName, user.id, overgrown);
      const waitMs = await this.limits.messages(user.id, count);
      if (waitMs !== null) {
        const reason = `too many messages, wait ${describeWait(Math.ceil(waitMs / 1000))}`;
        this.log.warn({ doc: documentName, user: user.id }, "account over its message limit");
        (context as ConnectionContext).rateLimited?.(reason);
        throw new RateLimited(reason);
      }
    }
    // Last, once nothing else refuses the update: each named file becomes its message's, before any
    // member receives the message (so a member who sees it can download its files at once).
    if (ref.kind === "segment" && this.uploads)
      for (const message of attaching) {
        const ids = message.attachments!.map((a) => a.id);
        const uploads = this.uploads;
        if (!(await this.orRetryLater(context, () => uploads.claim(ref.roomId, user.id, message.id, ids))))
          this.refuse(documentName, user.id, "a file belongs to one message");
      }
  }

  /** The update's messages are in the segment or refused: no longer in flight. */
  async afterHandleMessage({ context }: afterHandleMessagePayload): Promise<void> {
    this.segments.release(context);
  }

  /**
   * Postgres unreachable while looking at files: the client keeps the message pending and sends it
   * again after reconnecting (as persistence does when it cannot store).
   */
  private async orRetryLater<T>(context: unknown, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      this.log.error({ error: String(error) }, "cannot look up attached files; the client retries");
      askClientToRetry(context, "database unavailable");
      throw error;
    }
  }

  private refuse(documentName: string, userId: string, explanation: string): never {
    this.log.warn({ doc: documentName, user: userId, explanation }, "refused a write");
    throw new ForbiddenWrite(explanation);
  }
}

/** What the guard asks Postgres about replies' roots the segment does not hold (userIndex/threadQueries.ts). */
export type ThreadRootsPort = (
  roomId: string,
  rootIds: readonly string[],
) => Promise<ReadonlyMap<string, { threadRoot: string | null; deleted: boolean }>>;

/** Roots named by the update's new replies that neither the segment nor the update holds. */
function rootsElsewhere(writes: readonly Write[], lookup: MessageLookup): string[] {
  const roots = new Set<string>();
  for (const write of writes)
    if (write.op === "insert" && write.root === ROOTS.segment.messages)
      for (const value of write.values ?? [])
        if (isMessageRecord(value) && value.threadRoot !== undefined && !lookup.message(value.threadRoot))
          roots.add(value.threadRoot);
  return [...roots];
}

/** New message records of the update that name files. */
function attachingMessages(writes: readonly Write[]): MessageRecord[] {
  const found: MessageRecord[] = [];
  for (const write of writes)
    if (write.op === "insert" && write.root === ROOTS.segment.messages)
      for (const value of write.values ?? [])
        if (isMessageRecord(value) && value.attachments !== undefined) found.push(value);
  return found;
}

/**
 * Messages an edit or a reaction may refer to: those in the segment, and those the same update appends
 * (sent offline, then edited). Looked up once per id: a segment holds up to ~2,000 messages.
 */
function messageLookup(document: Y.Doc, writes: readonly Write[]): MessageLookup {
  // One lookup costs a scan of the segment (or of its reactions); an update with many lookups
  // indexes it once, so a crafted update of thousands of reactions stays linear.
  let lookups = 0;
  let index: Map<string, MessageRecord> | undefined;
  const inDocument = (id: string) => {
    if (index) return index.get(id);
    if (++lookups <= 4) return findMessage(document, id);
    const built = messagesById(document);
    index = built;
    return built.get(id);
  };
  let appended: Map<string, MessageRecord> | undefined;
  let emojiLookups = 0;
  let emojiIndex: Map<string, Set<string>> | undefined;
  return {
    message(id) {
      if (!appended) {
        appended = new Map();
        for (const write of writes)
          if (write.op === "insert" && write.root === ROOTS.segment.messages)
            for (const value of write.values ?? [])
              if (isMessageRecord(value) && !appended.has(value.id)) appended.set(value.id, value);
      }
      return appended.get(id) ?? inDocument(id);
    },
    stored: (id) => inDocument(id) !== undefined,
    edit: (id) => messageEdits(document).get(id),
    reactionEmojis(id) {
      if (!emojiIndex && ++emojiLookups > 4) emojiIndex = reactionEmojisByMessage(document);
      return emojiIndex ? (emojiIndex.get(id) ?? new Set()) : reactionEmojis(document, id);
    },
    ...documentFacts(document),
  };
}
