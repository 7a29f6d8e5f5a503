// First: starts opening the device database while the rest of the app loads.
import "./warmDevice";
import { render } from "solid-js/web";
import { App } from "./App";
import { loadSession } from "./session";
import "./styles.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");
render(() => <App />, root);
void loadSession();
