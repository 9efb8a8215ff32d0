// Encoding of a saved state as text for share links and localStorage.
//
// A share link carries the state in the URL fragment: /#state=<code>. The fragment never
// reaches the server, so a big state costs nothing there. <code> is "1." followed by the
// JSON of the state, deflate-compressed and base64url-encoded; JSON keeps every float exact.

const VERSION = "1";
// A state inflates to at most this much JSON: far beyond any state within the server's
// limits, and still a fraction of a second to parse. A link that inflates further (a few
// kilobytes can inflate to gigabytes) is refused while it inflates.
export const MAX_STATE_BYTES = 32 * 1024 * 1024;

/** The state as a compact URL-safe string. */
export async function encodeState(state) {
  const json = new TextEncoder().encode(JSON.stringify(state));
  const packed = await pipe(json, new CompressionStream("deflate-raw"));
  return `${VERSION}.${toBase64Url(packed)}`;
}

/** The state back from encodeState's string; throws on anything else. */
export async function decodeState(code, maxBytes = MAX_STATE_BYTES) {
  const [version, body] = String(code).split(".", 2);
  if (version !== VERSION || !body) throw new Error("not a backprop-viz state");
  const json = await pipe(fromBase64Url(body), new DecompressionStream("deflate-raw"), maxBytes);
  return JSON.parse(new TextDecoder().decode(json));
}

/** bytes through a transform stream, refused as soon as the output passes maxBytes. */
async function pipe(bytes, transform, maxBytes = Infinity) {
  const reader = new Blob([bytes]).stream().pipeThrough(transform).getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBytes) {
      await reader.cancel();
      throw new Error(`it expands to more than ${Math.round(maxBytes / 1048576)} MiB`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  chunks.reduce((offset, chunk) => (out.set(chunk, offset), offset + chunk.length), 0);
  return out;
}

export function toBase64Url(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function fromBase64Url(text) {
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** The start parameters of a page address: {preset} or {state}, and the address without them. */
export function startParameters(href) {
  const url = new URL(href);
  const preset = url.searchParams.get("preset");
  const fragment = new URLSearchParams(url.hash.slice(1));
  const state = fragment.get("state");
  url.searchParams.delete("preset");
  url.hash = "";
  return { preset, state, clean: `${url.pathname}${url.search}` };
}
