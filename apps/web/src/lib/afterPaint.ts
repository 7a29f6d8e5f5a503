/**
 * Runs `work` once the next frame has been painted: work that the first screen does not need goes
 * here, so it does not stand between the first render and its paint. A tab in the background paints
 * no frames, so it runs after `latestMs` at the latest. Returns a cancel function.
 */
export function afterNextPaint(work: () => void, latestMs = 100): () => void {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    clearTimeout(latest);
    work();
  };
  const latest = setTimeout(run, latestMs);
  const frame =
    typeof requestAnimationFrame === "function" ? requestAnimationFrame(() => setTimeout(run, 0)) : undefined;
  return () => {
    done = true;
    clearTimeout(latest);
    if (frame !== undefined) cancelAnimationFrame(frame);
  };
}
