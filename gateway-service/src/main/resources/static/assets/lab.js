// The Protocol Lab page: one order watched four ways (short poll, long poll, SSE, WebSocket), a gRPC
// call through the gateway's JSON transcoding, and stream-service's live shop feed. Plain modules, no
// build step: what the browser runs is what you read.

import { auth, signIn, restore, protocolOf, headerBytes, log } from "./session.js";

const SHORT_POLL_INTERVAL_MS = 1000;
const LONG_POLL_WAIT = "PT25S";
const FINAL = new Set(["DELIVERED", "CANCELLED"]);

const $ = (selector, root = document) => root.querySelector(selector);

/** A pane counts what its way of learning costs, and lists each status it learned, with when. */
class Pane {
  constructor(id) {
    this.element = $(`#${id}`);
    this.connections = 0;
    this.reset(null);
  }

  /** A push pane's connection is opened once, at sign-in, and counted for every order it serves. */
  connected() {
    this.connections++;
    this.cost(1, 0);
  }

  reset(order) {
    this.order = order;
    this.requests = this.connections;
    this.bytes = 0;
    this.seen = new Set();
    this.element.dataset.status = "";
    $(".changes", this.element).replaceChildren();
    this.render();
  }

  cost(requests, bytes) {
    this.requests += requests;
    this.bytes += bytes;
    this.render();
  }

  /** `detail` says what the answer carried: an order version, or a notification sequence. */
  learned(status, detail) {
    if (!this.order || this.seen.has(status)) {
      return;
    }
    this.seen.add(status);
    const item = document.createElement("li");
    const elapsed = Math.round(performance.now() - this.order.placedAt);
    item.textContent = `${status} (${detail}) at +${elapsed} ms, after ${this.requests} request(s)`;
    item.dataset.status = status;
    $(".changes", this.element).append(item);
    this.element.dataset.status = status;
  }

  render() {
    $('[data-field="requests"]', this.element).textContent = this.requests;
    $('[data-field="bytes"]', this.element).textContent = this.bytes.toLocaleString("en");
  }
}

const panes = {
  short: new Pane("pane-short"),
  long: new Pane("pane-long"),
  sse: new Pane("pane-sse"),
  ws: new Pane("pane-ws"),
};

let current = null; // {id, version, placedAt, controller}

async function measuredFetch(pane, url, init = {}) {
  const response = await fetch(url, { ...init, headers: { ...auth(), ...(init.headers || {}) } });
  const body = response.status === 304 ? "" : await response.text();
  pane.cost(1, headerBytes(response) + new TextEncoder().encode(body).length);
  return { response, body };
}

async function shortPoll(order) {
  let version = order.version;
  while (!order.controller.signal.aborted) {
    const { response, body } = await measuredFetch(
      panes.short,
      `/api/orders/${order.id}/status?after=${version}`,
      { signal: order.controller.signal },
    );
    if (response.status === 200) {
      const status = JSON.parse(body);
      version = status.version;
      panes.short.learned(status.status, `v${status.version}`);
      if (FINAL.has(status.status)) return;
    } else if (response.status !== 304) {
      throw new Error(`short poll answered ${response.status}`);
    }
    await new Promise((resolve) => setTimeout(resolve, SHORT_POLL_INTERVAL_MS));
  }
}

async function longPoll(order) {
  let version = order.version;
  while (!order.controller.signal.aborted) {
    const { response, body } = await measuredFetch(
      panes.long,
      `/api/orders/${order.id}/status?after=${version}&wait=${LONG_POLL_WAIT}`,
      { signal: order.controller.signal },
    );
    if (response.status === 200) {
      const status = JSON.parse(body);
      version = status.version;
      panes.long.learned(status.status, `v${status.version}`);
      if (FINAL.has(status.status)) return;
    } else if (response.status !== 304) {
      throw new Error(`long poll answered ${response.status}`);
    }
  }
}

function runWatcher(name, watcher, order) {
  watcher(order).catch((error) => {
    if (!order.controller.signal.aborted) log(`${name}: ${error.message}`);
  });
}

/** Push channels are opened once per sign-in and kept: that is their point. */
const push = { source: null, socket: null, lastSeq: 0 };

function onNotification(pane, notification, rawBytes) {
  pane.cost(0, rawBytes);
  push.lastSeq = Math.max(push.lastSeq, notification.seq || 0);
  if (current && notification.orderId === current.id && notification.status) {
    pane.learned(notification.status, `seq ${notification.seq}`);
  }
}

function openSse() {
  push.source?.close();
  const url = `/api/notifications/stream?access_token=${encodeURIComponent(auth.token())}`;
  const source = new EventSource(url);
  push.source = source;
  source.onopen = () => panes.sse.connected();
  source.addEventListener("notification", (event) => {
    const raw = `event: notification\nid: ${event.lastEventId}\ndata: ${event.data}\n\n`;
    onNotification(panes.sse, JSON.parse(event.data), new TextEncoder().encode(raw).length);
  });
  source.onerror = () => log("SSE: connection lost, the browser reconnects with Last-Event-ID");
}

