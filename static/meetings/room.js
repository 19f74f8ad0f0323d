// The meeting room (templates/meetings/meeting_room.html): a plain ES module, no bundler.
//
// Before joining: the camera and microphone choice with a preview (enumerateDevices, getUserMedia).
// Then the WebSocket to ws/meetings/<id>/ (cpms/meetings/consumers.py): the organiser is in at once;
// anyone else waits at the lobby until the organiser admits them. In the room: one RTCPeerConnection
// per other person (a full mesh), negotiated with the "perfect negotiation" pattern (the person with
// the smaller id is polite; the newcomer makes the first offer), media peer to peer (DTLS-SRTP).
// Mute, camera off and screen sharing (getDisplayMedia + replaceTrack); a connection-quality mark per
// person from getStats (round trip and packet loss); the agenda's current item; the chat; the
// organiser's notes.

const root = document.getElementById("room");
const text = JSON.parse(document.getElementById("room-text").textContent);
const me = Number(root.dataset.me);
const isOrganiser = root.dataset.organiser === "true";
const $ = (id) => document.getElementById(id);
const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");

const HEARTBEAT_MS = 30_000;
const STATS_MS = 3_000;
// A lost socket (network, server restart) is opened again after 1, 2, 4 … s (at most 30 s, with
// jitter), up to RECONNECT_ATTEMPTS times; the server lets back in at once someone who was in the
// room a moment ago (?rejoin=1, room.REJOIN_SECONDS). A refusal (close codes 4000-4999) is final.
const RECONNECT_ATTEMPTS = 8;
const RECONNECT_MAX_MS = 30_000;

let socket = null;
let localStream = null;
let cameraTrack = null;
let screenTrack = null;
let iceServers = [];
let organiserId = null;
let leaving = false;
let attempts = 0;
let reconnectTimer = null;
const peers = new Map(); // user id → {pc, polite, makingOffer, ignoreOffer, name, attendance, tile, item}

function problem(message) {
  const box = $("room-problem");
  box.textContent = message;
  box.hidden = !message;
}

function announce(message) {
  $("room-status").textContent = message;
}

// -- before joining ----------------------------------------------------------------------------

function supported() {
  return Boolean(window.RTCPeerConnection && navigator.mediaDevices?.getUserMedia && window.WebSocket);
}

async function listDevices() {
  const devices = await navigator.mediaDevices.enumerateDevices();
  for (const [kind, select] of [
    ["videoinput", $("room-camera")],
    ["audioinput", $("room-microphone")],
  ]) {
    const chosen = select.value;
    select.replaceChildren();
    const found = devices.filter((device) => device.kind === kind);
    if (found.length === 0) {
      select.append(new Option(text.no_device, ""));
    }
    found.forEach((device, index) => {
      select.append(new Option(device.label || `${text.default_device} ${index + 1}`, device.deviceId));
    });
    if (chosen && found.some((device) => device.deviceId === chosen)) select.value = chosen;
  }
}

async function preview() {
  const camera = $("room-camera").value;
  const microphone = $("room-microphone").value;
  localStream?.getTracks().forEach((track) => track.stop());
  try {
    localStream = await navigator.mediaDevices.getUserMedia({
      video: camera ? { deviceId: { exact: camera } } : true,
      audio: microphone ? { deviceId: { exact: microphone } } : true,
    });
    problem("");
  } catch (error) {
    localStream = new MediaStream();
    problem(text.media_refused);
  }
  cameraTrack = localStream.getVideoTracks()[0] || null;
  $("room-preview").srcObject = localStream;
  $("room-local").srcObject = localStream;
}

// -- the socket --------------------------------------------------------------------------------

