// First: starts opening the device database while the rest of the app loads.
import "./warmDevice";
import { render } from "solid-js/web";
import { App } from "./App";
import { loadMarkdown } from "./messageHtml";
import { loadSession } from "./session";
import "./styles.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");
performance.mark("before-render");
render(() => <App />, root);
performance.mark("after-render");
void loadSession();
// After the first screen (rendered synchronously above when the device remembers the session):
// markdown-it comes in its own chunk.
void loadMarkdown();
