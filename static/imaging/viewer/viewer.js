// The study viewer (templates/imaging/study_viewer.html): Cornerstone3D stack viewports over the
// image endpoint (imaging:instance-file, WADO-URI style), the tools, and the annotations API.
//
// The page gives everything in data attributes and one json_script block (no inline script: the
// CSP). Each viewport exposes its state as data attributes (data-slice, data-zoom, data-rotation,
// data-flip-h, data-flip-v, data-window, data-preset, data-rendered) for people's assistive
// technology and for the browser tests alike.
import {
  Enums,
  RenderingEngine,
  eventTarget,
  getWebWorkerManager,
  imageLoader,
  init as initCore,
  metaData,
  utilities,
} from "@cornerstonejs/core";
import { init as initLoader } from "@cornerstonejs/dicom-image-loader";
// The loader's metadata cache (a peer dependency of the loader: the same module it uses).
import { utilities as metadataUtilities } from "@cornerstonejs/metadata";

// @cornerstonejs/tools (./tools.js), loaded after the first image: these are set by loadTools().
let AngleTool;
let ArrowAnnotateTool;
let LengthTool;
let PanTool;
let StackScrollTool;
let ToolEnums;
let ToolGroupManager;
let WindowLevelTool;
let ZoomTool;
let addTool;
let annotations;
let toolUtilities;
let TOOLS = {};
let PRIMARY = [];

async function loadTools() {
  const tools = await import("./tools.js");
  ({ AngleTool, ArrowAnnotateTool, LengthTool, PanTool, StackScrollTool, ToolGroupManager } = tools);
  ({ WindowLevelTool, ZoomTool, addTool } = tools);
  ToolEnums = tools.Enums;
  annotations = tools.annotation;
  toolUtilities = tools.utilities;
  TOOLS = { length: LengthTool, angle: AngleTool, arrow: ArrowAnnotateTool };
  PRIMARY = [{ mouseButton: ToolEnums.MouseBindings.Primary }];
  tools.init();
  // The viewports enabled before the tools were: what the tools do on ELEMENT_ENABLED (their
  // mouse, wheel and key listeners, the annotations' SVG layer).
  viewports.forEach(({ id, element }) => tools.store.addEnabledElement({ detail: { element, viewportId: id } }));
}

performance.mark("cpms-viewer:evaluated");
const root = document.getElementById("cpms-viewer");
const config = JSON.parse(document.getElementById("cpms-viewer-data").textContent);

// The first slice, asked for by the page's <link rel="preload"> while the bundle loads: fetch()
// takes that answer, and the loader finds its bytes in the metadata cache (as if it had fetched
// them itself) instead of asking the server again. Any failure: the loader asks, as without.
async function preloadFirstSlice() {
  const url = config.series[0]?.instances[0]?.url;
  if (!url) return;
  try {
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) return;
    await metadataUtilities.addDicomPart10Instance(`wadouri:${url}`, await response.arrayBuffer());
  } catch (error) {
    console.warn("first slice", error);
  }
}
const text = config.text;
const status = document.getElementById("viewer-status");
const ENGINE = "cpms-engine";
const GROUP = "cpms-tools";
// Window width / level of the presets (Hounsfield units for CT; a sensible start for MR).
const PRESETS = {
  brain: [80, 40],
  bone: [2000, 500],
  lung: [1500, -600],
  soft: [400, 40],
};
const TOOL_OF = { Length: "length", Angle: "angle", ArrowAnnotate: "arrow" };

const say = (message) => {
  status.textContent = message;
};

function fail(message, error) {
  root.dataset.state = "failed";
  const box = document.getElementById("viewer-failure");
  box.querySelector("[data-message]").textContent = message;
  box.hidden = false;
  if (error) console.error(error);
}

function webglWorks() {
  try {
    const canvas = document.createElement("canvas");
    return Boolean(canvas.getContext("webgl2") || canvas.getContext("webgl"));
  } catch {
    return false;
  }
}

const imageIdsOf = (series) => series.instances.map((instance) => `wadouri:${instance.url}`);
const seriesById = new Map(config.series.map((series) => [String(series.id), series]));
// imageId → {series, sop_uid}: annotations are saved against the instance, not the address.
const instanceOf = new Map();
for (const series of config.series) {
  series.instances.forEach((instance) => {
    instanceOf.set(`wadouri:${instance.url}`, { series, sop: instance.sop_uid });
  });
}
const imageIdOfSop = new Map([...instanceOf].map(([imageId, { sop }]) => [sop, imageId]));

