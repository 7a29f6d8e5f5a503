import { type Accessor, batch, createMemo, createSignal } from "solid-js";

/**
 * Windowed rendering for the message log: only a slice of the history is in the DOM (at most
 * MAX_RENDERED articles), so a room of 100,000 messages scrolls as smoothly as one of 50.
 *
 * The window follows the newest messages while the person is at the bottom. Scrolling near the top
 * adds PAGE older messages above (and asks for the next older segment once the first loaded message
 * is shown); scrolling near the bottom adds newer ones below; past MAX_RENDERED the far end is dropped.
 * While reading older messages the window is anchored to the id of its first message, so messages
 * that arrive meanwhile change nothing on screen, and every change of the window keeps the visible
 * message where it was (`keepPosition`, scroll anchoring done by hand: CSS `overflow-anchor` is off).
 */
export const PAGE = 50;
export const MAX_RENDERED = 200;
/** How close to an end (px) counts as reaching it. */
const EDGE_PX = 400;

export interface MessageWindow<T> {
  /** The slice to render, oldest first. */
  visible: Accessor<T[]>;
  /** True when the first message of the whole list is rendered (nothing older is loaded). */
  atStart: Accessor<boolean>;
  /** True when the newest message is rendered. */
  atEnd: Accessor<boolean>;
  /** Call from the scroll container's scroll handler. */
  onScroll(): void;
  /** Jumps to the newest messages and follows them again. */
  followLatest(): void;
  following: Accessor<boolean>;
  /** Puts the item with this key in the window (around its middle); false when it is not loaded. */
  reveal(itemKey: string): boolean;
  /**
   * Renders from half a page before the item with this key to a page after it, and stops following
   * the newest messages (the caller scrolls the item into place); false when it is not loaded.
   */
  showFrom(itemKey: string): boolean;
}

export function useMessageWindow<T>(
  items: Accessor<readonly T[]>,
  key: (item: T) => string,
  container: () => HTMLElement | undefined,
  onReachStart: () => void,
): MessageWindow<T> {
  const [following, setFollowing] = createSignal(true);
  const [anchorKey, setAnchorKey] = createSignal<string | null>(null);
  const [size, setSize] = createSignal(PAGE);

  const range = createMemo(() => {
    const list = items();
    const count = Math.min(size(), list.length);
    if (following()) return { start: list.length - count, end: list.length };
    const anchor = anchorKey();
    let start = anchor === null ? -1 : list.findIndex((item) => key(item) === anchor);
    if (start < 0) start = Math.max(0, list.length - count);
    return { start, end: Math.min(list.length, start + count) };
  });
  const visible = createMemo(() => items().slice(range().start, range().end));
  const atStart = () => range().start === 0;
  const atEnd = () => range().end >= items().length;

  /** Runs `change` (which re-renders synchronously) and scrolls so the first visible article stays put. */
  function keepPosition(change: () => void): void {
    const log = container();
    const articles = log ? [...log.querySelectorAll<HTMLElement>("article[data-message-id]")] : [];
    const top = log?.getBoundingClientRect().top ?? 0;
    const anchor = articles.find((el) => el.getBoundingClientRect().bottom > top);
    const before = anchor?.getBoundingClientRect().top;
    change();
    if (!log || !anchor || before === undefined || !anchor.isConnected) return;
    log.scrollTop += anchor.getBoundingClientRect().top - before;
  }

  function anchorAt(start: number, nextSize: number, follow: boolean): void {
    const list = items();
    batch(() => {
      // Never less than a page: a window sized to a short list (a new room's two messages) took no
      // arrivals while not following, and a log too short to scroll never fires the scroll that
      // would follow again; "Jump to the latest messages" stood under the last message shown.
      setSize(Math.max(PAGE, nextSize));
      setFollowing(follow);
      setAnchorKey(follow ? null : list[start] === undefined ? null : key(list[start]!));
    });
  }

  function onScroll(): void {
    const log = container();
    if (!log) return;
    const fromBottom = log.scrollHeight - log.scrollTop - log.clientHeight;
    const { start, end } = range();
    if (log.scrollTop < EDGE_PX) {
      if (start > 0) {
        const newStart = Math.max(0, start - PAGE);
        const newEnd = Math.min(end, newStart + MAX_RENDERED);
        keepPosition(() => anchorAt(newStart, newEnd - newStart, newEnd >= items().length && following()));
      } else onReachStart();
    } else if (fromBottom < EDGE_PX && end < items().length) {
      const newEnd = Math.min(items().length, end + PAGE);
      const newStart = Math.max(start, newEnd - MAX_RENDERED);
      const reachesEnd = newEnd >= items().length;
      keepPosition(() => anchorAt(newStart, newEnd - newStart, reachesEnd));
    } else if (fromBottom < 48 && end >= items().length && !following()) {
      // Back at the newest message: follow new ones again.
      anchorAt(start, end - start, true);
    } else if (fromBottom >= 48 && following()) {
      // Scrolled up within the window: stop following, so arrivals do not move what is being read.
      anchorAt(start, end - start, false);
    }
  }

  function followLatest(): void {
    batch(() => {
      setSize(PAGE);
      setFollowing(true);
      setAnchorKey(null);
    });
    const log = container();
    if (log) log.scrollTop = log.scrollHeight;
  }

  function reveal(itemKey: string): boolean {
    const list = items();
    const index = list.findIndex((item) => key(item) === itemKey);
    if (index < 0) return false;
    const { start, end } = range();
    if (index >= start && index < end) return true;
    const newStart = Math.max(0, index - PAGE / 2);
    const newEnd = Math.min(list.length, newStart + PAGE);
    anchorAt(newStart, newEnd - newStart, newEnd >= list.length);
    return true;
  }

  function showFrom(itemKey: string): boolean {
    const list = items();
    const index = list.findIndex((item) => key(item) === itemKey);
    if (index < 0) return false;
    const start = Math.max(0, index - PAGE / 2);
    const end = Math.min(list.length, index + PAGE);
    // Not following even when the window reaches the newest message: arrivals must not scroll the
    // first unread message away before it is read (onScroll follows again once at the bottom).
    anchorAt(start, end - start, false);
    return true;
  }

  return { visible, atStart, atEnd, onScroll, followLatest, following, reveal, showFrom };
}
