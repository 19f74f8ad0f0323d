// The viewer page's first script (a few lines, no import): it starts the DICOM decoding worker while
// viewer.js loads, and starts viewer.js once the server's drawing of the first slice is on the
// screen.
//
// - The worker: its script loads and runs on its own thread meanwhile, and decodes the first slice
//   as soon as viewer.js asks. viewer.js takes this worker as the first of its pool
//   (window.cpmsDecoder); without it, viewer.js starts its own.
// - viewer.js (preloaded by the page with its chunks) runs for about a second on the main thread,
//   which would hold back the painting of the first slice (<img data-preview>, views/viewer.py
//   instance_preview) when the bundle is already in the browser's cache. So it is imported once that
//   image is painted (or has failed, or after PREVIEW_WAIT ms), and the document is parsed.
const PREVIEW_WAIT = 1500;
const element = document.getElementById("cpms-viewer-data");
if (element) {
  const { workerUrl, viewerUrl } = JSON.parse(element.textContent);
  window.cpmsDecoder = new Worker(workerUrl, { type: "module", name: "dicom-decoder" });
  const parsed = new Promise((resolve) => {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", resolve);
    else resolve();
  });
  const preview = document.querySelector("[data-preview]");
  const painted = !preview
    ? Promise.resolve()
    : Promise.race([
        preview.decode().then(
          // After the frame that shows it: a task queued from the animation frame runs after its paint.
          () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))),
          () => undefined, // not drawn by the server: the viewer draws it
        ),
        new Promise((resolve) => setTimeout(resolve, PREVIEW_WAIT)),
      ]);
  Promise.all([parsed, painted]).then(() => import(viewerUrl));
}
