import {
  appendMessage,
  canChangeMessage,
  createMessage,
  deleteMessage,
  dmParticipants,
  editMessage,
  isOpenRefusal,
  type MessageRecord,
  type MessageView,
  type OpenRefusal,
  observeRoom,
  readRoomMeta,
  roomDocName,
} from "@chat/model";
import { createEffect, createMemo, createSignal, Match, Show, Switch } from "solid-js";
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
import { MessageList } from "./MessageList";
import { RoomActions } from "./RoomActions";
import { TypingIndicator } from "./TypingIndicator";

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
export function RoomView(props: { roomId: string; title?: string }) {
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
  const rawMessages = () => {
    const queued = waiting();
    return queued.length === 0
      ? stored()
      : [
          ...stored(),
          ...queued.map((message): MessageView => ({ ...message, seq: null, edited: false, deleted: false })),
        ];
  };
  // Keep each unchanged message the same object so the list re-renders only what changed.
  const messages = createMemo<MessageView[]>(
    (previous) =>
      reuseUnchanged(
        previous,
        rawMessages(),
        (message) => message.id,
        (a, b) => a.seq === b.seq && a.text === b.text && a.edited === b.edited && a.deleted === b.deleted,
      ),
    [],
  );

  const refusal = () => room()?.refusal() ?? segment()?.refusal() ?? null;
  const interruption = () => room()?.interruption() ?? segment()?.interruption() ?? null;
  const isDm = () => dmParticipants(props.roomId) !== null;
  const title = createMemo(() => {
    if (props.title) return props.title;
    const pair = dmParticipants(props.roomId);
    if (pair) {
      const otherId = pair[0] === workspace.me.id ? pair[1] : pair[0];
      return workspace.userById().get(otherId)?.username ?? "Direct message";
    }
    return (
      meta()?.name ??
      workspace.navRooms().find((entry) => entry.id === props.roomId)?.name ??
      (isOpenRefusal(refusal() ?? "") ? REFUSAL_TITLE[refusal() as OpenRefusal] : undefined) ??
      ""
    );
  });
  const kind = () => meta()?.kind ?? (isDm() ? "dm" : "channel");

  showConversationTitle(title);
  const life = roomLife({ room, segment, messages, me: workspace.me, roomId: props.roomId });
  const typing = typingReporter(segment, workspace.me);
  const typers = createMemo(() => typingNames(segment(), workspace.me.id));

  const send = (text: string) => {
    // An app older than the server's schema must not write shapes the server cannot read.
    if (outdated())
      throw new Error("This version of Chat is out of date. Reload to send; your text stays here.");
    // createMessage throws MessageRejected with a sentence for empty or over-long text.
    const message = createMessage(workspace.me.id, text);
    typing.stopped();
    const target = segment();
    if (target) appendMessage(target.doc, message);
    else setWaiting((queued) => [...queued, message]);
  };

  // What was typed and not sent stays in the person's user document (synced to their devices).
  const draft = useDraft(workspace.userIndex, props.roomId);

  const placeholder = () => (kind() === "dm" ? `Message ${title()}` : `Message #${title()}`);

  return (
    <section class="room" aria-labelledby="room-title">
      <div class="room-header">
        <div class="room-title-row">
          <Show when={kind() !== "dm" && !refusal()}>
            <span class="room-glyph" aria-hidden="true">
              <RoomGlyph kind={kind()} size={16} />
            </span>
          </Show>
          <h1 id="room-title">{title() || "\u00a0"}</h1>
          <Show when={meta() && !refusal()}>
            <RoomActions meta={meta()!} />
          </Show>
        </div>
        <Show when={meta()?.topic}>
          <p class="room-topic">{meta()?.topic}</p>
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
        <Match when={!refusal()}>
          <MessageList
            messages={messages()}
            me={workspace.me}
            userById={workspace.userById()}
            knownUsernames={workspace.knownUsernames()}
            loading={!segment()?.synced() && !segment()?.loaded()}
            hasOlder={history.hasOlder()}
            loadingOlder={history.loadingOlder()}
            onReachStart={history.loadOlder}
            newMessagesFrom={life.newMessagesFrom()}
            receiptFor={life.receiptFor}
            canChange={(message) =>
              canChangeMessage(message, workspace.me.id) && history.docFor(message.id) !== null
            }
            docFor={(message) => history.docFor(message.id)}
            onEdit={(message, text) => {
              const doc = history.docFor(message.id);
              if (doc) editMessage(doc, message, workspace.me.id, text);
            }}
            onDelete={(message) => {
              const doc = history.docFor(message.id);
              if (doc) deleteMessage(doc, message, workspace.me.id);
            }}
            intro={
              <Show
                when={kind() === "dm"}
                fallback={
                  <p>
                    This is the very beginning of <strong>{title()}</strong>.
                  </p>
                }
              >
                <p>
                  This is the beginning of your conversation with <strong>{title()}</strong>.
                </p>
              </Show>
            }
          />
          <Show when={interruption()}>
            {(why) => (
              <p class="room-interrupted" role="status">
                Reconnecting this conversation: the server closed it ({why()}). New messages appear again once
                it is back.
              </p>
            )}
          </Show>
          <TypingIndicator names={typers()()} />
          <Show
            when={!meta()?.archived}
            fallback={
              <p class="archived-note" role="note">
                This room is archived. You can read and search it, but nobody can post in it.
              </p>
            }
          >
            <Composer
              placeholder={placeholder()}
              onSend={send}
              onTyping={typing.typed}
              usernames={workspace.users().map((user) => user.username)}
              draft={draft}
            />
          </Show>
        </Match>
      </Switch>
    </section>
  );
}
