// Starts the DICOM decoding worker as soon as the page is read, before viewer.js and its chunks are
// parsed and run (seconds on a slow machine): the worker's script loads and runs on its own thread
// meanwhile, and decodes the first slice as soon as viewer.js asks. viewer.js takes this worker as
// the first of its pool (window.cpmsDecoder); without it, viewer.js starts its own.
const element = document.getElementById("cpms-viewer-data");
if (element) {
  const { workerUrl } = JSON.parse(element.textContent);
  window.cpmsDecoder = new Worker(workerUrl, { type: "module", name: "dicom-decoder" });
}