function openWebSocket() {
  push.socket?.close(1000, "signing in again");
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const after = push.lastSeq ? `&after=${push.lastSeq}` : "";
  const url = `${scheme}://${location.host}/ws/notifications?access_token=${encodeURIComponent(auth.token())}${after}`;
  const socket = new WebSocket(url);
  push.socket = socket;
  socket.onopen = () => panes.ws.connected();
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "notification") {
      onNotification(panes.ws, message.notification, new TextEncoder().encode(event.data).length);
      socket.send(JSON.stringify({ type: "ack", seq: message.notification.seq }));
    }
  };
  socket.onclose = (event) => {
    if (push.socket !== socket) return;
    log(`WebSocket closed (${event.code} ${event.reason || ""}); reconnecting from seq ${push.lastSeq}`);
    setTimeout(openWebSocket, 1000);
  };
}

async function placeOrder(form) {
  current?.controller.abort();
  const data = new FormData(form);
  const body = {
    items: [{ sku: data.get("sku"), quantity: Number(data.get("quantity")), unitPrice: data.get("unitPrice") }],
    currency: data.get("currency"),
  };
  const placedAt = performance.now();
  const response = await fetch("/api/orders", {
    method: "POST",
    headers: { ...auth(), "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 201) {
    log(`create answered ${response.status}: ${text}`);
    return;
  }
  const order = JSON.parse(text);
  current = { id: order.id, version: order.version, placedAt, controller: new AbortController() };
  for (const pane of Object.values(panes)) {
    pane.reset(current);
    pane.learned(order.status, "the create response");
  }
  $("#order-summary").textContent =
    `Order ${order.id}: ${order.total} ${order.currency}, ${order.status}, ` +
    `created in ${Math.round(performance.now() - placedAt)} ms over ${protocolOf(response)}.`;
  $("#grpc-get").disabled = false;
  runWatcher("short poll", shortPoll, current);
  runWatcher("long poll", longPoll, current);
  getOrderOverGrpc();
}

async function getOrderOverGrpc() {
  if (!current) return;
  const started = performance.now();
  const response = await fetch(`/rpc/orders/${current.id}`, { headers: auth() });
  const text = await response.text();
  const took = Math.round(performance.now() - started);
  let shown = text;
  try {
    shown = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // not JSON: show it as it came
  }
  $("#grpc-result").textContent =
    `${response.status} in ${took} ms, client leg ${protocolOf(response)}, ` +
    `grpc-status ${response.headers.get("grpc-status") ?? "0"}\n${shown}`;
}

/** stream-service's broadcast: the live shop feed and the one-second metrics chart. */
const shop = { orders: null, metrics: null, series: [] };

function openShop() {
  shop.orders?.close();
  shop.metrics?.close();
  const token = `access_token=${encodeURIComponent(auth.token())}`;
  shop.orders = new EventSource(`/api/stream/orders?${token}`);
  shop.orders.addEventListener("order", (event) => {
    const update = JSON.parse(event.data);
    const item = document.createElement("li");
    item.textContent = `${update.status}  ${update.orderId.slice(0, 8)}  ${update.total ?? ""} ${update.currency ?? ""}`;
    const feed = $("#shop-feed");
    feed.prepend(item);
    while (feed.children.length > 8) feed.lastChild.remove();
  });
  shop.metrics = new EventSource(`/api/stream/metrics?${token}`);
  shop.metrics.addEventListener("metrics", (event) => {
    const window = JSON.parse(event.data);
    shop.series.push(window.ordersPerSecond);
    if (shop.series.length > 60) shop.series.shift();
    const revenue = Object.entries(window.revenue || {})
      .map(([currency, amount]) => `${amount} ${currency}`)
      .join(", ");
    $("#metrics-text").textContent =
      `${window.ordersPerSecond.toFixed(1)} orders/s · ${window.events} events · revenue ${revenue || "0"} in the last second`;
    drawChart();
  });
}

function drawChart() {
  const canvas = $("#metrics-chart");
  const context = canvas.getContext("2d");
  const { width, height } = canvas;
  context.clearRect(0, 0, width, height);
  const max = Math.max(1, ...shop.series);
  const step = width / 60;
  context.fillStyle = "#2f6f9f";
  shop.series.forEach((value, index) => {
    const barHeight = (value / max) * (height - 14);
    context.fillRect(index * step, height - barHeight, Math.max(1, step - 1), barHeight);
  });
  context.fillStyle = "#555";
  context.fillText(`max ${max.toFixed(1)}/s`, 4, 10);
}

async function startSession() {
  $("#who").textContent = `signed in as ${auth.subject()}`;
  $("#place-order").disabled = false;
  openSse();
  openWebSocket();
  openShop();
}

$("#sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    await signIn($("#subject").value);
    await startSession();
  } catch (error) {
    log(error.message);
  }
});

$("#order-form").addEventListener("submit", (event) => {
  event.preventDefault();
  placeOrder(event.target).catch((error) => log(`create: ${error.message}`));
});

$("#grpc-get").addEventListener("click", () => getOrderOverGrpc().catch((error) => log(`gRPC: ${error.message}`)));

fetch("/", { method: "HEAD" }).then((response) => {
  $("#page-protocol").textContent = protocolOf(response);
});

if (restore()) {
  $("#subject").value = auth.subject();
  startSession();
}
