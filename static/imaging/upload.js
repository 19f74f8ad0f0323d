// Image upload (templates/imaging/upload_new.html): files, a folder or a ZIP, sent in chunks (PUT with
// the offset) so that a dropped connection or a reload loses nothing received: the server says how much
// it has of each file, and sending goes on from there. Each file shows its progress and, when refused,
// the server's reason; a bar shows the whole. When every file is in, the upload is finished and the page
// follows the de-identification. A plain ES module: no inline script, no eval.

const PARALLEL = 3;
const BATCH = 500;
const MAX_TRIES = 8;

const root = document.querySelector("[data-imaging-upload]");
if (root) init(root);

function init(root) {
  const form = root.querySelector("[data-imaging-upload-form]");
  const list = root.querySelector("[data-imaging-upload-list]");
  const overall = root.querySelector("[data-imaging-upload-overall]");
  const count = root.querySelector("[data-imaging-upload-count]");
  const notice = root.querySelector("[data-imaging-upload-notice]");
  const progress = root.querySelector("[data-imaging-upload-progress]");
  const chunkBytes = Number(root.dataset.chunkBytes);
  const storageKey = root.dataset.storageKey;
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const msg = (name) => root.dataset["msg" + name] || "";

  if (readStored()) say(msg("Resume"));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const files = chosenFiles();
    if (!files.length) return say(msg("Nothing"));
    form.querySelector("[data-imaging-upload-start]").disabled = true;
    root.dataset.state = "sending";
    try {
      await send(files);
    } catch (error) {
      root.dataset.state = "failed";
      say(msg("Failed") + (error && error.message ? " " + error.message : ""));
      form.querySelector("[data-imaging-upload-start]").disabled = false;
    }
  });

  function say(text) {
    notice.textContent = text;
    notice.classList.toggle("d-none", !text);
  }

  function chosenFiles() {
    const seen = new Map();
    for (const input of form.querySelectorAll("input[type=file]")) {
      for (const file of input.files) {
        const path = file.webkitRelativePath || file.name;
        seen.set(`${path}|${file.size}|${file.lastModified}`, { key: `${path}|${file.size}|${file.lastModified}`, name: path, file });
      }
    }
    return [...seen.values()];
  }

  function readStored() {
    try { return JSON.parse(window.localStorage.getItem(storageKey) || "null"); } catch { return null; }
  }

  async function call(url, options = {}) {
    const response = await fetch(url, {
      credentials: "same-origin",
      ...options,
      headers: { "X-CSRFToken": csrf, Accept: "application/json", ...(options.headers || {}) },
    });
    let body = {};
    try { body = await response.json(); } catch { body = {}; }
    return { status: response.status, ok: response.ok, body };
  }

  async function theUpload() {
    const stored = readStored();
    if (stored) {
      const again = await call(stored.files).catch(() => null);
      if (again && again.ok && again.body.status === "receiving") return again.body;
    }
    const started = await call(root.dataset.startUrl, { method: "POST" });
    if (!started.ok) throw new Error(started.body.error || "");
    window.localStorage.setItem(storageKey, JSON.stringify(started.body));
    return started.body;
  }

  async function send(chosen) {
    progress.classList.remove("d-none");
    say("");
    const upload = await theUpload();
    const rows = new Map();
    for (const item of chosen) rows.set(item.key, row(item));
    const known = new Map();
    for (let start = 0; start < chosen.length; start += BATCH) {
      const batch = chosen.slice(start, start + BATCH).map(({ key, name, file }) => ({ key, name, size: file.size }));
      const answer = await call(upload.files, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ files: batch }),
      });
      if (!answer.ok) throw new Error(answer.body.error || "");
      for (const item of answer.body.items) known.set(item.key, item);
    }
    const work = chosen.map((item) => ({ ...item, state: known.get(item.key), view: rows.get(item.key) }));
    const total = work.reduce((sum, w) => sum + (w.state.status === "refused" ? 0 : w.file.size), 0) || 1;
    const update = () => {
      const sent = work.reduce((sum, w) => sum + (w.state.status === "refused" ? 0 : w.state.received), 0);
      overall.value = Math.round((100 * sent) / total);
      const finished = work.filter((w) => w.state.status !== "receiving").length;
      count.textContent = `(${finished} / ${work.length})`;
    };
    work.forEach((w) => show(w));
    update();
    const queue = work.filter((w) => w.state.status === "receiving");
    const runners = Array.from({ length: PARALLEL }, async () => {
      while (queue.length) {
        const next = queue.shift();
        await sendFile(next, update);
      }
    });
    await Promise.all(runners);
    say(msg("Finishing"));
    const finished = await call(upload.finish, { method: "POST" });
    if (!finished.ok) throw new Error(finished.body.error || "");
    window.localStorage.removeItem(storageKey);
    root.dataset.state = "finished";
    window.location.assign(finished.body.progress);
  }

  async function sendFile(w, update) {
    let tries = 0;
    while (w.state.status === "receiving" && w.state.received < w.file.size) {
      const offset = w.state.received;
      const piece = w.file.slice(offset, Math.min(offset + chunkBytes, w.file.size));
      let answer = null;
      try {
        answer = await call(`${w.state.chunk}?offset=${offset}`, {
          method: "PUT",
          headers: { "Content-Type": "application/octet-stream" },
          body: piece,
        });
      } catch {
        answer = null;
      }
      if (answer && answer.ok) {
        w.state = answer.body;
        tries = 0;
      } else if (answer && answer.status === 409 && typeof answer.body.received === "number") {
        w.state = { ...w.state, received: answer.body.received };
      } else if (answer && answer.status < 500 && answer.status !== 429) {
        w.state = { ...w.state, status: "refused", refusal: answer.body.error || msg("Failed") };
      } else {
        tries += 1;
        if (tries > MAX_TRIES) throw new Error(msg("Failed"));
        say(msg("Offline"));
        await new Promise((resolve) => window.setTimeout(resolve, Math.min(30000, 500 * 2 ** tries)));
        say("");
      }
      show(w);
      update();
    }
  }

  function row(item) {
    const li = document.createElement("li");
    li.className = "mb-2";
    li.dataset.imagingFile = item.name;
    const label = document.createElement("div");
    label.className = "d-flex justify-content-between gap-2";
    const name = document.createElement("span");
    name.className = "text-break";
    name.textContent = item.name;
    const state = document.createElement("span");
    state.dataset.imagingFileState = "";
    label.append(name, state);
    const bar = document.createElement("progress");
    bar.className = "w-100";
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", item.name);
    const reason = document.createElement("p");
    reason.className = "text-danger small mb-0 d-none";
    reason.dataset.imagingFileRefusal = "";
    li.append(label, bar, reason);
    list.append(li);
    return { li, state, bar, reason };
  }

  function show(w) {
    const { li, state, bar, reason } = w.view;
    const s = w.state;
    li.dataset.status = s.status;
    bar.value = s.size ? Math.round((100 * s.received) / s.size) : 100;
    if (s.status === "refused") {
      state.textContent = msg("Refused");
      state.className = "badge text-bg-danger";
      reason.textContent = s.refusal;
      reason.classList.remove("d-none");
      bar.classList.add("d-none");
    } else if (s.status === "receiving") {
      state.textContent = s.received ? `${bar.value} %` : msg("Waiting");
      state.className = "small text-body-secondary";
    } else {
      state.textContent = msg("Done");
      state.className = "badge text-bg-success";
    }
  }
}