function send(message) {
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

function reconnecting(on) {
  $("room-reconnecting").hidden = !on;
  if (on) announce(text.reconnecting);
}

function connect(rejoin = false) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(`${scheme}//${location.host}${root.dataset.socket}${rejoin ? "?rejoin=1" : ""}`);
  socket = ws;
  let refusedCode = null;
  const heartbeat = setInterval(() => send({ type: "ping" }), HEARTBEAT_MS);
  ws.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "refused") refusedCode = message.code;
    if (message.type === "welcome" || message.type === "waiting") {
      if (attempts > 0) announce(text.reconnected);
      attempts = 0;
      reconnecting(false);
    }
    handle(message);
  });
  ws.addEventListener("close", (event) => {
    clearInterval(heartbeat);
    if (socket !== ws) return; // an older socket, already replaced
    const code = refusedCode ?? event.code;
    closeAll();
    if (leaving) return;
    if (code >= 4000 && code < 5000) {
      reconnecting(false);
      problem(text[String(code)] || text.lost);
    } else if (attempts < RECONNECT_ATTEMPTS) {
      reconnecting(true);
      const delay = Math.min(RECONNECT_MAX_MS, 1000 * 2 ** attempts) * (0.5 + Math.random() / 2);
      attempts += 1;
      reconnectTimer = setTimeout(() => {
        reconnectTimer = null;
        if (!leaving) connect(true);
      }, delay);
    } else {
      reconnecting(false);
      problem(text.lost);
    }
  });
}

window.addEventListener("online", () => {
  // Back on the network: try now rather than at the end of the backoff.
  if (reconnectTimer === null || leaving) return;
  clearTimeout(reconnectTimer);
  reconnectTimer = null;
  connect(true);
});

function handle(message) {
  switch (message.type) {
    case "waiting":
      show("waiting");
      break;
    case "welcome":
      welcome(message);
      break;
    case "lobby":
      showLobby(message.people);
      break;
    case "joined":
      addPerson(message.person);
      announce(fill(text.joined, message.person));
      break;
    case "left":
      removePerson(message.id, message.attendance, message.removed);
      break;
    case "signal":
      onSignal(message.from, message.data);
      break;
    case "chat":
      addChat(message.message);
      break;
    case "agenda":
      highlight(message.item);
      break;
    case "media":
      showMedia(message);
      break;
    default:
      break; // pong, dropped, error: nothing to show
  }
}

function show(stage) {
  $("room-prejoin").hidden = stage !== "prejoin";
  $("room-waiting").hidden = stage !== "waiting";
  for (const id of ["room-main", "room-chat-section", "room-people-section"]) $(id).hidden = stage !== "room";
}

function welcome(message) {
  organiserId = message.organiser;
  iceServers = message.ice_servers;
  show("room");
  $("room-chat").replaceChildren();
  message.chat.forEach(addChat);
  highlight(message.current_item);
  document.querySelectorAll(".room-agenda-move").forEach((button) => (button.disabled = false));
  renderParticipants();
  message.participants.forEach((person) => addPerson(person, { offer: true }));
  if (message.lobby) showLobby(message.lobby);
  sendMediaState();
}

// -- people and their peer connections ---------------------------------------------------------

// The one who comes in makes the first offer to each person already in the room (`offer`); those
// already in wait for it. Both offering at once ("glare") is handled by perfect negotiation in
// principle, but a polite Chromium that rolls its own offer back to answer sometimes gathers no ICE
// candidates for the answer: no media, in Chromium-Chromium and Chromium-Firefox rooms alike.
function addPerson(person, { offer = false } = {}) {
  if (person.id === me) return;
  const known = peers.get(person.id);
  if (known && (known.attendance === null || known.attendance === person.attendance)) {
    // Their first signal came before the news that they joined: the same stay.
    known.name = person.name;
    known.attendance = person.attendance;
    known.tile.querySelector("figcaption").textContent = person.name;
    renderParticipants();
    return;
  }
  if (known) dropPeer(person.id); // a new stay (another window): start again
  peerFor(person.id, person, offer);
}

function removePerson(id, attendance, removed = false) {
  const peer = peers.get(id);
  if (!peer || (attendance && peer.attendance && peer.attendance !== attendance)) return;
  announce(fill(removed ? text.removed : text.left, peer));
  dropPeer(id);
}

function dropPeer(id) {
  const peer = peers.get(id);
  if (!peer) return;
  peer.pc.close();
  peer.tile.remove();
  peers.delete(id);
  renderParticipants();
}

function closeAll() {
  for (const id of [...peers.keys()]) dropPeer(id);
}

