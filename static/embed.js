// backprop-viz loader. On any page:
//   <div data-backprop-viz data-preset="xor" data-controls="minimal"></div>
//   <script src="https://HOST/static/embed.js" async></script>
// turns each such div, including those the page adds later, into a titled, full-width
// iframe of HOST/embed that keeps its height right (resize messages). The div then relays the embed's events as "backprop-viz" DOM
// events, and its iframe takes commands: iframe.contentWindow.postMessage({target:
// "backprop-viz", type: "step"}, "https://HOST"). See HOST/docs/embed.
(() => {
  "use strict";
  const script = document.currentScript;
  if (!script || !script.src) return;
  const source = new URL(script.src);
  const origin = source.origin;
  const prefix = source.pathname.slice(0, source.pathname.lastIndexOf("/static/")); // "" at the root
  const PARAMETERS = ["preset", "state", "lesson", "controls", "autoplay", "speed", "phase", "theme", "show", "quiz"];
  const START_HEIGHT = 520;
  const frames = new Map(); // the iframe's window -> its div, for the embeds this copy made

  function unusedId() {
    for (let n = 1; ; n += 1) {
      const id = `backprop-viz-${n}`;
      if (!document.querySelector(`[data-backprop-viz-id="${id}"]`) && !document.getElementById(id)) return id;
    }
  }

  function embed(div) {
    if (div.hasAttribute("data-backprop-viz-id")) return; // another copy of this script made it
    const id = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(div.dataset.id || "") ? div.dataset.id : unusedId();
    div.setAttribute("data-backprop-viz-id", id);
    const query = new URLSearchParams();
    for (const name of PARAMETERS) {
      const value = div.dataset[name];
      if (value !== undefined) query.set(name, value);
    }
    query.set("id", id);
    const frame = document.createElement("iframe");
    frame.src = `${origin}${prefix}/embed?${query}`;
    frame.title = div.dataset.title || `Backpropagation, step by step (${div.dataset.preset || "interactive demo"})`;
    frame.setAttribute("allow", "clipboard-write");
    frame.style.display = "block";
    frame.style.width = "100%";
    frame.style.border = "0";
    frame.style.height = `${Number(div.dataset.height) > 0 ? Number(div.dataset.height) : START_HEIGHT}px`;
    div.replaceChildren(frame);
    frames.set(frame.contentWindow, div);
  }

  function scan(root) {
    if (root.nodeType !== Node.ELEMENT_NODE && root !== document) return;
    if (root.matches?.("div[data-backprop-viz]")) embed(root);
    for (const div of root.querySelectorAll("div[data-backprop-viz]")) embed(div);
  }

  function start() {
    scan(document);
    // course pages that put their content in later (single-page LMS views, tabs) get theirs too
    new MutationObserver((records) => {
      for (const record of records) for (const node of record.addedNodes) scan(node);
    }).observe(document.documentElement, { childList: true, subtree: true });
  }

  window.addEventListener("message", (message) => {
    if (message.origin !== origin) return;
    const div = frames.get(message.source);
    const data = message.data;
    if (!div || !data || typeof data !== "object" || data.source !== "backprop-viz" || typeof data.type !== "string") return;
    if (data.type === "resize") {
      const height = Number(data.height);
      if (Number.isFinite(height) && height >= 40 && height <= 20000) {
        div.querySelector("iframe").style.height = `${Math.ceil(height)}px`;
      }
    }
    div.dispatchEvent(new CustomEvent("backprop-viz", { detail: data, bubbles: true }));
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
