import {
  appendMessage,
  canChangeMessage,
  canRemoveAsAdmin,
  createMessage,
  deleteMessage,
  dmParticipants,
  editMessage,
  isDirectConversation,
  isMember,
  isOpenRefusal,
  listSegments,
  type MessageRecord,
  type MessageView,
  type OpenRefusal,
  observeMembers,
  observeRoom,
  parseMentions,
  readRoomMeta,
  roomDocName,
  segmentDocName,
  showsInRoom,
  summarizeThreads,
} from "@chat/model";
import { createEffect, createMemo, createSignal, Match, onCleanup, Show, Switch } from "solid-js";
import { Portal } from "solid-js/web";
import type { OutboxMessage } from "../device/fileOutbox";
import { addPerson, removeMessageAsAdmin } from "../lib/api";
import { colorOf, roomSlots } from "../lib/avatarColors";
import { displayNameOf, hasOwnDisplayName } from "../lib/people";
import { navigate, roomPath, threadPath } from "../lib/router";
import { leftHere } from "../state/departures";
import { useDraft } from "../state/drafts";
import { useRoomHistory } from "../state/history";
import { showConversationTitle } from "../state/pageTitle";
import { typingNames, typingReporter } from "../state/presence";
import { roomLife } from "../state/roomLife";
import { outdated } from "../state/session";
import { observedIn, reuseUnchanged, useDocument } from "../state/signals";
import { useWorkspace } from "../state/workspace";
import type { Refusal } from "../sync/docs";
import { RoomGlyph } from "../ui/Icons";
import { Composer } from "./Composer";
import { type ChosenFile, createChosenFiles } from "./chosenFiles";
import { groupTitle } from "./GroupConversationLinks";
import { JoinBar } from "./JoinBar";
import { MentionPrompt } from "./MentionPrompt";
import { MessageList } from "./MessageList";
import { RoomActions } from "./RoomActions";
import { ThreadPanel } from "./ThreadPanel";
import { TypingIndicator } from "./TypingIndicator";
import "./threads.css";

/** What each refusal the server can give (model protocol.ts) says to the person. */
const REFUSAL_TEXT: Record<OpenRefusal, string> = {
  "not-found": "This room does not exist.",
  forbidden: "You don't have access to this conversation.",
  unauthenticated: "Your session has ended. Sign in again to continue.",
  unavailable: "The server cannot open this room right now. It will keep trying.",
  "outdated-client": "This version of Chat is out of date. Reload the page to continue.",
  "too-many-documents": "This device has too many conversations open at once. Close a few tabs and reload.",
};

const REFUSAL_TITLE: Partial<Record<OpenRefusal, string>> = {
  "not-found": "Room not found",
  forbidden: "No access",
  unavailable: "Room unavailable",
  "outdated-client": "Update needed",
  "too-many-documents": "Too many open",
};

export function refusalText(reason: Refusal): string {
  return isOpenRefusal(reason) ? REFUSAL_TEXT[reason] : "This room cannot be opened right now.";
}

/**
 * A room (or a DM): `room:<id>` for its meta and segment list, then its newest history segment
 * `room:<id>/<n>` for messages. Nothing of the room is shown when the server refuses it.
 */