function peerFor(id, person = {}, offer = false) {
  if (peers.has(id)) return peers.get(id);
  const pc = new RTCPeerConnection({ iceServers });
  const tile = document.createElement("figure");
  tile.className = "room-tile";
  const video = document.createElement("video");
  video.className = "room-video";
  video.autoplay = true;
  video.playsInline = true;
  const caption = document.createElement("figcaption");
  caption.textContent = person.name || "";
  tile.append(video, caption);
  $("room-videos").append(tile);
  const peer = {
    pc,
    polite: me < id,
    makingOffer: false,
    offers: offer, // makes the first offer; else waits for the other's
    ignoreOffer: false,
    name: person.name || "",
    attendance: person.attendance || null,
    tile,
    video,
    quality: "unknown",
    detail: "",
    media: { audio: true, video: true, screen: false },
    queue: Promise.resolve(),
  };
  peers.set(id, peer);
  for (const track of localStream.getTracks()) {
    pc.addTrack(track === cameraTrack && screenTrack ? screenTrack : track, localStream);
  }
  pc.ontrack = ({ track, streams }) => {
    video.srcObject = streams[0] || new MediaStream([track]);
  };
  pc.onicecandidate = ({ candidate }) => {
    if (candidate) send({ type: "signal", to: id, data: { candidate: candidate.toJSON() } });
  };
  pc.onnegotiationneeded = async () => {
    if (!peer.offers && !pc.remoteDescription) return; // their offer is on its way
    try {
      peer.makingOffer = true;
      await pc.setLocalDescription();
      send({ type: "signal", to: id, data: { description: pc.localDescription.toJSON() } });
    } catch (error) {
      console.error(error);
    } finally {
      peer.makingOffer = false;
    }
  };
  pc.oniceconnectionstatechange = () => {
    if (pc.iceConnectionState === "failed") {
      // New ICE candidates (a network that changed, a TURN relay): onnegotiationneeded sends the offer.
      problem(fill(text.ice_failed, peer));
      pc.restartIce();
    } else if (pc.iceConnectionState === "connected") {
      problem("");
    }
  };
  renderParticipants();
  return peer;
}

function onSignal(from, data) {
  // One at a time per person, in the order sent: a candidate must not overtake the description
  // whose setRemoteDescription is still under way.
  const peer = peerFor(from);
  peer.queue = peer.queue.then(() => applySignal(peer, from, data));
}

async function applySignal(peer, from, data) {
  const pc = peer.pc;
  try {
    if (data.description) {
      const description = data.description;
      const collision = description.type === "offer" && (peer.makingOffer || pc.signalingState !== "stable");
      peer.ignoreOffer = !peer.polite && collision;
      if (peer.ignoreOffer) return;
      await pc.setRemoteDescription(description);
      if (description.type === "offer") {
        await pc.setLocalDescription();
        send({ type: "signal", to: from, data: { description: pc.localDescription.toJSON() } });
      }
    } else if (data.candidate) {
      try {
        await pc.addIceCandidate(data.candidate);
      } catch (error) {
        if (!peer.ignoreOffer) throw error;
      }
    }
  } catch (error) {
    console.error(error);
  }
}

function qualityOf(rtt, loss) {
  if (rtt === null) return "unknown";
  if (rtt < 0.3 && loss < 0.02) return "good";
  if (rtt < 0.6 && loss < 0.08) return "fair";
  return "poor";
}

async function measure() {
  for (const peer of peers.values()) {
    let rtt = null;
    let senderRtt = null;
    let lost = 0;
    let received = 0;
    try {
      const stats = await peer.pc.getStats();
      stats.forEach((report) => {
        // Firefox marks the pair in use as `selected` and may leave out its round-trip time: then the
        // time the far side reports for what we send (remote-inbound-rtp) stands in for it.
        const inUse = report.nominated || report.selected;
        if (report.type === "candidate-pair" && inUse && report.state === "succeeded") {
          rtt = report.currentRoundTripTime ?? rtt;
        }
        if (report.type === "remote-inbound-rtp" && report.roundTripTime !== undefined) {
          senderRtt = Math.max(senderRtt ?? 0, report.roundTripTime);
        }
        if (report.type === "inbound-rtp") {
          lost += report.packetsLost || 0;
          received += report.packetsReceived || 0;
        }
      });
    } catch {
      continue;
    }
    rtt = rtt ?? senderRtt;
    const loss = received + lost > 0 ? lost / (received + lost) : 0;
    peer.quality = qualityOf(rtt, loss);
    peer.detail =
      rtt === null ? "" : fill(text.quality_detail, { rtt: Math.round(rtt * 1000), loss: (loss * 100).toFixed(1) });
  }
  renderParticipants();
}