let engine;
let firstImageDrawn;
const firstImage = new Promise((resolve) => {
  firstImageDrawn = resolve;
});
const viewports = []; // {id, element, series, panel}
let activeIndex = 0;

// -- viewport state exposed on the page ---------------------------------------------------------

function publish(entry) {
  const { element } = entry;
  const viewport = engine.getViewport(entry.id);
  if (!viewport || !entry.series) return;
  const index = viewport.getCurrentImageIdIndex();
  const presentation = viewport.getViewPresentation();
  const camera = viewport.getCamera();
  const voi = viewport.getProperties().voiRange;
  element.dataset.slice = String(index + 1);
  element.dataset.zoom = viewport.getZoom().toFixed(2);
  element.dataset.rotation = String(Math.round(((presentation.rotation ?? 0) % 360 + 360) % 360));
  element.dataset.flipH = String(Boolean(camera.flipHorizontal));
  element.dataset.flipV = String(Boolean(camera.flipVertical));
  if (voi) {
    const { windowWidth, windowCenter } = utilities.windowLevel.toWindowLevel(voi.lower, voi.upper);
    element.dataset.window = `${Math.round(windowWidth)}/${Math.round(windowCenter)}`;
  }
  const slider = entry.panel.querySelector("[data-slider]");
  slider.max = String(entry.series.instances.length);
  slider.value = String(index + 1);
  slider.setAttribute("aria-valuetext", `${index + 1} / ${entry.series.instances.length}`);
  entry.panel.querySelector("[data-position]").textContent = `${index + 1} / ${entry.series.instances.length}`;
}

function watch(entry) {
  const update = () => publish(entry);
  const { element } = entry;
  element.addEventListener(Enums.Events.STACK_NEW_IMAGE, update);
  element.addEventListener(Enums.Events.CAMERA_MODIFIED, update);
  element.addEventListener(Enums.Events.VOI_MODIFIED, update);
  element.addEventListener(Enums.Events.IMAGE_RENDERED, () => {
    if (!element.dataset.rendered) {
      element.dataset.rendered = "true";
      element.querySelector("[data-preview]")?.remove(); // the server's drawing of this slice: ours is up
      root.dataset.firstImageAt = String(Math.round(performance.now()));
      performance.mark("cpms-viewer:first-image");
      firstImageDrawn();
    }
    update();
  });
  element.addEventListener("focus", () => choose(viewports.indexOf(entry)));
  element.addEventListener("pointerdown", () => choose(viewports.indexOf(entry)));
  element.addEventListener("keydown", (event) => keys(entry, event));
  entry.panel.querySelector("[data-slider]").addEventListener("input", (event) => {
    engine.getViewport(entry.id).setImageIdIndex(Number(event.target.value) - 1);
  });
}

function choose(index) {
  if (index < 0) return;
  activeIndex = index;
  viewports.forEach((entry, i) => entry.panel.classList.toggle("cpms-viewport-active", i === index));
}

const active = () => viewports[activeIndex];
const activeViewport = () => engine.getViewport(active().id);

function keys(entry, event) {
  const viewport = engine.getViewport(entry.id);
  const count = entry.series ? entry.series.instances.length : 0;
  const index = viewport.getCurrentImageIdIndex();
  const moves = { ArrowUp: -1, ArrowLeft: -1, ArrowDown: 1, ArrowRight: 1, PageUp: -10, PageDown: 10 };
  if (["+", "=", "-"].includes(event.key)) {
    event.preventDefault();
    choose(viewports.indexOf(entry));
    zoom(event.key === "-" ? 0.8 : 1.25);
    return;
  }
  let target = null;
  if (event.key in moves) target = index + moves[event.key];
  if (event.key === "Home") target = 0;
  if (event.key === "End") target = count - 1;
  if (target === null) return;
  event.preventDefault();
  viewport.setImageIdIndex(Math.max(0, Math.min(count - 1, target)));
}

// -- series and layout ---------------------------------------------------------------------------