export function RoomView(props: {
  roomId: string;
  title?: string;
  /** Where the conversation lives (`/r/<id>`, or `/dm/<username>`); its threads open under it. */
  path?: string;
  /** The root message of the thread open beside the room (`…/t/<messageId>`). */
  threadId?: string;
}) {
  const workspace = useWorkspace();
  const room = useDocument(workspace.registry, () => roomDocName(props.roomId));
  const meta = observedIn(room, observeRoom, readRoomMeta, null);
  // The newest segment opens with the room; older ones as the person scrolls back.
  const history = useRoomHistory(workspace.registry, workspace.me.id, () => props.roomId, room);
  const segment = history.newest;
  const stored = history.messages;
  // Sent before the room document said which segment is newest (just created, or still loading):
  // shown as pending and appended as soon as the segment is known.
  const [waiting, setWaiting] = createSignal<MessageRecord[]>([]);
  createEffect(() => {
    const target = segment();
    const queued = waiting();
    if (!target || queued.length === 0) return;
    for (const message of queued) appendMessage(target.doc, message);
    setWaiting([]);
  });
  /** A message or a thread's reply goes to the newest segment, or waits until that is known. */
  const post = (message: MessageRecord) => {
    const target = segment();
    if (target) appendMessage(target.doc, message);
    else setWaiting((queued) => [...queued, message]);
  };
  // My messages with files that wait on this device for their uploads (they join the segment once
  // every file is stored): shown at once, as pending, from the device's copies of the files.
  const outgoing = createMemo(() => workspace.files.messages().filter((m) => m.roomId === props.roomId));
  const outgoingById = createMemo(() => new Map(outgoing().map((message) => [message.id, message])));
  /**
   * The workspace admin removes someone else's message: the server writes the removal (shown as
   * "message removed by an admin"), in the history segment that holds it. The segments a message can be
   * in are open (newest first, older ones as scrolled back to), so the search stops at an open one.
   */
  const removeAsAdmin = async (message: MessageView): Promise<void> => {
    const doc = history.docFor(message.id);
    const roomDoc = room()?.doc;
    if (!doc || !roomDoc || !canRemoveAsAdmin(message, { id: workspace.me.id, isAdmin: true }))
      throw new Error("This message cannot be removed here.");
    for (const n of [...listSegments(roomDoc)].reverse()) {
      const handle = workspace.registry.open(segmentDocName(props.roomId, n));
      const holds = handle.doc === doc;
      handle.release();
      if (holds) return removeMessageAsAdmin(props.roomId, n, message.id);
    }
    throw new Error("This message cannot be removed here.");
  };
  const outgoingViews = new WeakMap<OutboxMessage, MessageView>();
  const outgoingView = (message: OutboxMessage): MessageView => {
    let view = outgoingViews.get(message);
    if (!view) {
      view = {
        id: message.id,
        author: message.author,
        createdAt: message.createdAt,
        at: message.createdAt,
        text: message.text,
        mentions: parseMentions(message.text),
        attachments: message.files.map(
          (file) =>
            file.stored ?? {
              id: file.id,
              name: file.name,
              size: file.size,
              type: file.localType || "application/octet-stream",
            },
        ),
        seq: null,
        edited: false,
        deleted: false,
        // A reply with files waits here too: it shows in its thread (and the room only if also sent there).
        ...(message.threadRoot === undefined ? {} : { threadRoot: message.threadRoot }),
        ...(message.alsoInRoom ? { alsoInRoom: true } : {}),
      };
      outgoingViews.set(message, view);
    }
    return view;
  };
  const rawMessages = () => {
    const queued = waiting();
    const mine = outgoing();
    if (queued.length === 0 && mine.length === 0) return stored();
    const list = stored();
    const listed = new Set(list.map((message) => message.id));
    return [
      ...list,
      ...queued.map(
        (message): MessageView => ({
          ...message,
          seq: null,
          at: message.createdAt,
          edited: false,
          deleted: false,
        }),
      ),
      // Once appended, the segment's copy is the message (until the outbox lets it go).
      ...mine.filter((message) => !listed.has(message.id)).map(outgoingView),
    ];
  };
  // Keep each unchanged message the same object so the list re-renders only what changed.
  const messages = createMemo<MessageView[]>(
    (previous) =>
      reuseUnchanged(
        previous,
        rawMessages(),
        (message) => message.id,
        (a, b) =>
          a.seq === b.seq &&
          a.text === b.text &&
          a.edited === b.edited &&
          a.deleted === b.deleted &&
          a.attachments === b.attachments,
      ),
    [],
  );

  // The room's timeline: its messages and the replies also sent to the room; the other replies live
  // in their threads only (ThreadPanel). Each root shows its thread's count, repliers and last reply.
  const roomMessages = createMemo(() => {
    const list = messages();
    return list.every(showsInRoom) ? list : list.filter(showsInRoom);
  });
  const threads = createMemo(() => summarizeThreads(messages()));
  const basePath = () => props.path ?? roomPath(props.roomId);
  const openThread = (rootId: string) => navigate(threadPath(basePath(), rootId));
  const closeThread = () => {
    navigate(basePath());
    // Back where the person was writing before: the room's box.
    queueMicrotask(() => document.getElementById("composer-input")?.focus());
  };

  const refusal = () => room()?.refusal() ?? segment()?.refusal() ?? null;
  const interruption = () => room()?.interruption() ?? segment()?.interruption() ?? null;
  const isDm = () => dmParticipants(props.roomId) !== null;
  // The person left or was removed (membership-ended): the documents no longer sync (sync/docs.ts).
  /** Why the membership ended, as the server said it; null while it has not. */
  const endedWhy = () => room()?.ended() ?? segment()?.ended() ?? null;
  const ended = () => endedWhy() !== null;
  const title = createMemo(() => {
    if (props.title) return props.title;
    const pair = dmParticipants(props.roomId);
    if (pair) {
      const otherId = pair[0] === workspace.me.id ? pair[1] : pair[0];
      return workspace.userById().get(otherId)?.username ?? "Direct message";
    }
    // A group conversation is nameless: my index names it by the others' usernames.
    if (meta()?.kind === "group") return groupTitle(workspace.indexEntry(props.roomId)?.name);
    return (
      meta()?.name ??
      workspace.navRooms().find((entry) => entry.id === props.roomId)?.name ??
      (isOpenRefusal(refusal() ?? "") ? REFUSAL_TITLE[refusal() as OpenRefusal] : undefined) ??
      ""
    );
  });
  const kind = () => meta()?.kind ?? (isDm() ? "dm" : "channel");
  // The room document's member list says whether I am in the room; read from the same document as
  // its meta, so a public room I am not in is known as such as soon as the room is known at all.
  const memberHere = observedIn(room, observeMembers, (doc) => isMember(doc, workspace.me.id), true);
  /**
   * A public room I am not in: the server opened it read-only (a preview) and refuses any write to
   * it, so nothing here writes (no read position, reactions, edits or composer) until I join.
   */
  const previewing = () => meta()?.kind === "channel" && !memberHere();
  // The other person of a DM: the header shows their display name and status under the username.
  const dmPartner = createMemo(() => {
    const pair = dmParticipants(props.roomId);
    if (!pair) return undefined;
    return workspace.userById().get(pair[0] === workspace.me.id ? pair[1] : pair[0]);
  });
  // People who write in this room get colours distinct among themselves (lib/avatarColors.ts); the
  // set of authors changes far less often than the messages, so the slots are kept until it does.
  const authorIds = createMemo(() =>
    [...new Set(messages().map((message) => message.author))].sort().join(" "),
  );
  const roomColors = createMemo(() => {
    const ids = authorIds();
    const people =
      ids === ""
        ? []
        : ids.split(" ").map((id) => ({
            id,
            createdAt: workspace.userById().get(id)?.createdAt ?? Number.MAX_SAFE_INTEGER,
          }));
    return roomSlots(people, workspace.colorSlots());
  });

  showConversationTitle(title);
  const life = roomLife({
    room,
    segment,
    messages: roomMessages,
    me: workspace.me,
    roomId: props.roomId,
    writable: () => !previewing(),
  });
  // Escape in the room marks it read (Slack's and Element's key), unless something else took it: an
  // open dialog, a menu or list, the edit box or the emoji picker (they prevent its default).
  let section: HTMLElement | undefined;
  const onEscape = (event: KeyboardEvent) => {
    if (event.key !== "Escape" || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey)
      return;
    if (document.querySelector("dialog[open]")) return;
    const target = event.target as Element | null;
    const inRoom = target === document.body || (target !== null && section?.contains(target) === true);
    if (!inRoom || target?.closest('[role="menu"], [role="listbox"], [role="dialog"]')) return;
    life.markAllRead();
  };
  document.addEventListener("keydown", onEscape);
  onCleanup(() => document.removeEventListener("keydown", onEscape));
  const typing = typingReporter(segment, workspace.me);
  const typers = createMemo(() => typingNames(segment(), workspace.me.id));

  const chosen = createChosenFiles();
  const deliver = (text: string, files: readonly ChosenFile[]) => {
    // An app older than the server's schema must not write shapes the server cannot read.
    if (outdated())
      throw new Error("This version of Chat is out of date. Reload to send; your text stays here.");
    if (files.length > 0) {
      // Waits on the device until its files are uploaded; throws MessageRejected like createMessage.
      workspace.files.send(
        props.roomId,
        text,
        files.map((file) => ({ id: file.id, name: file.name, bytes: file.file })),
      );
      typing.stopped();
      life.sent();
      return;
    }
    // createMessage throws MessageRejected with a sentence for empty or over-long text.
    const message = createMessage(workspace.me.id, text);
    typing.stopped();
    life.sent();
    post(message);
  };

  // A message mentioning people who are not in this private room waits for the person's answer: a
  // mention does not bring anyone into a private room (the server adds nobody by it), "Add" does.
  const [asking, setAsking] = createSignal<{
    text: string;
    files: readonly ChosenFile[];
    usernames: string[];
  } | null>(null);
  const outsidersMentioned = (text: string): string[] => {
    const handle = room();
    if (kind() !== "private" || !handle) return [];
    const byName = workspace.userByUsername();
    return parseMentions(text).filter((name) => {
      const person = byName.get(name);
      return person !== undefined && person.id !== workspace.me.id && !isMember(handle.doc, person.id);
    });
  };
  const send = (text: string, files: readonly ChosenFile[]) => {
    const usernames = outsidersMentioned(text);
    if (usernames.length === 0) return deliver(text, files);
    if (outdated())
      throw new Error("This version of Chat is out of date. Reload to send; your text stays here.");
    // Refused text (empty, too long) is said now, while it is still in the box.
    if (files.length === 0) createMessage(workspace.me.id, text);
    setAsking({ text, files, usernames });
  };

  // What was typed and not sent stays in the person's user document (synced to their devices).
  const draft = useDraft(workspace.userIndex, props.roomId);

  // Up-arrow in the empty composer: my newest message that I may still change opens for editing.
  const [editRequest, setEditRequest] = createSignal<string | null>(null);
  const editLast = () => {
    const list = roomMessages();
    for (let i = list.length - 1; i >= 0; i--) {
      const message = list[i]!;
      if (message.deleted || !canChangeMessage(message, workspace.me.id)) continue;
      setEditRequest(message.id);
      return true;
    }
    return false;
  };

  // "#" names a public room; a private one is named as the nav shows it (lock, no "#").
  const placeholder = () => (kind() === "channel" ? `Message #${title()}` : `Message ${title()}`);

  // Files dropped anywhere on the room join the message being written.
  const canAttach = () => !refusal() && !meta()?.archived;
  const [dragging, setDragging] = createSignal(false);
  let dragDepth = 0;
  const carriesFiles = (event: DragEvent) => event.dataTransfer?.types.includes("Files") === true;

  /** Why nobody can reply in a thread here now, or null. */
  const cannotReply = (): string | null => {
    const why = refusal();
    if (why) return refusalText(why);
    if (ended()) return "You are no longer in this room.";
    if (meta()?.archived) return "This room is archived: nobody can reply in it.";
    if (previewing()) return "You are not in this room: join it to reply.";
    return null;
  };
  const roomLabel = () => (kind() === "channel" ? `#${title()}` : title());

  return (
    <div class="room-area" classList={{ threaded: props.threadId !== undefined }}>
      <section
        ref={section}
        class="room"
        classList={{ "drop-target": dragging() }}
        aria-labelledby="room-title"
        onDragEnter={(event) => {
          if (!carriesFiles(event) || !canAttach()) return;
          event.preventDefault();
          dragDepth++;
          setDragging(true);
        }}
        onDragOver={(event) => {
          if (!carriesFiles(event) || !canAttach()) return;
          event.preventDefault();
          if (event.dataTransfer) event.dataTransfer.dropEffect = "copy";
        }}
        onDragLeave={(event) => {
          if (!carriesFiles(event)) return;
          dragDepth = Math.max(0, dragDepth - 1);
          if (dragDepth === 0) setDragging(false);
        }}
        onDrop={(event) => {
          if (!carriesFiles(event)) return;
          event.preventDefault();
          dragDepth = 0;
          setDragging(false);
          const files = event.dataTransfer?.files;
          if (canAttach() && files && files.length > 0) {
            chosen.add(files);
            document.getElementById("composer-input")?.focus();
          }
        }}
      >
        <Show when={dragging()}>
          <div class="drop-overlay" aria-hidden="true">
            <span>Drop files to attach them</span>
          </div>
        </Show>
        <div class="room-header">
          <div class="room-title-row">
            <Show when={!isDirectConversation(kind()) && !refusal()}>
              <span class="room-glyph" aria-hidden="true">
                <RoomGlyph kind={kind()} size={16} />
              </span>
            </Show>
            <h1 id="room-title">{title() || "\u00a0"}</h1>
            <Show when={meta() && !refusal() && !ended()}>
              <RoomActions meta={meta()!} room={room()!} />
            </Show>
          </div>
          <Show when={meta()?.topic}>
            <p class="room-topic">{meta()?.topic}</p>
          </Show>
          <Show when={dmPartner()}>
            {(person) => (
              <Show when={hasOwnDisplayName(person()) || person().status}>
                <p class="room-topic dm-profile">
                  <Show when={hasOwnDisplayName(person())}>
                    <span class="dm-display-name">{displayNameOf(person())}</span>
                  </Show>
                  <Show when={hasOwnDisplayName(person()) && person().status}>
                    <span aria-hidden="true"> · </span>
                  </Show>
                  <Show when={person().status}>
                    <span class="dm-status">{person().status}</span>
                  </Show>
                </p>
              </Show>
            )}
          </Show>
        </div>
        <Switch>
          <Match when={refusal()}>
            {(reason) => (
              <div class="room-refused" role="alert">
                <p class="room-refused-title">{refusalText(reason())}</p>
                <p>Pick another conversation on the left.</p>
              </div>
            )}
          </Match>
          <Match when={ended()}>
            <div class="room-refused" role="alert">
              <p class="room-refused-title">
                {leftHere(props.roomId) ? "You left this room." : endedText(endedWhy())}
              </p>
              <p>You no longer receive its messages, and it is gone from your rooms on every device.</p>
            </div>
          </Match>
          <Match when={!refusal()}>
            <MessageList
              messages={roomMessages()}
              me={workspace.me}
              userById={workspace.userById()}
              knownUsernames={workspace.knownUsernames()}
              userByUsername={workspace.userByUsername()}
              colorFor={(userId) => colorOf(roomColors(), userId)}
              loading={!segment()?.synced() && !segment()?.loaded()}
              hasOlder={history.hasOlder()}
              loadingOlder={history.loadingOlder()}
              onReachStart={history.loadOlder}
              newMessagesFrom={life.newMessagesFrom()}
              startAt={life.firstUnreadAtOpen()}
              onAtBottom={life.setAtBottom}
              onMarkUnread={previewing() ? undefined : life.markUnread}
              receiptFor={life.receiptFor}
              canChange={(message) =>
                !previewing() &&
                canChangeMessage(message, workspace.me.id) &&
                (history.docFor(message.id) !== null || outgoingById().has(message.id))
              }
              docFor={(message) => (previewing() ? null : history.docFor(message.id))}
              editRequest={editRequest()}
              onEditStarted={() => setEditRequest(null)}
              onEdit={(message, text) => {
                const doc = history.docFor(message.id);
                if (doc) editMessage(doc, message, workspace.me.id, text);
                // Still waiting for its files: the device's copy is edited before it goes.
                else if (outgoingById().has(message.id)) workspace.files.edit(message.id, text);
              }}
              onDelete={(message) => {
                const doc = history.docFor(message.id);
                if (doc) deleteMessage(doc, message, workspace.me.id);
                // Still waiting for its files: it never goes.
                else if (outgoingById().has(message.id)) workspace.files.discard(message.id);
              }}
              removeAsAdmin={workspace.me.isAdmin ? removeAsAdmin : undefined}
              outgoingFor={(messageId) => outgoingById().get(messageId)}
              files={workspace.files}
              threadOf={(messageId) => threads().get(messageId)}
              canReplyInThread={(message) =>
                message.event === undefined &&
                message.threadRoot === undefined &&
                history.docFor(message.id) !== null
              }
              onOpenThread={openThread}
              intro={
                <Show
                  when={isDirectConversation(kind())}
                  fallback={
                    <p>
                      This is the very beginning of <strong>{title()}</strong>.
                    </p>
                  }
                >
                  <p>
                    This is the beginning of your conversation with{" "}
                    <strong>{dmPartner() ? displayNameOf(dmPartner()) : title()}</strong>.
                  </p>
                </Show>
              }
            />
            <Show when={interruption()}>
              {(why) => (
                <p class="room-interrupted" role="status">
                  Reconnecting this conversation: the server closed it ({why()}). New messages appear again
                  once it is back.
                </p>
              )}
            </Show>
            <TypingIndicator
              names={typers()().map((username) =>
                displayNameOf(workspace.userByUsername().get(username), username),
              )}
            />
            <Show
              when={!meta()?.archived}
              fallback={
                <p class="archived-note" role="note">
                  This room is archived. You can read and search it, but nobody can post in it.
                </p>
              }
            >
              <Show when={!previewing()} fallback={<JoinBar roomId={props.roomId} name={title()} />}>
                <Composer
                  placeholder={placeholder()}
                  onSend={send}
                  onTyping={typing.typed}
                  people={workspace.activeUsers()}
                  draft={draft}
                  files={chosen}
                  onEditLast={editLast}
                />
              </Show>
            </Show>
            <Show when={asking()}>
              {(question) => {
                let done = false;
                return (
                  <Portal>
                    <MentionPrompt
                      usernames={question().usernames}
                      onAdd={async () => {
                        for (const username of question().usernames) await addPerson(props.roomId, username);
                        done = true;
                        deliver(question().text, question().files);
                      }}
                      onSendWithoutAdding={async () => {
                        done = true;
                        deliver(question().text, question().files);
                      }}
                      onClose={() => {
                        // Neither sent nor added: the text goes back into the box (files are chosen again).
                        if (!done && !draft.text()) draft.set(question().text);
                        setAsking(null);
                      }}
                    />
                  </Portal>
                );
              }}
            </Show>
          </Match>
        </Switch>
      </section>
      <Show when={!refusal() && !ended() ? props.threadId : undefined} keyed>
        {(rootId) => (
          <ThreadPanel
            roomId={props.roomId}
            rootId={rootId}
            roomLabel={roomLabel()}
            messages={messages}
            history={history}
            room={room}
            cannotReply={cannotReply}
            writable={() => !previewing()}
            post={post}
            sendWithFiles={(text, files, alsoInRoom) => {
              workspace.files.send(
                props.roomId,
                text,
                files.map((file) => ({ id: file.id, name: file.name, bytes: file.file })),
                { rootId, alsoInRoom },
              );
            }}
            canAttach={canAttach}
            colorFor={(userId) => colorOf(roomColors(), userId)}
            receiptFor={life.receiptFor}
            onClose={closeThread}
          />
        )}
      </Show>
    </div>
  );
}

/** The server's word on an ended membership ("you were removed from this room by alice") as a sentence. */
function endedText(explanation: string | null): string {
  const text = explanation?.trim() || "you are no longer in this room";
  // "You were removed from this room by alice.": only a leading "you" is capitalised, never a username.
  const sentence = text.startsWith("you ") ? `Y${text.slice(1)}` : text;
  return `${sentence}.`;
}