function renderParticipants() {
  const list = $("room-participants");
  const rows = [];
  const mine = document.createElement("li");
  mine.textContent = `${text.you}${isOrganiser ? ` (${text.organiser})` : ""}`;
  rows.push(mine);
  for (const [id, peer] of peers) {
    const row = document.createElement("li");
    row.dataset.person = id;
    const name = document.createElement("span");
    name.textContent = peer.name + (id === organiserId ? ` (${text.organiser})` : "");
    const flags = [];
    if (!peer.media.audio) flags.push(text.muted);
    if (!peer.media.video) flags.push(text.camera_is_off);
    if (peer.media.screen) flags.push(text.sharing);
    const mark = document.createElement("span");
    mark.className = `room-quality room-quality-${peer.quality}`;
    mark.textContent = text[`quality_${peer.quality}`];
    if (peer.detail) mark.title = peer.detail;
    row.append(name, " ", mark);
    if (flags.length) row.append(` · ${flags.join(", ")}`);
    if (peer.detail) {
      const detail = document.createElement("span");
      detail.className = "visually-hidden";
      detail.textContent = ` (${peer.detail})`;
      row.append(detail);
    }
    rows.push(row);
  }
  list.replaceChildren(...rows);
}

// -- the lobby (the organiser's) ---------------------------------------------------------------

function showLobby(people) {
  const list = $("room-lobby");
  if (!list) return;
  $("room-lobby-empty").hidden = people.length > 0;
  list.replaceChildren(
    ...people.map((person) => {
      const row = document.createElement("li");
      row.className = "d-flex flex-wrap gap-2 align-items-center mb-2";
      const name = document.createElement("span");
      name.textContent = person.name;
      const admit = document.createElement("button");
      admit.type = "button";
      admit.className = "btn btn-sm btn-primary";
      admit.textContent = fill(text.admit, person);
      admit.addEventListener("click", () => send({ type: "admit", to: person.id }));
      const refuse = document.createElement("button");
      refuse.type = "button";
      refuse.className = "btn btn-sm btn-outline-danger";
      refuse.textContent = fill(text.refuse, person);
      refuse.addEventListener("click", () => send({ type: "refuse", to: person.id }));
      row.append(name, admit, refuse);
      return row;
    }),
  );
  if (people.length) announce(fill(text.knocked, people[people.length - 1]));
}

// -- controls ----------------------------------------------------------------------------------

function sendMediaState() {
  const audio = localStream.getAudioTracks().some((track) => track.enabled);
  const video = Boolean(cameraTrack?.enabled) || Boolean(screenTrack);
  send({ type: "media", audio, video, screen: Boolean(screenTrack) });
}

function showMedia(message) {
  const peer = peers.get(message.id);
  if (!peer) return;
  peer.media = { audio: message.audio, video: message.video, screen: message.screen };
  renderParticipants();
}

function toggle(button, on, offLabel, onLabel) {
  button.setAttribute("aria-pressed", String(on));
  button.textContent = on ? onLabel : offLabel;
}

async function replaceVideo(track) {
  for (const peer of peers.values()) {
    const sender = peer.pc.getSenders().find((s) => s.track?.kind === "video" || s.track === null);
    if (sender) await sender.replaceTrack(track);
  }
  $("room-local").srcObject = new MediaStream([...localStream.getAudioTracks(), ...(track ? [track] : [])]);
}

