import { dmRoomId } from "@chat/model";
import { For, Show } from "solid-js";
import { formatLongTime, formatMessageTime, isoTime } from "../lib/format";
import { dmPath, roomPath } from "../lib/router";
import { useWorkspace } from "../state/workspace";
import { Link } from "../ui/Link";
import { Modal } from "../ui/Modal";

/**
 * Dialog "Mentions": the messages that mentioned me (newest first), from my index `user:<id>`, each
 * a link to its conversation.
 */
export function MentionsDialog(props: { onClose: () => void; onNavigate: () => void }) {
  const workspace = useWorkspace();
  let dialog!: HTMLDialogElement;

  const place = (roomId: string): { label: string; href: string } => {
    const entry = workspace.indexEntry(roomId);
    if (entry && entry.kind !== "dm") return { label: `#${entry.name}`, href: roomPath(roomId) };
    const other = workspace
      .users()
      .find((user) => user.id !== workspace.me.id && dmRoomId(workspace.me.id, user.id) === roomId);
    return other
      ? { label: other.username, href: dmPath(other.username) }
      : { label: "a room", href: roomPath(roomId) };
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
                const where = place(mention.roomId);
                const author = () => workspace.userById().get(mention.author)?.username ?? "someone";
                return (
                  <li>
                    <Link
                      href={where.href}
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
                      <span class="mention-preview">{mention.preview}</span>
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
