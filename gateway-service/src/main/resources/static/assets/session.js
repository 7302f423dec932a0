// Sign-in and small helpers shared by the pages. The token comes from the gateway's development issuer
// (`POST /auth/token`, demo profile only) and lives in sessionStorage: one tab, gone when it closes.

const KEY = "protocol-lab.token";
let session = null; // {subject, token, expiresAt}

/** Headers that authenticate a fetch; `auth.token()` for the query parameter WebSocket and SSE need. */
export function auth() {
  return session ? { Authorization: `Bearer ${session.token}` } : {};
}
auth.token = () => session?.token ?? "";
auth.subject = () => session?.subject ?? "";

export async function signIn(subject) {
  const response = await fetch("/auth/token", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ subject }),
  });
  if (!response.ok) {
    throw new Error(`sign-in answered ${response.status}: ${await response.text()}`);
  }
  const body = await response.json();
  session = { subject, token: body.access_token, expiresAt: Date.now() + body.expires_in * 1000 };
  sessionStorage.setItem(KEY, JSON.stringify(session));
  return session;
}

/** The session of this tab, if it has one that has not expired. */
export function restore() {
  const stored = JSON.parse(sessionStorage.getItem(KEY) || "null");
  if (stored && stored.expiresAt > Date.now() + 60_000) {
    session = stored;
    return true;
  }
  return false;
}

/** The protocol the gateway saw this response over (its `x-protocol` header). */
export function protocolOf(response) {
  return response.headers.get("x-protocol") || "an unknown protocol";
}

/**
 * What a response cost in bytes before the body: the visible header fields, as HTTP/1.1 would spell
 * them. HTTP/2 and HTTP/3 compress headers, so over those this overestimates; it is the same estimate
 * for every pane, which is what the comparison needs.
 */
export function headerBytes(response) {
  let bytes = 17; // "HTTP/1.1 200 OK\r\n"
  response.headers.forEach((value, name) => {
    bytes += name.length + value.length + 4;
  });
  return bytes + 2;
}

export function log(message) {
  const line = document.getElementById("log");
  if (line) line.textContent = `${new Date().toLocaleTimeString()} ${message}`;
  console.warn(message);
}