async function show(entry, series) {
  entry.series = series;
  entry.element.dataset.series = String(series.id);
  entry.panel.querySelector("[data-series-title]").textContent = series.label;
  const viewport = engine.getViewport(entry.id);
  const middle = Math.floor(series.instances.length / 2);
  await viewport.setStack(imageIdsOf(series), entry === viewports[0] ? 0 : middle);
  performance.mark("cpms-viewer:stack-set");
  viewport.render();
  document.querySelectorAll("[data-series-choice]").forEach((button) => {
    const shown = viewports.some((v) => v.series && String(v.series.id) === button.dataset.seriesChoice);
    button.setAttribute("aria-pressed", String(shown));
  });
  publish(entry);
  drawSaved();
}

function layout(count) {
  const second = viewports[1];
  if (!second) return; // enabled once the first image is drawn
  second.panel.hidden = count < 2;
  root.dataset.layout = String(count);
  document.querySelectorAll("button[data-layout]").forEach((button) => {
    button.setAttribute("aria-pressed", String(Number(button.dataset.layout) === count));
  });
  engine.resize(true, false);
  if (count === 2 && !second.series) {
    const other = config.series.find((s) => s !== viewports[0].series) || config.series[0];
    show(second, other);
  }
  if (count < 2) choose(0);
}

async function thumbnails() {
  for (const canvas of document.querySelectorAll("canvas[data-thumbnail]")) {
    const series = seriesById.get(canvas.dataset.thumbnail);
    const ids = imageIdsOf(series);
    try {
      await utilities.loadImageToCanvas({ canvas, imageId: ids[Math.floor(ids.length / 2)], thumbnail: true });
      canvas.dataset.loaded = "true";
    } catch (error) {
      console.warn("thumbnail", error);
    }
  }
}

// -- tools ---------------------------------------------------------------------------------------

function arrowText(done) {
  const value = document.getElementById("viewer-arrow-text").value.trim();
  if (!value) say(text.arrowNeedsText);
  done(value);
}

function setupTools() {
  [PanTool, ZoomTool, WindowLevelTool, StackScrollTool, LengthTool, AngleTool, ArrowAnnotateTool].forEach(addTool);
  const group = ToolGroupManager.createToolGroup(GROUP);
  group.addTool(WindowLevelTool.toolName);
  group.addTool(PanTool.toolName);
  group.addTool(ZoomTool.toolName);
  group.addTool(StackScrollTool.toolName);
  group.addTool(LengthTool.toolName);
  group.addTool(AngleTool.toolName);
  group.addTool(ArrowAnnotateTool.toolName, {
    getTextCallback: arrowText,
    changeTextCallback: (data, eventData, done) => arrowText(done),
  });
  group.setToolActive(StackScrollTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Wheel }] });
  group.setToolActive(PanTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Auxiliary }] });
  group.setToolActive(ZoomTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Secondary }] });
  group.setToolActive(WindowLevelTool.toolName, { bindings: PRIMARY });
  for (const name of [LengthTool.toolName, AngleTool.toolName, ArrowAnnotateTool.toolName]) {
    group.setToolPassive(name);
  }
  return group;
}

function primaryTool(group, name) {
  const current = group.getActivePrimaryMouseButtonTool();
  if (current && current !== name) {
    const annotating = [LengthTool.toolName, AngleTool.toolName, ArrowAnnotateTool.toolName].includes(current);
    if (annotating) group.setToolPassive(current);
    else if (current === PanTool.toolName) group.setToolActive(current, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Auxiliary }] });
    else if (current === ZoomTool.toolName) group.setToolActive(current, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Secondary }] });
    else group.setToolDisabled(current);
  }
  group.setToolActive(name, { bindings: PRIMARY });
  root.dataset.activeTool = name;
  document.querySelectorAll("button[data-tool]").forEach((button) => {
    button.setAttribute("aria-pressed", String(button.dataset.tool === name));
  });
}

function rotate(degrees) {
  const viewport = activeViewport();
  const { rotation = 0 } = viewport.getViewPresentation();
  viewport.setViewPresentation({ rotation: (rotation + degrees + 360) % 360 });
  viewport.render();
  publish(active());
}

function flip(direction) {
  const viewport = activeViewport();
  const camera = viewport.getCamera();
  viewport.setCamera(direction === "h" ? { flipHorizontal: !camera.flipHorizontal } : { flipVertical: !camera.flipVertical });
  viewport.render();
  publish(active());
}

