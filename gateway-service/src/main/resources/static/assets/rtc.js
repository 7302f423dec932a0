// WebRTC through the suite: stream-service's `/ws/signal` only introduces the two peers (offer, answer,
// ICE candidates); the DataChannel then runs browser to browser. The peer that joins second makes the
// offer, so two tabs need no other coordination.

import { auth, signIn, log } from "./session.js";

const PING_INTERVAL_MS = 2000;
const $ = (selector) => document.querySelector(selector);

const state = { socket: null, me: null, remote: null, connection: null, channel: null, pings: null };

function show(id, text) {
  $(`#${id}`).textContent = text;
}

function signal(message) {
  state.socket.send(JSON.stringify(message));
}

function newConnection(remote) {
  state.remote = remote;
  show("remote", `${remote.user ?? "?"} (${remote.peerId})`);
  // No STUN or TURN server: on one machine or one LAN the host candidates are enough, and nothing here
  // may call out to the internet.
  const connection = new RTCPeerConnection({ iceServers: [] });
  connection.onicecandidate = (event) => {
    if (event.candidate) {
      signal({ type: "candidate", to: remote.peerId, candidate: event.candidate.toJSON() });
    }
  };
  connection.oniceconnectionstatechange = () => show("ice-state", connection.iceConnectionState);
  connection.ondatachannel = (event) => useChannel(event.channel);
  state.connection = connection;
  return connection;
}

function useChannel(channel) {
  state.channel = channel;
  channel.onopen = () => {
    show("channel-state", "open");
    $("#peer").dataset.channel = "open";
    $("#send-button").disabled = false;
    state.pings = setInterval(() => send({ kind: "ping", at: performance.now() }), PING_INTERVAL_MS);
  };
  channel.onclose = () => {
    show("channel-state", "closed");
    $("#peer").dataset.channel = "closed";
    $("#send-button").disabled = true;
    clearInterval(state.pings);
  };
  channel.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.kind === "ping") {
      send({ kind: "pong", at: message.at });
    } else if (message.kind === "pong") {
      show("rtt", `${(performance.now() - message.at).toFixed(1)} ms`);
    } else if (message.kind === "text") {
      addMessage(`${state.remote?.user ?? "peer"}: ${message.text}`, "received");
    }
  };
}

function send(message) {
  if (state.channel?.readyState === "open") state.channel.send(JSON.stringify(message));
}

function addMessage(text, direction) {
  const item = document.createElement("li");
  item.textContent = text;
  item.dataset.direction = direction;
  $("#messages").append(item);
}

async function call(remote) {
  const connection = newConnection(remote);
  useChannel(connection.createDataChannel("lab"));
  await connection.setLocalDescription(await connection.createOffer());
  signal({ type: "offer", to: remote.peerId, sdp: connection.localDescription.sdp });
}

async function onSignal(message) {
  switch (message.type) {
    case "joined":
      state.me = message.peerId;
      show("me", `joined ${message.room} as ${message.peerId}`);
      show("signaling-state", `in room ${message.room}`);
      if (message.peers.length > 0) await call(message.peers[0]);
      break;
    case "peer-joined":
      state.remote = { peerId: message.peerId, user: message.user };
      show("remote", `${message.user} (${message.peerId}) joined; waiting for its offer`);
      break;
    case "offer": {
      const connection = newConnection({ peerId: message.from, user: state.remote?.user });
      await connection.setRemoteDescription({ type: "offer", sdp: message.sdp });
      await connection.setLocalDescription(await connection.createAnswer());
      signal({ type: "answer", to: message.from, sdp: connection.localDescription.sdp });
      break;
    }
    case "answer":
      await state.connection.setRemoteDescription({ type: "answer", sdp: message.sdp });
      break;
    case "candidate":
      if (state.connection) await state.connection.addIceCandidate(message.candidate);
      break;
    case "peer-left":
      show("remote", "left");
      state.connection?.close();
      break;
    case "error":
      log(`signaling error ${message.code}: ${message.message}`);
      break;
    default:
      break;
  }
}

async function join(room, subject) {
  await signIn(subject);
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(
    `${scheme}://${location.host}/ws/signal?access_token=${encodeURIComponent(auth.token())}`,
  );
  state.socket = socket;
  socket.onopen = () => signal({ type: "join", room });
  socket.onmessage = (event) => onSignal(JSON.parse(event.data)).catch((error) => log(error.message));
  socket.onclose = (event) => show("signaling-state", `closed (${event.code})`);
}

$("#join").addEventListener("submit", (event) => {
  event.preventDefault();
  join($("#room").value, $("#subject").value).catch((error) => log(error.message));
});

$("#send").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("#message").value;
  send({ kind: "text", text });
  addMessage(`me: ${text}`, "sent");
});

const params = new URLSearchParams(location.search);
if (params.has("room")) $("#room").value = params.get("room");
if (params.has("name")) $("#subject").value = params.get("name");
if (params.get("autojoin") === "1") join($("#room").value, $("#subject").value).catch((e) => log(e.message));