async function share() {
  const button = $("room-share");
  if (screenTrack) {
    screenTrack.stop();
    screenTrack = null;
    await replaceVideo(cameraTrack);
    toggle(button, false, text.share, text.stop_share);
    sendMediaState();
    return;
  }
  try {
    const display = await navigator.mediaDevices.getDisplayMedia({ video: true });
    screenTrack = display.getVideoTracks()[0];
    screenTrack.addEventListener("ended", () => screenTrack && share());
    await replaceVideo(screenTrack);
    toggle(button, true, text.share, text.stop_share);
    sendMediaState();
  } catch {
    screenTrack = null; // the person cancelled the choice
  }
}

function wireControls() {
  $("room-mute").addEventListener("click", (event) => {
    const muted = event.currentTarget.getAttribute("aria-pressed") !== "true";
    localStream.getAudioTracks().forEach((track) => (track.enabled = !muted));
    toggle(event.currentTarget, muted, text.mute, text.unmute);
    sendMediaState();
  });
  $("room-camera-off").addEventListener("click", (event) => {
    const off = event.currentTarget.getAttribute("aria-pressed") !== "true";
    if (cameraTrack) cameraTrack.enabled = !off;
    toggle(event.currentTarget, off, text.camera_off, text.camera_on);
    sendMediaState();
  });
  $("room-share").addEventListener("click", share);
  if (!navigator.mediaDevices.getDisplayMedia) $("room-share").hidden = true;
  $("room-leave").addEventListener("click", () => {
    leaving = true;
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    attempts = 0;
    reconnecting(false);
    socket?.close(1000);
    localStream.getTracks().forEach((track) => track.stop());
    screenTrack?.stop();
    screenTrack = null;
    toggle($("room-mute"), false, text.mute, text.unmute);
    toggle($("room-camera-off"), false, text.camera_off, text.camera_on);
    toggle($("room-share"), false, text.share, text.stop_share);
    closeAll();
    show("prejoin");
    $("room-join").disabled = true;
    preview().then(() => ($("room-join").disabled = false)); // to join again, knocking again
  });
  $("room-chat-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("room-chat-input");
    const body = input.value.trim();
    if (body) send({ type: "chat", body });
    input.value = "";
  });
  document.querySelectorAll(".room-agenda-move").forEach((button) => {
    button.addEventListener("click", () => send({ type: "agenda", item: Number(button.dataset.item) }));
  });
  const notes = $("room-notes");
  notes?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = $("room-notes-status");
    try {
      const response = await fetch(notes.action, {
        method: "POST",
        body: new FormData(notes),
        headers: { "X-Requested-With": "cpms-room" },
        credentials: "same-origin",
      });
      status.textContent = response.ok
        ? text.notes_saved
        : fill(text.notes_failed, { error: await response.text() });
    } catch (error) {
      status.textContent = fill(text.notes_failed, { error: String(error) });
    }
  });
}

// -- chat and agenda ---------------------------------------------------------------------------

function addChat(message) {
  const row = document.createElement("li");
  const time = new Date(message.sent_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  const who = document.createElement("strong");
  who.textContent = `${message.author.name} `;
  const when = document.createElement("span");
  when.className = "text-body-secondary small";
  when.textContent = `${time} `;
  const body = document.createElement("span");
  body.textContent = message.body;
  row.append(who, when, body);
  const list = $("room-chat");
  list.append(row);
  list.scrollTop = list.scrollHeight;
}

function highlight(itemId) {
  document.querySelectorAll(".room-agenda-item").forEach((item) => {
    if (Number(item.dataset.item) === itemId) item.setAttribute("aria-current", "step");
    else item.removeAttribute("aria-current");
  });
}

// -- start -------------------------------------------------------------------------------------

async function start() {
  if (!supported()) {
    problem(text.unsupported);
    return;
  }
  show("prejoin");
  await preview();
  await listDevices(); // labels are known once the person allowed the camera
  $("room-camera").addEventListener("change", preview);
  $("room-microphone").addEventListener("change", preview);
  navigator.mediaDevices.addEventListener?.("devicechange", listDevices);
  wireControls();
  const join = $("room-join");
  join.disabled = false;
  join.addEventListener("click", async () => {
    join.disabled = true;
    leaving = false;
    problem("");
    if (localStream.getTracks().every((track) => track.readyState === "ended")) await preview();
    connect();
  });
  setInterval(measure, STATS_MS);
}

start();
