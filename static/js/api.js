// The REST client: the only module that calls fetch. All math comes from /api/v1.

const BASE = "/api/v1";

/**
 * An API error: status, the problems as [{field, message}] (field "" when general), and the
 * seconds of Retry-After (429, 503) or null.
 */
export class ApiError extends Error {
  constructor(status, problems, retryAfter = null) {
    super(problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join("; "));
    this.status = status;
    this.problems = problems;
    this.retryAfter = retryAfter;
  }
}

/** 422 {"detail": [{loc, msg}]} or 413/404 {"detail": "..."} as [{field, message}]. */
export function problemsOf(body, status) {
  const detail = body && body.detail;
  if (Array.isArray(detail)) {
    return detail.map((d) => ({
      field: (d.loc || []).filter((part, i) => !(i === 0 && (part === "body" || part === "query"))).join("."),
      message: String(d.msg),
    }));
  }
  if (typeof detail === "string") return [{ field: "", message: detail }];
  return [{ field: "", message: `the server answered ${status}` }];
}

async function request(method, path, body, { headers = {}, timed = false } = {}) {
  let response;
  try {
    response = await fetch(BASE + path, {
      method,
      headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, [{ field: "", message: "the server cannot be reached" }]);
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const retry = Number.parseInt(response.headers.get("retry-after") ?? "", 10);
    throw new ApiError(response.status, problemsOf(data, response.status), Number.isFinite(retry) ? retry : null);
  }
  if (!timed) return data;
  // the server's time for the answer and its estimate of it (its Server-Timing header); null
  // where missing (an answer from the cache has no estimate; a proxy may drop the header)
  const timing = response.headers.get("server-timing") ?? "";
  const ms = (name) => Number(new RegExp(`${name};dur=([\\d.]+)`).exec(timing)?.[1] ?? NaN);
  const [serverMs, estimateMs] = [ms("app"), ms("estimate")].map((v) => (Number.isFinite(v) ? v : null));
  return { answer: data, serverMs, estimateMs };
}

/** The activations and losses, with their formulas as expression trees (formula.js draws them). */
export const getFunctions = () => request("GET", "/functions");
/** What every request is checked against; the page checks saved states against it too. */
export const getLimits = () => request("GET", "/limits");
export const getPreset = (name) => request("GET", `/presets/${encodeURIComponent(name)}`);
export const initNetwork = (network) => request("POST", "/init", { network });
export const forward = (body) => request("POST", "/forward", body);
export const step = (body) => request("POST", "/step", body);
export const train = (body) => request("POST", "/train", body);
/** /train for Run: {answer, serverMs, estimateMs}: the server's time and estimate (pacer.js sizes requests by them). */
export const trainTimed = (body) => request("POST", "/train", body, { timed: true });
export const gradcheck = (body) => request("POST", "/gradcheck", { method: "five_point", ...body });
export const predict = (body) => request("POST", "/predict", body);
/** A student's answer to one number of a step: {correct, expected?, tolerance, misconception}. */
export const check = (body) => request("POST", "/check", body);

/** Generated data: {inputs, targets, test_inputs, test_targets}. */
export function getDataset(name, { n, noise, seed, labels, test }) {
  const query = new URLSearchParams({ n, noise, seed, labels, test });
  return request("GET", `/datasets/${encodeURIComponent(name)}?${query}`);
}

/** Publish a lesson: {id, url, edit_token} (the token is given this once). */
export const publishLesson = (lesson) => request("POST", "/lessons", { lesson });
/** Delete a published lesson with the edit token it was published with. */
export const deleteLesson = (id, token) =>
  request("DELETE", `/lessons/${encodeURIComponent(id)}`, undefined, { headers: { authorization: `Bearer ${token}` } });
