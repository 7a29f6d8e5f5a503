import { createEffect, createSignal, Show } from "solid-js";
import type { DraftBinding } from "../state/drafts";
import { createMentionTypeahead } from "./MentionTypeahead";

/**
 * The message box: Enter sends, Shift+Enter is a new line. `onSend` throws an Error with a sentence
 * when the message cannot be sent; the sentence is shown in role=alert and the text is kept.
 */
export function Composer(props: {
  placeholder: string;
  onSend: (text: string) => void;
  /** Each keystroke that changes the text (for the typing indicator). */
  onTyping?: () => void;
  /** Usernames the "@" typeahead offers. */
  usernames?: readonly string[];
  draft?: DraftBinding;
}) {
  const [text, setText] = createSignal(props.draft?.text() ?? "");
  const [error, setError] = createSignal<string | null>(null);
  let box!: HTMLTextAreaElement;
  const typeahead = createMentionTypeahead({
    box: () => box,
    usernames: () => props.usernames ?? [],
    onPick: (value) => {
      setText(value);
      writeDraft(value);
      fit();
    },
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

  const send = () => {
    try {
      props.onSend(text());
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
      <Show when={error()}>
        <p class="form-error composer-error" role="alert" id="composer-error">
          {error()}
        </p>
      </Show>
      {typeahead.view()}
      <div class="composer-box">
        <label class="visually-hidden" for="composer-input">
          Message
        </label>
        <textarea
          ref={box}
          id="composer-input"
          rows={1}
          placeholder={props.placeholder}
          value={text()}
          aria-describedby={error() ? "composer-error" : undefined}
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
          onBlur={() => typeahead.close()}
          onKeyDown={(event) => {
            if (typeahead.onKeyDown(event)) return;
            if (event.key === "Enter" && !event.shiftKey && !event.isComposing && !event.altKey) {
              event.preventDefault();
              send();
            }
          }}
        />
        <button type="submit" class="button primary send">
          <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
            <path d="M3 11.5 21 3l-7.5 18-2.5-7.5z" fill="currentColor" />
          </svg>
          <span>Send</span>
        </button>
      </div>
      <p class="composer-hint" aria-hidden="true">
        <kbd>Enter</kbd> to send · <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line · Markdown works
      </p>
    </form>
  );
}