function zoom(factor) {
  const viewport = activeViewport();
  viewport.setZoom(viewport.getZoom() * factor);
  viewport.render();
  publish(active());
}

function preset(name) {
  const entry = active();
  const viewport = activeViewport();
  if (name === "") {
    viewport.resetProperties();
  } else {
    const [width, level] = PRESETS[name];
    viewport.setProperties({ voiRange: utilities.windowLevel.toLowHighRange(width, level) });
  }
  entry.element.dataset.preset = name;
  viewport.render();
  publish(entry);
}

function reset() {
  const entry = active();
  const viewport = activeViewport();
  viewport.resetCamera();
  viewport.setViewPresentation({ rotation: 0, flipHorizontal: false, flipVertical: false });
  viewport.setCamera({ flipHorizontal: false, flipVertical: false });
  viewport.resetProperties();
  entry.element.dataset.preset = "";
  document.getElementById("viewer-preset").value = "";
  viewport.render();
  publish(entry);
}

// -- annotations ---------------------------------------------------------------------------------

const saved = new Map(); // annotationUID → the server's row {id, author, mine, …}
const dirty = new Set(); // annotationUIDs drawn or moved since the last save
const removed = new Set(); // server ids of the user's annotations removed since the last save
let restoring = false;

function csrf() {
  return config.csrfToken;
}

async function api(url, method, body) {
  const response = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), Accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const payload = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(payload.error || `${response.status}`);
  return payload;
}

function payloadOf(item) {
  const imageId = item.metadata.referencedImageId;
  const where = instanceOf.get(imageId);
  if (!where) return null;
  const points = item.data.handles.points.map((point) => {
    const [x, y] = utilities.worldToImageCoords(imageId, point);
    return [Number(x.toFixed(2)), Number(y.toFixed(2))];
  });
  return {
    series: where.series.id,
    sop_uid: where.sop,
    tool: TOOL_OF[item.metadata.toolName],
    data: { points },
    text: item.data.label || item.data.text || "",
  };
}

function planeOf(imageId) {
  const plane = metaData.get("imagePlaneModule", imageId);
  const row = plane.rowCosines;
  const column = plane.columnCosines;
  const normal = [
    row[1] * column[2] - row[2] * column[1],
    row[2] * column[0] - row[0] * column[2],
    row[0] * column[1] - row[1] * column[0],
  ];
  return { normal, up: column.map((v) => -v), frame: plane.frameOfReferenceUID };
}

async function restore(row) {
  const imageId = imageIdOfSop.get(row.sop_uid);
  const entry = viewports.find((v) => v.series && String(v.series.id) === String(row.series));
  if (!imageId || !entry) return false;
  await imageLoader.loadAndCacheImage(imageId);
  const { normal, up, frame } = planeOf(imageId);
  const uid = `cpms-annotation-${row.id}`;
  const toolName = TOOLS[row.tool].toolName;
  const item = {
    annotationUID: uid,
    highlighted: false,
    invalidated: true,
    isLocked: !row.mine,
    isVisible: true,
    metadata: { toolName, referencedImageId: imageId, FrameOfReferenceUID: frame, viewPlaneNormal: normal, viewUp: up },
    data: {
      handles: {
        points: row.data.points.map((point) => utilities.imageToWorldCoords(imageId, point)),
        activeHandleIndex: null,
        textBox: { hasMoved: false, worldPosition: [0, 0, 0], worldBoundingBox: { topLeft: [0, 0, 0], topRight: [0, 0, 0], bottomLeft: [0, 0, 0], bottomRight: [0, 0, 0] } },
      },
      label: row.tool === "arrow" ? row.text : "",
      text: row.text,
      cachedStats: {},
    },
  };
  restoring = true;
  try {
    annotations.state.addAnnotation(item, entry.element);
    if (!row.mine) annotations.locking.setAnnotationLocked(uid, true);
  } finally {
    restoring = false;
  }
  saved.set(uid, row);
  return true;
}

const drawnRows = new Set();

async function drawSaved() {
  if (!annotations) return; // the tools are not loaded yet: start() draws them once they are
  for (const [, row] of rows) {
    if (drawnRows.has(row.id)) continue;
    try {
      if (await restore(row)) drawnRows.add(row.id);
    } catch (error) {
      console.warn("annotation", row.id, error);
    }
  }
  root.dataset.drawn = String(drawnRows.size);
  toolUtilities.triggerAnnotationRenderForViewportIds(viewports.map((v) => v.id));
}

