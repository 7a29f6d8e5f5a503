import { createSignal } from "solid-js";

/**
 * The time, as a signal that moves every 30 s: for "3 min ago" lines (a thread's last reply), which
 * must age while the page stays open without each of them keeping a timer of its own.
 */
const [now, setNow] = createSignal(Date.now());
setInterval(() => setNow(Date.now()), 30_000);

export { now };
