import { type DoNotDisturb, isDoNotDisturbAt } from "@chat/model";
import { createSignal, type JSX, onCleanup, Show } from "solid-js";
import { formatMessageTime } from "../lib/format";
import { useWorkspace } from "../state/workspace";
import "./notify.css";

const HOUR_MS = 3_600_000;
/** "Until tomorrow" means until this hour tomorrow morning. */
const MORNING_HOUR = 8;

/**
 * Settings → "Notifications": do not disturb, kept in the person's own index document (model
 * notifyLevels.ts), so it pauses this device's desktop notifications and in-app notices, their other
 * devices, and the server's pushes alike. Either until a moment (an hour, tomorrow morning, or a
 * chosen time) or every day between two times, in this device's time zone. `children` come first: the
 * per-device switches (desktop, push) belong in this section too.
 */
export function NotificationsSection(props: { children?: JSX.Element }) {
  const workspace = useWorkspace();
  const dnd = () => workspace.doNotDisturb();
  // The clock the status line reads: "paused until 15:00" must turn into "not paused" by itself.
  const [now, setNow] = createSignal(Date.now());
  const tick = setInterval(() => setNow(Date.now()), 15_000);
  onCleanup(() => clearInterval(tick));
  const [problem, setProblem] = createSignal<string | null>(null);
  let untilInput!: HTMLInputElement;

  const save = (next: DoNotDisturb) => {
    setProblem(null);
    workspace.setDoNotDisturb(next.until === undefined && next.daily === undefined ? null : next);
    setNow(Date.now());
  };
  const pauseUntil = (until: number) => save({ ...dnd(), until });
  const resume = () => save({ ...dnd(), until: undefined });
  const tomorrowMorning = () => {
    const date = new Date();
    date.setDate(date.getDate() + 1);
    date.setHours(MORNING_HOUR, 0, 0, 0);
    return date.getTime();
  };
  const pauseUntilChosen = () => {
    const until = new Date(untilInput.value).getTime();
    if (!untilInput.value || Number.isNaN(until)) return setProblem("Choose a date and time to pause until.");
    if (until <= Date.now()) return setProblem("Choose a time in the future.");
    pauseUntil(until);
  };

  const daily = () => dnd()?.daily;
  const timeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  const setDaily = (on: boolean, from = daily()?.from ?? "22:00", to = daily()?.to ?? "07:00") => {
    if (!on) return save({ ...dnd(), daily: undefined });
    if (from === to) return setProblem("The daily pause needs a start and an end that differ.");
    save({ ...dnd(), daily: { from, to, timeZone: timeZone() } });
  };

  const until = () => {
    const value = dnd()?.until;
    return value !== undefined && value > now() ? value : null;
  };
  const paused = () => isDoNotDisturbAt(dnd(), now());
  const status = () => {
    const parts: string[] = [];
    const moment = until();
    if (moment !== null) parts.push(`Paused until ${formatMessageTime(moment)}.`);
    const window = daily();
    if (window) parts.push(`Paused every day from ${window.from} to ${window.to}.`);
    if (parts.length === 0) return "Notifications are on.";
    return `${paused() ? "Notifications are paused now. " : ""}${parts.join(" ")}`;
  };

  return (
    <section class="settings-section" aria-labelledby="notifications-title">
      <h3 class="dialog-subhead" id="notifications-title">
        Notifications
      </h3>
      {props.children}
      <fieldset class="dnd">
        <legend>Do not disturb</legend>
        <p class="field-hint dnd-status" role="status">
          {status()}
        </p>
        <p class="field-hint">
          Pauses desktop notifications, in-app notices and pushes on all your devices. Unread counts still
          show.
        </p>
        <div class="dnd-buttons">
          <button type="button" class="button small" onClick={() => pauseUntil(Date.now() + HOUR_MS)}>
            Pause for 1 hour
          </button>
          <button type="button" class="button small" onClick={() => pauseUntil(tomorrowMorning())}>
            Pause until tomorrow
          </button>
          <Show when={until() !== null}>
            <button type="button" class="button ghost small" onClick={resume}>
              Resume notifications
            </button>
          </Show>
        </div>
        <div class="dnd-row">
          <div class="field">
            <label for="dnd-until">Pause until</label>
            <input ref={untilInput} id="dnd-until" type="datetime-local" />
          </div>
          <button type="button" class="button small" onClick={pauseUntilChosen}>
            Pause
          </button>
        </div>
        <div class="checkbox-field">
          <input
            id="dnd-daily"
            type="checkbox"
            checked={daily() !== undefined}
            onChange={(event) => setDaily(event.currentTarget.checked)}
          />
          <label for="dnd-daily">Pause every day</label>
        </div>
        <div class="dnd-row">
          <div class="field">
            <label for="dnd-from">From</label>
            <input
              id="dnd-from"
              type="time"
              value={daily()?.from ?? "22:00"}
              disabled={daily() === undefined}
              onChange={(event) => event.currentTarget.value && setDaily(true, event.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label for="dnd-to">To</label>
            <input
              id="dnd-to"
              type="time"
              value={daily()?.to ?? "07:00"}
              disabled={daily() === undefined}
              onChange={(event) =>
                event.currentTarget.value && setDaily(true, undefined, event.currentTarget.value)
              }
            />
          </div>
        </div>
        <Show when={daily()}>{(window) => <p class="field-hint">Times are in {window().timeZone}.</p>}</Show>
        <Show when={problem()}>
          <p class="form-error" role="alert">
            {problem()}
          </p>
        </Show>
      </fieldset>
    </section>
  );
}
