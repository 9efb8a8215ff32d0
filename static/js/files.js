// Share links, JSON export and import, and the diagram as SVG or PNG for slides.

import { stateProblem } from "./checks.js";
import { encodeState } from "./codec.js";
import { html } from "./svg.js";

const MAX_IMPORT_BYTES = 64 * 1024 * 1024; // an export within the server's limits is far smaller

// the computed styles an exported SVG needs, since the page's stylesheet does not go with it
const STYLE_PROPS = [
  "fill", "fill-opacity", "stroke", "stroke-width", "stroke-dasharray", "stroke-opacity",
  "opacity", "visibility", "font-family", "font-size", "font-weight", "paint-order", "stroke-linejoin",
];

export function bindFiles(root, store, session, view, limits) {
  const button = (id) => root.getElementById(id);
  const output = button("share-output");

  // Run stops first: the link and the file hold the state on screen, and the page stays there
  button("share").addEventListener("click", async () => {
    session.stopRun();
    const code = await encodeState(store.saved());
    const url = `${location.origin}${location.pathname}#state=${code}`;
    output.textContent = "";
    const label = html("label", { for: "share-url" }, output, "Share link (restores this network, data, step and settings): ");
    const input = html("input", { type: "text", id: "share-url", readonly: true }, label);
    input.value = url;
    input.select();
    try {
      await navigator.clipboard.writeText(url);
      output.append(" Copied.");
    } catch {
      // the link stays selected in the box for the user to copy
    }
  });

  button("export-json").addEventListener("click", () => {
    session.stopRun();
    const body = { backprop_viz: 1, state: store.saved(), trace: store.record?.trace ?? null, phase: store.phase };
    download(new Blob([JSON.stringify(body, null, 1)], { type: "application/json" }), "backprop-viz.json");
  });

  button("export-svg").addEventListener("click", () => {
    download(new Blob([standaloneSvg(view.root)], { type: "image/svg+xml" }), "network.svg");
  });

  button("export-png").addEventListener("click", async () => {
    const blob = await pngOf(view.root);
    if (blob) download(blob, "network.png");
  });

  const file = button("import-file");
  button("import").addEventListener("click", () => file.click());
  file.addEventListener("change", async () => {
    const chosen = file.files[0];
    file.value = "";
    if (!chosen) return;
    const { saved, problem } = await readExport(chosen, await limits.catch(() => null));
    if (problem) {
      store.say("error", `${chosen.name} cannot be imported: ${problem}. Nothing was changed.`);
      return;
    }
    session.pause();
    store.load(saved);
    if (!store.losses.some((p) => p.step === store.step)) session.refreshLoss();
    store.say("info", `Imported ${chosen.name}.`);
  });
}

/** {saved} from an exported file (or a bare saved state) within the limits, else {problem}. */
async function readExport(chosen, limits) {
  if (chosen.size > MAX_IMPORT_BYTES) return { problem: `it is larger than ${MAX_IMPORT_BYTES / 1048576} MiB` };
  let parsed;
  try {
    parsed = JSON.parse(await chosen.text());
  } catch {
    return { problem: "it is not a backprop-viz export (not JSON)" };
  }
  const exported = typeof parsed === "object" && parsed !== null && "state" in parsed;
  const saved = exported ? parsed.state : parsed;
  const problem = stateProblem(saved, limits);
  return problem ? { problem } : { saved };
}

/** The diagram as a self-contained SVG document, styles inlined. */
export function standaloneSvg(source) {
  const copy = source.cloneNode(true);
  const originals = source.querySelectorAll("*");
  const copies = copy.querySelectorAll("*");
  originals.forEach((node, i) => {
    const style = getComputedStyle(node);
    // through the CSSOM: the page's CSP refuses style attributes written as text
    for (const p of STYLE_PROPS) copies[i].style.setProperty(p, style.getPropertyValue(p));
    copies[i].removeAttribute("tabindex");
  });
  const box = source.viewBox.baseVal;
  copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  copy.setAttribute("width", box.width);
  copy.setAttribute("height", box.height);
  const background = document.createElementNS("http://www.w3.org/2000/svg", "rect");
  for (const [k, v] of Object.entries({ width: "100%", height: "100%", fill: getComputedStyle(source).backgroundColor })) background.setAttribute(k, v);
  copy.prepend(background);
  return new XMLSerializer().serializeToString(copy);
}

/** The diagram as PNG at twice its size (sharp on slides). */
async function pngOf(source) {
  const box = source.viewBox.baseVal;
  const url = URL.createObjectURL(new Blob([standaloneSvg(source)], { type: "image/svg+xml" }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement("canvas");
    canvas.width = box.width * 2;
    canvas.height = box.height * 2;
    canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
    return await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  } finally {
    URL.revokeObjectURL(url);
  }
}

function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = html("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
