import { parseQuery, resolveQuery } from "@chat/model";
import type { SearchResults as Results } from "@chat/model/search";
import { createEffect, createSignal, on, onCleanup, onMount, Show } from "solid-js";
import { useWorkspace } from "../state/workspace";
import { revealAgain } from "./revealMessage";
import { SearchHelp } from "./SearchHelp";
import { SearchResults } from "./SearchResults";
import { createSearchService, type SearchableRoom } from "./searchService";
import "./search.css";

/** Typing pauses this long before a search runs: one query per burst of keys, answers still feel instant. */
const DEBOUNCE_MS = 120;

interface Answer {
  text: string;
  results: Results | null;
  problems: string[];
  failure: string | null;
  /** Older history was still loading into search when this was answered. */
  olderLoading?: boolean;
}

/**
 * The header's "Search messages" field and its popovers: results as you type (region "Search results",
 * grouped by room), and the filter help. Keyboard: ↓/↑ move through hits, Enter opens (the first hit
 * from the field), Escape closes. Search runs in a worker over the device's own index, so it answers
 * offline too.
 */
export function SearchBox() {
  const workspace = useWorkspace();
  const service = createSearchService(workspace);
  const [text, setText] = createSignal("");
  const [open, setOpen] = createSignal(false);
  const [helpOpen, setHelpOpen] = createSignal(false);
  const [answer, setAnswer] = createSignal<Answer | null>(null);
  const [searching, setSearching] = createSignal(false);
  let container!: HTMLDivElement;
  let input!: HTMLInputElement;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let latest = 0;

  async function run(value: string): Promise<void> {
    const ticket = ++latest;
    const resolved = resolveQuery(parseQuery(value), service.vocabulary());
    if (resolved.empty || resolved.impossible) {
      setSearching(false);
      setAnswer(
        resolved.empty
          ? null
          : { text: value, results: { rooms: [], total: 0 }, problems: resolved.problems, failure: null },
      );
      return;
    }
    setSearching(true);
    try {
      const { results, olderLoading } = await service.client.query(resolved.request);
      if (ticket === latest)
        setAnswer({ text: value, results, problems: resolved.problems, failure: null, olderLoading });
    } catch (error) {
      if (ticket === latest)
        setAnswer({
          text: value,
          results: null,
          problems: resolved.problems,
          failure: (error as Error).message,
        });
    } finally {
      if (ticket === latest) setSearching(false);
    }
  }

  function schedule(value: string, delay = DEBOUNCE_MS): void {
    clearTimeout(timer);
    timer = setTimeout(() => void run(value), delay);
  }
  onCleanup(() => clearTimeout(timer));

  function changeText(value: string, immediately = false): void {
    setText(value);
    setHelpOpen(false);
    setOpen(value.trim() !== "");
    // Until the debounced search has run, the list says it is searching.
    setSearching(value.trim() !== "");
    schedule(value, immediately ? 0 : DEBOUNCE_MS);
  }

  // Messages indexed while the list is open (a sync, a cold start finishing) show up without retyping.
  createEffect(
    on(
      () => service.client.status().documents,
      () => {
        if (open() && text().trim() !== "") schedule(text(), 250);
      },
      { defer: true },
    ),
  );

  function close(focusField: boolean): void {
    setOpen(false);
    setHelpOpen(false);
    if (focusField) input.focus();
  }

  function hits(): HTMLElement[] {
    return [...container.querySelectorAll<HTMLElement>(".search-hit")];
  }

  function onKeyDown(event: KeyboardEvent): void {
    if (event.key === "Escape") {
      if (!open() && !helpOpen()) {
        if (event.target === input && text()) changeText("");
        return;
      }
      event.preventDefault();
      // The narrow-screen nav also closes on Escape: this one is ours.
      event.stopPropagation();
      close(true);
      return;
    }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const all = hits();
      if (!open() || all.length === 0) return;
      event.preventDefault();
      const at = all.indexOf(document.activeElement as HTMLElement);
      const next = event.key === "ArrowDown" ? Math.min(at + 1, all.length - 1) : at - 1;
      if (next < 0) input.focus();
      else all[next]!.focus();
      return;
    }
    if (event.key === "Enter" && event.target === input) {
      event.preventDefault();
      // Enter from the field opens the best hit, once the answer is for what is typed.
      if (answer()?.text === text()) hits()[0]?.click();
    }
  }

  onMount(() => {
    const outside = (event: PointerEvent) => {
      if (!container.contains(event.target as Node)) {
        setOpen(false);
        setHelpOpen(false);
      }
    };
    document.addEventListener("pointerdown", outside);
    // One listener for the field and the popovers: the keys move between them.
    container.addEventListener("keydown", onKeyDown);
    onCleanup(() => {
      document.removeEventListener("pointerdown", outside);
      container.removeEventListener("keydown", onKeyDown);
    });
  });

  const showRoom = (room: SearchableRoom) => {
    const rest = text()
      .replace(/(^|\s)in:("[^"]*"?|\S*)/gi, " ")
      .trim();
    const name = /\s/.test(room.name) ? `"${room.name}"` : room.name;
    changeText(`in:${name} ${rest}`, true);
    input.focus();
  };

  const pickFilter = (insert: string) => {
    const current = text();
    const joined = current === "" || current.endsWith(" ") ? current + insert : `${current} ${insert}`;
    setText(joined);
    setHelpOpen(false);
    input.focus();
    setOpen(joined.trim() !== "");
    schedule(joined);
  };

  const status = () => service.client.status();
  const summary = () => {
    const current = answer();
    if (service.client.broken()) return service.client.broken();
    if (!current) return searching() ? "Searching…" : "Type a word to look for, or a filter like from:alice.";
    if (current.text !== text()) return "Searching…";
    if (current.failure) return `Search failed: ${current.failure}`;
    const results = current.results;
    const loading = current.olderLoading ? " Older history is still loading into search." : "";
    if (!results || results.total === 0) return `No messages match “${current.text.trim()}”.${loading}`;
    const shown = results.rooms.reduce((sum, room) => sum + room.hits.length, 0);
    const rooms = results.rooms.length;
    // Older history that could not outrank what is shown was not searched, so not counted either.
    const count = `${results.atLeast ? "More than " : ""}${results.total.toLocaleString()} ${results.total === 1 && !results.atLeast ? "message" : "messages"}`;
    const where = `${rooms} ${rooms === 1 ? "room" : "rooms"}`;
    const found =
      shown < results.total || results.atLeast
        ? `${count}; the best ${shown} in ${where}`
        : `${count} in ${where}`;
    return `${found}${loading}`;
  };
  const progress = () => {
    const current = status();
    if (!current.ready) return "Loading the search index…";
    if (current.olderLoading > 0)
      return `Loading older history into search (${current.olderLoading.toLocaleString()} parts left)…`;
    if (current.pending > 0) return `Indexing ${current.pending.toLocaleString()} messages…`;
    return null;
  };

  return (
    <div class="search" ref={container}>
      <form class="search-form" role="search" onSubmit={(event) => event.preventDefault()}>
        <svg class="search-icon" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
          <circle cx="11" cy="11" r="7" fill="none" stroke="currentColor" stroke-width="2" />
          <path d="m20 20-3.5-3.5" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
        </svg>
        <input
          ref={input}
          type="search"
          name="q"
          aria-label="Search messages"
          placeholder="Search messages"
          autocomplete="off"
          spellcheck={false}
          aria-controls={open() ? "search-results" : undefined}
          value={text()}
          onInput={(event) => changeText(event.currentTarget.value)}
          onFocus={() => setOpen(text().trim() !== "")}
        />
        <button
          type="button"
          class="search-help-button"
          aria-label="Search help"
          aria-expanded={helpOpen()}
          aria-controls="search-help"
          onClick={() => {
            setOpen(false);
            setHelpOpen(!helpOpen());
          }}
        >
          ?
        </button>
      </form>
      <Show when={helpOpen()}>
        <SearchHelp id="search-help" onPick={pickFilter} />
      </Show>
      <Show when={open() && !helpOpen()}>
        <div
          class="search-popover search-results"
          id="search-results"
          role="region"
          aria-label="Search results"
        >
          <p class="search-summary" aria-live="polite">
            {summary()}
          </p>
          <Show when={answer()?.problems.length}>
            <ul class="search-problems">
              {answer()?.problems.map((problem) => (
                <li>{problem}</li>
              ))}
            </ul>
          </Show>
          <Show when={progress()}>{(note) => <p class="search-progress">{note()}</p>}</Show>
          <Show when={status().storageProblem}>
            {(problem) => <p class="search-progress">{problem()}</p>}
          </Show>
          <Show when={answer()?.results}>
            {(results) => (
              <div class="search-groups" aria-busy={searching()}>
                <SearchResults
                  results={results()}
                  rooms={service.rooms()}
                  usernames={service.usernames()}
                  onShowRoom={showRoom}
                  onChoose={() => {
                    close(false);
                    // After the link has navigated: the same hit twice keeps the URL, and is revealed again.
                    queueMicrotask(revealAgain);
                  }}
                />
              </div>
            )}
          </Show>
        </div>
      </Show>
    </div>
  );
}
