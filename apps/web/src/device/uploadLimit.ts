import { createSignal } from "solid-js";

/**
 * The largest file the server takes (its MAX_UPLOAD_MB, told with the session), kept on the device so
 * a file too big is refused as it is chosen, offline too, instead of after it waited to upload. Null
 * until the server has said: the server's own check still refuses it then, on the waiting message.
 */
const KEY = "chat.maxUploadBytes";

function remembered(): number | null {
  try {
    const value = Number(localStorage.getItem(KEY));
    return Number.isSafeInteger(value) && value > 0 ? value : null;
  } catch {
    return null;
  }
}

const [limit, setLimit] = createSignal<number | null>(remembered());

export { limit as uploadLimit };

export function rememberUploadLimit(bytes: number | undefined): void {
  if (bytes === undefined || !Number.isSafeInteger(bytes) || bytes <= 0) return;
  setLimit(bytes);
  try {
    localStorage.setItem(KEY, String(bytes));
  } catch {
    // Storage full or disabled: the server's answer still reaches the file when it uploads.
  }
}
