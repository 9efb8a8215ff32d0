// An embed that could not start tells its parent why (an error event) and how tall it is.

import { canvasResize, event, eventTargets, parseOrigins } from "./protocol.js";

const root = document.getElementById("embed");
if (window.parent !== window) {
  const id = root.dataset.embedId || null;
  const height = Math.ceil(root.getBoundingClientRect().height);
  const targets = eventTargets(parseOrigins(root.dataset.origins), location.origin, location.ancestorOrigins?.[0] ?? null);
  for (const target of targets) {
    window.parent.postMessage(event(id, "error", { message: root.dataset.message }), target);
    window.parent.postMessage(event(id, "resize", { height }), target);
    window.parent.postMessage(canvasResize(height), target);
  }
}
