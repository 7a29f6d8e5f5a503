import { dmRoomId, splitMentions } from "@chat/model";
import { For, Show } from "solid-js";
import { formatLongTime, formatMessageTime, isoTime } from "../lib/format";
import { displayNameOf } from "../lib/people";
import { dmPath, roomPath } from "../lib/router";
import { threadPath } from "../lib/routes";
import { useWorkspace } from "../state/workspace";
import { Link } from "../ui/Link";
import { Modal } from "../ui/Modal";

/**
 * Dialog "Mentions": the messages that mentioned me (newest first), from my index `user:<id>`, each
 * a link to its conversation (or to the thread, for a reply).
 */
export function MentionsDialog(props: { onClose: () => void; onNavigate: () => void }) {
  const workspace = useWorkspace();
  let dialog!: HTMLDialogElement;

  /** Where a mention was: "#room", or a direct message (named by the other person unless they wrote it). */
  const place = (roomId: string, authorId: string): { label: string; href: string } => {
    const entry = workspace.indexEntry(roomId);
    if (entry?.kind === "group")
      return { label: `your conversation with ${entry.name}`, href: roomPath(roomId) };
    if (entry && entry.kind !== "dm") return { label: `#${entry.name}`, href: roomPath(roomId) };
    const other = workspace
      .users()
      .find((user) => user.id !== workspace.me.id && dmRoomId(workspace.me.id, user.id) === roomId);
    if (!other) return { label: "a room", href: roomPath(roomId) };
    const label = other.id === authorId ? "a direct message" : `your direct messages with ${other.username}`;
    return { label, href: dmPath(other.username) };
  };

  return (
    <Modal ref={dialog} class="mentions-dialog" labelledBy="mentions-title" onClose={props.onClose}>
      <div class="dialog-card">
        <h2 id="mentions-title">Mentions</h2>
        <Show
          when={workspace.mentions().length > 0}
          fallback={
            <p class="dialog-intro">
              Nobody has mentioned you yet. When someone writes @{workspace.me.username}, it shows here.
            </p>
          }
        >
          <ul class="mention-list">
            <For each={workspace.mentions()}>
              {(mention) => {
                const where = place(mention.roomId, mention.author);
                // A mention in a thread's reply opens the thread, where the reply is.
                const href = mention.threadRoot ? threadPath(where.href, mention.threadRoot) : where.href;
                const author = () => displayNameOf(workspace.userById().get(mention.author));
                return (
                  <li>
                    <Link
                      href={href}
                      class="mention-item"
                      onClick={() => {
                        dialog.close();
                        props.onNavigate();
                      }}
                    >
                      <span class="mention-where">
                        <span>
                          <strong>{author()}</strong> in {where.label}
                        </span>
                        <time datetime={isoTime(mention.at)} title={formatLongTime(mention.at)}>
                          {formatMessageTime(mention.at)}
                        </time>
                      </span>
                      <span class="mention-preview">
                        <For each={splitMentions(mention.preview, workspace.knownUsernames())}>
                          {(part) => (part.mention ? <span class="mention">{part.text}</span> : part.text)}
                        </For>
                      </span>
                    </Link>
                  </li>
                );
              }}
            </For>
          </ul>
        </Show>
        <div class="dialog-actions">
          <button type="button" class="button ghost" onClick={() => dialog.close()}>
            Close
          </button>
        </div>
      </div>
    </Modal>
  );
}