const rows = new Map(); // server id → row

function listAnnotations() {
  const list = document.getElementById("viewer-annotations");
  list.replaceChildren();
  const template = document.getElementById("viewer-annotation-row");
  for (const [, row] of rows) {
    const item = template.content.firstElementChild.cloneNode(true);
    item.dataset.annotation = String(row.id);
    item.querySelector("[data-tool-label]").textContent = row.tool_label;
    item.querySelector("[data-text]").textContent = row.text;
    item.querySelector("[data-author]").textContent = row.author;
    item.querySelector("[data-slice]").textContent = row.slice_label;
    const remove = item.querySelector("[data-remove]");
    if (row.mine) {
      remove.addEventListener("click", () => removeSaved(row));
    } else {
      remove.remove();
    }
    list.append(item);
  }
  document.getElementById("viewer-annotations-empty").hidden = rows.size > 0;
  root.dataset.annotations = String(rows.size);
}

async function loadAnnotations() {
  const payload = await api(config.annotationsUrl, "GET");
  rows.clear();
  payload.annotations.forEach((row) => rows.set(row.id, row));
  listAnnotations();
  await drawSaved();
}

async function removeSaved(row) {
  try {
    await api(row.url, "DELETE");
  } catch (error) {
    say(`${text.notSaved} ${error.message}`);
    return;
  }
  const uid = `cpms-annotation-${row.id}`;
  restoring = true;
  try {
    annotations.state.removeAnnotation(uid);
  } finally {
    restoring = false;
  }
  saved.delete(uid);
  rows.delete(row.id);
  drawnRows.delete(row.id);
  listAnnotations();
  toolUtilities.triggerAnnotationRenderForViewportIds(viewports.map((v) => v.id));
  say(text.deleted);
}

// Changes that are the user's drawing; the tools' own bookkeeping (stats computed on render, the
// initial setup of a restored annotation) does not make a saved annotation unsaved.
const USER_CHANGES = new Set(["Interaction", "HandlesUpdated", "Completed", "LabelChange", "History", undefined]);

function markDirty(event) {
  if (restoring || !USER_CHANGES.has(event.detail.changeType)) return;
  const item = event.detail.annotation;
  if (!item || !(item.metadata.toolName in TOOL_OF)) return;
  const row = saved.get(item.annotationUID);
  if (row && !row.mine) return;
  dirty.add(item.annotationUID);
  root.dataset.unsaved = String(dirty.size + removed.size);
}

function markRemoved(event) {
  if (restoring) return;
  const uid = event.detail.annotation?.annotationUID;
  dirty.delete(uid);
  const row = saved.get(uid);
  if (row && row.mine) removed.add(row.id);
  root.dataset.unsaved = String(dirty.size + removed.size);
}

async function save() {
  let count = 0;
  try {
    for (const uid of [...dirty]) {
      const item = annotations.state.getAnnotation(uid);
      dirty.delete(uid);
      if (!item) continue;
      const body = payloadOf(item);
      if (!body) continue;
      const known = saved.get(uid);
      const row = known ? await api(known.url, "PATCH", body) : await api(config.annotationsUrl, "POST", body);
      saved.set(uid, row);
      rows.set(row.id, row);
      drawnRows.add(row.id);
      count += 1;
    }
    for (const id of [...removed]) {
      const row = rows.get(id);
      removed.delete(id);
      if (row) await api(row.url, "DELETE");
      rows.delete(id);
      count += 1;
    }
  } catch (error) {
    say(`${text.notSaved} ${error.message}`);
    root.dataset.unsaved = String(dirty.size + removed.size);
    return;
  }
  root.dataset.unsaved = "0";
  listAnnotations();
  say(count ? text.saved : text.nothingToSave);
}

// -- start ---------------------------------------------------------------------------------------

