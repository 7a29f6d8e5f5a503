import { canOpenRoom, parseDocName, SCHEMA_VERSION } from "@chat/model";
import type {
  connectedPayload,
  Extension,
  onAuthenticatePayload,
  onDisconnectPayload,
} from "@hocuspocus/server";
import { askClientToRetry, type ConnectionContext, Refusal } from "../context.ts";
import type { Database } from "../db/database.ts";
import type { RoomSegments } from "../docs/roomSegments.ts";
import type { OpenDocuments } from "../limits/openDocuments.ts";
import type { Logger } from "../log.ts";
import type { Membership } from "../membership/membership.ts";
import { getRoomAndMembership, isMember } from "../rooms/rooms.ts";

/** How long a room check answers further documents of the room opened on the same socket. */
const SHARED_ROOM_CHECK_MS = 2_000;

/**
 * Who may open which document (SECURITY.md, "What is checked where"). The person comes from the session
 * cookie checked at the WebSocket upgrade; each document is authorised here before anything of it
 * is loaded or sent. A public room one is not in opens read-only, as a preview (its history, and
 * "Join room" in the app): joining is a choice made through the API (POST /api/rooms/<id>/join), never
 * a side effect of looking. A DM room is created when one of its two people first opens it. A history segment opens only once the room lists it (a made-up segment
 * number would make the server load and hold an empty document), and a socket or account holds a
 * bounded number of documents open (limits/openDocuments.ts).
 */
export class Access implements Extension {
  priority = 1000;
  extensionName = "access";

  private readonly db: Database;
  private readonly membership: Membership;
  private readonly log: Logger;
  private readonly segments: RoomSegments;
  private readonly openDocuments: OpenDocuments;
  /** Per socket and room, the check in flight or just done (roomOnSocket). */
  private readonly recentRoomChecks = new Map<string, Promise<boolean>>();
  /** Whose access each of those checks answered. */
  private readonly checkedFor = new WeakMap<Promise<boolean>, string>();

  constructor(
    db: Database,
    membership: Membership,
    log: Logger,
    segments: RoomSegments,
    openDocuments: OpenDocuments,
  ) {
    this.db = db;
    this.membership = membership;
    this.log = log;
    this.segments = segments;
    this.openDocuments = openDocuments;
  }

  async onAuthenticate({
    documentName,
    context,
    connectionConfig,
    requestParameters,
    socketId,
  }: onAuthenticatePayload): Promise<void> {
    const user = (context as Partial<ConnectionContext>).user;
    if (!user) throw new Refusal("unauthenticated");
    // An installed app can run old code for days: one that would write an older shape must reload first.
    const clientSchema = Number(requestParameters.get("schema") ?? SCHEMA_VERSION);
    if (!(clientSchema >= SCHEMA_VERSION)) throw new Refusal("outdated-client");
    const ref = parseDocName(documentName);
    if (!ref) throw new Refusal("not-found");
    try {
      switch (ref.kind) {
        case "directory":
          connectionConfig.readOnly = true;
          break;
        case "user":
          if (ref.userId !== user.id) throw new Refusal("forbidden");
          break;
        case "room":
          if (await this.roomOnSocket(socketId, ref.roomId, user.id)) connectionConfig.readOnly = true;
          break;
        case "segment":
          if (await this.roomOnSocket(socketId, ref.roomId, user.id)) connectionConfig.readOnly = true;
          if (!(await this.segments.exists(ref.roomId, ref.segment))) throw new Refusal("not-found");
          break;
      }
    } catch (error) {
      if (error instanceof Refusal) throw error;
      this.log.error(
        { doc: documentName, error: String(error) },
        "cannot check access: client asked to retry",
      );
      askClientToRetry(context, "database unavailable");
      throw new Refusal("unavailable");
    }
    const full = this.openDocuments.admit(socketId, user.id, documentName);
    if (full) {
      this.log.warn({ doc: documentName, user: user.id, full }, "too many open documents");
      throw new Refusal("too-many-documents");
    }
  }

  async connected({ context, socketId, documentName }: connectedPayload): Promise<void> {
    const user = (context as Partial<ConnectionContext>).user;
    if (user) this.openDocuments.opened(socketId, user.id, documentName);
  }

  async onDisconnect({ context, socketId, documentName }: onDisconnectPayload): Promise<void> {
    const user = (context as Partial<ConnectionContext> | undefined)?.user;
    if (user) this.openDocuments.closed(socketId, user.id, documentName);
  }

  /** The person is no longer in the room: no check of theirs made before may answer for it. */
  forgetRoom(roomId: string, userId: string): void {
    for (const [key, check] of this.recentRoomChecks)
      if (key.endsWith(` ${roomId}`) && this.checkedFor.get(check) === userId)
        this.recentRoomChecks.delete(key);
  }

  /**
   * The app opens a room's document and its newest segment together on one socket: one check of the
   * room answers both (a join storm asked the database twice per device). The answer is kept only
   * for a moment after it came, so a membership that ends later is asked about afresh (and one that
   * begins is forgotten at once: forgetRoom). True: the person may only read (a preview).
   */
  private roomOnSocket(socketId: string, roomId: string, userId: string): Promise<boolean> {
    const key = `${socketId} ${roomId}`;
    const shared = this.recentRoomChecks.get(key);
    if (shared) return shared;
    const check = this.authoriseRoom(roomId, userId);
    this.checkedFor.set(check, userId);
    this.recentRoomChecks.set(key, check);
    const forget = () => this.recentRoomChecks.delete(key);
    check.then(
      () => setTimeout(forget, SHARED_ROOM_CHECK_MS).unref(),
      // A refusal or a failure is not shared beyond those already waiting for it.
      forget,
    );
    return check;
  }

  /** Refuses, or says whether the person may only read: true for a public room they are not in. */
  private async authoriseRoom(roomId: string, userId: string): Promise<boolean> {
    // A direct conversation begins when one of its two people first opens it.
    const found = await getRoomAndMembership(this.db, roomId, userId);
    let room = found?.room ?? null;
    let member = found?.member ?? false;
    if (!found) {
      room = await this.membership.beginDirect(roomId, userId);
      member = room !== null && (await isMember(this.db, roomId, userId));
    }
    if (!room) throw new Refusal("not-found");
    if (!canOpenRoom(room, member)) throw new Refusal("forbidden");
    // A public room one is not in: readable by everyone, written by its members only.
    return !member;
  }
}
