import type { MentionCandidate } from "@chat/model";
import { createEffect, createSignal, type JSX, onMount, Show } from "solid-js";
import { EmojiPicker } from "../emoji/EmojiPicker";
import { createEmojiTypeahead } from "../emoji/EmojiTypeahead";
import type { DraftBinding } from "../state/drafts";
import { PaperclipIcon, SmileIcon } from "../ui/Icons";
import { ComposerFiles } from "./ComposerFiles";
import type { ChosenFile, ChosenFiles } from "./chosenFiles";
import { pastedName } from "./chosenFiles";
import { createMentionTypeahead } from "./MentionTypeahead";

/**
 * The message box: Enter sends, Shift+Enter is a new line. `onSend` throws an Error with a sentence
 * when the message cannot be sent; the sentence is shown in role=alert and the text (and the files)
 * are kept. With `files`, "Attach files" chooses files, and pasting an image attaches it; each
 * chosen file shows above the box until the message is sent, and the text may then be empty.
 */
export function Composer(props: {
  placeholder: string;
  onSend: (text: string, files: readonly ChosenFile[]) => void;
  files?: ChosenFiles;
  /** Each keystroke that changes the text (for the typing indicator). */
  onTyping?: () => void;
  /** The people the "@" typeahead offers (matched by username and display name). */
  people?: readonly MentionCandidate[];
  draft?: DraftBinding;
  /** Up-arrow in the empty box: open one's last message for editing; false when there is none. */
  onEditLast?: () => boolean;
  /** The text box's accessible name and element id: "Message" (the room's) unless given ("Reply"). */
  label?: string;
  inputId?: string;
  /** The send button's name: "Send" unless given ("Send reply"). */
  sendLabel?: string;
  /** Controls of this box's own under it (the thread's "Also send to room"). */
  options?: JSX.Element;
  /** Focus the box when it appears (a thread opened to reply in). */
  autofocus?: boolean;
}) {
  const inputId = () => props.inputId ?? "composer-input";
  const errorId = () => `${inputId()}-error`;
  const [text, setText] = createSignal(props.draft?.text() ?? "");
  const [error, setError] = createSignal<string | null>(null);
  let box!: HTMLTextAreaElement;
  let picker!: HTMLInputElement;
  const textChanged = (value: string) => {
    setText(value);
    writeDraft(value);
    fit();
  };
  const mentions = createMentionTypeahead({
    box: () => box,
    people: () => props.people ?? [],
    onPick: textChanged,
  });
  const shortcodes = createEmojiTypeahead({ box: () => box, onChange: textChanged });
  // The box has two typeaheads ("@" people, ":" emoji); at most one is open at a time.
  const typeahead = {
    refresh: () => {
      mentions.refresh();
      shortcodes.refresh();
    },
    onKeyDown: (event: KeyboardEvent) => mentions.onKeyDown(event) || shortcodes.onKeyDown(event),
    boxAttributes: () => (shortcodes.open() ? shortcodes.boxAttributes() : mentions.boxAttributes()),
    view: () => (
      <>
        {mentions.view()}
        {shortcodes.view()}
      </>
    ),
    close: () => {
      mentions.close();
      shortcodes.close();
    },
  };
  const [choosingEmoji, setChoosingEmoji] = createSignal(false);
  /** The picker's emoji goes where the caret was, and the caret after it. */
  const insertEmoji = (native: string) => {
    const start = box.selectionStart ?? box.value.length;
    const end = box.selectionEnd ?? start;
    const value = `${box.value.slice(0, start)}${native}${box.value.slice(end)}`;
    box.value = value;
    textChanged(value);
    setChoosingEmoji(false);
    box.focus();
    box.setSelectionRange(start + native.length, start + native.length);
  };

  onMount(() => {
    if (props.autofocus) box.focus();
  });

  const fit = () => {
    box.style.height = "auto";
    box.style.height = `${Math.min(box.scrollHeight, 240)}px`;
  };

  // What the draft read right after this box last wrote it: the box's own change coming back (maybe
  // cut to the length limit), never to be put back into the box over what is being typed.
  // (The draft's signal updates synchronously, inside `set`: hence `writing`.)
  let echo: string | undefined;
  let writing = false;
  const writeDraft = (value: string) => {
    writing = true;
    try {
      props.draft?.set(value);
    } finally {
      writing = false;
    }
    echo = props.draft?.text();
  };

  // The draft changed elsewhere (another device, or the device copy loading): show it, caret kept.
  createEffect(() => {
    const remote = props.draft?.text();
    if (remote === undefined || writing || remote === box.value || remote === echo) return;
    const caret = box.selectionStart;
    const fromEnd = box.value.length - box.selectionEnd;
    const focused = document.activeElement === box;
    box.value = remote;
    setText(remote);
    fit();
    if (focused) {
      const at = Math.min(caret, remote.length);
      box.setSelectionRange(at, Math.max(at, remote.length - fromEnd));
    }
  });

  const chosen = () => props.files?.list() ?? [];
  const attach = (files: Iterable<File>, nameOf?: (file: File) => string) => {
    setError(null);
    props.files?.add(files, nameOf);
  };
  // A sentence about the message, else one about the files just added (too many of them).
  const alert = () => error() ?? props.files?.notice() ?? null;

  const send = () => {
    // Enter in an empty box sends nothing and says nothing, as in Slack and Element.
    if (!text().trim() && chosen().length === 0) {
      setError(null);
      return;
    }
    try {
      const files = chosen();
      const unsendable = files.filter((file) => file.problem);
      if (unsendable.length > 0)
        throw new Error(
          `${unsendable.map((file) => file.name).join(", ")} cannot be sent: remove ${unsendable.length === 1 ? "it" : "them"} to send the rest.`,
        );
      props.onSend(text(), files);
      props.files?.clear();
      writeDraft("");
      setText("");
      setError(null);
      typeahead.close();
      box.value = "";
      fit();
    } catch (failure) {
      setError((failure as Error).message);
    }
    box.focus();
  };

  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      <Show when={alert()}>
        <p class="form-error composer-error" role="alert" id={errorId()}>
          {alert()}
        </p>
      </Show>
      {typeahead.view()}
      <Show when={props.files && chosen().length > 0}>
        <ComposerFiles
          files={chosen()}
          onRemove={(id) => {
            props.files?.remove(id);
            box.focus();
          }}
        />
      </Show>
      <div class="composer-box">
        <Show when={choosingEmoji()}>
          <div class="composer-emoji">
            <EmojiPicker
              onPick={insertEmoji}
              onClose={() => {
                setChoosingEmoji(false);
                box.focus();
              }}
            />
          </div>
        </Show>
        <button
          type="button"
          class="icon-button emoji-button"
          aria-label="Emoji"
          title="Emoji"
          aria-expanded={choosingEmoji()}
          onClick={() => setChoosingEmoji(!choosingEmoji())}
        >
          <SmileIcon />
        </button>
        <Show when={props.files}>
          <button
            type="button"
            class="icon-button attach"
            aria-label="Attach files"
            title="Attach files"
            onClick={() => picker.click()}
          >
            <PaperclipIcon />
          </button>
          <input
            ref={picker}
            type="file"
            multiple
            hidden
            tabindex="-1"
            onChange={(event) => {
              const input = event.currentTarget;
              if (input.files && input.files.length > 0) attach(input.files);
              // The same file chosen again must fire `change` again.
              input.value = "";
              box.focus();
            }}
          />
        </Show>
        <label class="visually-hidden" for={inputId()}>
          {props.label ?? "Message"}
        </label>
        <textarea
          ref={box}
          id={inputId()}
          rows={1}
          placeholder={props.placeholder}
          value={text()}
          aria-describedby={error() ? errorId() : undefined}
          aria-invalid={error() ? true : undefined}
          {...typeahead.boxAttributes()}
          onInput={(event) => {
            setText(event.currentTarget.value);
            writeDraft(event.currentTarget.value);
            if (error()) setError(null);
            fit();
            typeahead.refresh();
            if (event.currentTarget.value.trim()) props.onTyping?.();
          }}
          onClick={() => typeahead.refresh()}
          onPaste={(event) => {
            const data = event.clipboardData;
            if (!props.files || !data || data.files.length === 0) return;
            // Copied text that comes with a picture of itself (a spreadsheet, a web page) pastes as text.
            if (data.types.includes("text/plain")) return;
            event.preventDefault();
            attach(data.files, (file) => pastedName(file));
          }}
          onBlur={() => typeahead.close()}
          onKeyDown={(event) => {
            if (typeahead.onKeyDown(event)) return;
            if (event.key === "Enter" && !event.shiftKey && !event.isComposing && !event.altKey) {
              event.preventDefault();
              send();
            } else if (
              event.key === "ArrowUp" &&
              !event.shiftKey &&
              !event.altKey &&
              !event.ctrlKey &&
              !event.metaKey &&
              event.currentTarget.value === "" &&
              chosen().length === 0 &&
              props.onEditLast?.()
            ) {
              // Up-arrow in an empty box edits one's last message, as in Slack and Element.
              event.preventDefault();
            }
          }}
        />
        <button type="submit" class="button primary send">
          <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
            <path d="M3 11.5 21 3l-7.5 18-2.5-7.5z" fill="currentColor" />
          </svg>
          <span>{props.sendLabel ?? "Send"}</span>
        </button>
      </div>
      {props.options}
      <p class="composer-hint" aria-hidden="true">
        <kbd>Enter</kbd> to send · <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line · Markdown works
      </p>
    </form>
  );
}