// What works with Cornerstone's core alone, bound before the first image.
function bindView() {
  const actions = {
    "rotate-right": () => rotate(90),
    "rotate-left": () => rotate(-90),
    "flip-h": () => flip("h"),
    "flip-v": () => flip("v"),
    "zoom-in": () => zoom(1.25),
    "zoom-out": () => zoom(0.8),
    reset,
  };
  document.querySelectorAll("button[data-action]").forEach((button) => {
    if (button.dataset.action in actions) button.addEventListener("click", actions[button.dataset.action]);
  });
  document.getElementById("viewer-preset").addEventListener("change", (event) => preset(event.target.value));
  document.querySelectorAll("button[data-layout]").forEach((button) => {
    button.addEventListener("click", () => layout(Number(button.dataset.layout)));
  });
  document.querySelectorAll("[data-series-choice]").forEach((button) => {
    button.addEventListener("click", () => show(active(), seriesById.get(button.dataset.seriesChoice)));
  });
}

// The mouse tools and the annotations, bound once the tools' chunk is loaded (after the first image).
function bindTools(group) {
  document.querySelectorAll("button[data-tool]").forEach((button) => {
    button.addEventListener("click", () => primaryTool(group, button.dataset.tool));
  });
  document.querySelectorAll('button[data-action="save"]').forEach((button) => {
    button.addEventListener("click", save);
  });
  const events = ToolEnums.Events;
  eventTarget.addEventListener(events.ANNOTATION_COMPLETED, markDirty);
  eventTarget.addEventListener(events.ANNOTATION_MODIFIED, markDirty);
  eventTarget.addEventListener(events.ANNOTATION_REMOVED, markRemoved);
  window.addEventListener("beforeunload", (event) => {
    if (dirty.size + removed.size > 0) event.preventDefault();
  });
}

async function start() {
  if (!config.series.length) return;
  if (typeof WebAssembly === "undefined") {
    fail(text.noWasm);
    return;
  }
  if (!webglWorks()) say(text.noWebgl);
  let firstSlice;
  try {
    // Our worker, from the address the page gives (a same-origin static file), before the loader's
    // own registration (which would look for it next to the bundle, and is then skipped).
    getWebWorkerManager().registerWorker(
      "dicomImageLoader",
      () => {
        const early = window.cpmsDecoder; // started by boot.js while this bundle loaded
        window.cpmsDecoder = undefined;
        return early || new Worker(config.workerUrl, { type: "module", name: "dicom-decoder" });
      },
      { maxWorkerInstances: Math.max(1, Math.min(2, Math.floor((navigator.hardwareConcurrency || 2) / 2))) },
    );
    await initCore();
    initLoader({ wasmBasePath: config.codecsUrl });
    firstSlice = preloadFirstSlice(); // after initLoader, which empties the loader's caches
    performance.mark("cpms-viewer:initialised");
  } catch (error) {
    fail(text.failed, error);
    return;
  }
  engine = new RenderingEngine(ENGINE);
  // The first viewport now; the second (hidden until the layout shows two) after the first image.
  const enable = (element, index) => {
    const id = `cpms-viewport-${index}`;
    const panel = element.closest("[data-viewport-panel]");
    engine.enableElement({ viewportId: id, type: Enums.ViewportType.STACK, element, defaultOptions: { background: [0, 0, 0] } });
    element.tabIndex = 0; // enableElement makes it -1: the keyboard must reach the image
    const entry = { id, element, panel, series: null };
    viewports.push(entry);
    watch(entry);
  };
  const elements = [...document.querySelectorAll("[data-viewport]")];
  enable(elements[0], 0);
  bindView();
  choose(0);
  root.dataset.state = "loading";
  try {
    await firstSlice;
    await show(viewports[0], config.series[0]);
  } catch (error) {
    fail(text.failed, error);
    return;
  }
  new ResizeObserver(() => engine.resize(true, true)).observe(document.getElementById("viewer-stage"));
  // Once the first image is drawn: the mouse tools and the annotations (their own chunk).
  await firstImage;
  try {
    await loadTools();
    elements.slice(1).forEach((element, index) => enable(element, index + 1));
    const group = setupTools();
    viewports.forEach((v) => group.addViewport(v.id, ENGINE));
    bindTools(group);
    primaryTool(group, WindowLevelTool.toolName);
  } catch (error) {
    fail(text.failed, error);
    return;
  }
  root.dataset.state = "ready";
  try {
    await loadAnnotations();
  } catch (error) {
    say(`${text.annotationsFailed} ${error.message}`);
  }
  thumbnails();
}

start();
