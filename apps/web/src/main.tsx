// First: starts opening the device database while the rest of the app loads.
import "./warmDevice";
// The base styles before any component's (which the App's imports bring): the page gets the
// stylesheets in import order, and a component's rule must win over a base rule of equal
// specificity ("message event-line" is a .message laid out as a line; a sidebar button is a
// .button.ghost on a dark ground). Loaded after them, the base rules won (issue 22, 1 and 2).
import "./styles.css";
import { render } from "solid-js/web";
import { App } from "./App";
import { firstScreenRead } from "./device/firstScreenRows";
import { loadMarkdown } from "./lib/messageHtml";
import { applyTheme, rememberedTheme } from "./lib/theme";
import { loadSession } from "./state/session";

/**
 * How long the first render may wait for the open room's messages to be read from the device (see
 * `firstScreenRead`): they are usually there within a few milliseconds when the page leaves the
 * read alone; a device slower than that gets its first screen without them, as before.
 */
const FIRST_SCREEN_WAIT_MS = 120;

// Before anything is drawn: the last theme this device showed (the person's setting follows).
applyTheme(rememberedTheme());

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");

function start(root: HTMLElement) {
  performance.mark("before-render");
  render(() => <App />, root);
  performance.mark("after-render");
  void loadSession();
  // After the first screen (rendered synchronously above when the device remembers the session):
  // markdown-it comes in its own chunk.
  void loadMarkdown();
}

const reading = firstScreenRead(FIRST_SCREEN_WAIT_MS);
if (reading) void reading.then(() => start(root));
else start(root);
