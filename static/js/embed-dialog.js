// The Embed dialog: ready-to-paste snippets (loader and iframe) for the current state.

import { encodeState } from "./codec.js";
import { embedUrl, iframeSnippet, loaderSnippet, PANELS } from "./snippets.js";

export function bindEmbedDialog(root, store) {
  const dialog = root.getElementById("embed-dialog");
  const opener = root.getElementById("embed-open");
  const form = dialog.querySelector("form");
  const field = (id) => root.getElementById(id);
  const maxState = Number(dialog.dataset.maxState);
  let code = null;

  const options = () => {
    const useState = field("embed-start-state").checked;
    return {
      preset: store.preset,
      state: useState ? code : null,
      controls: field("embed-controls").value,
      theme: field("embed-theme").value,
      show: PANELS.filter((p) => field(`embed-show-${p}`).checked),
    };
  };

  const update = () => {
    const chosen = options();
    const base = location.origin;
    const title = `Backpropagation, step by step: ${store.title || "a shared network"}`;
    field("embed-loader").value = loaderSnippet(base, chosen);
    field("embed-iframe").value = iframeSnippet(base, chosen, title);
    field("embed-preview").href = embedUrl(base, chosen);
    for (const status of dialog.querySelectorAll(".copy-status")) status.textContent = "";
  };

  opener.addEventListener("click", async () => {
    code = await encodeState(store.saved());
    const fits = code.length <= maxState;
    const stateChoice = field("embed-start-state");
    const presetChoice = field("embed-start-preset");
    stateChoice.disabled = !fits;
    presetChoice.disabled = !store.preset;
    if (!fits) presetChoice.checked = true;
    else if (!store.preset) stateChoice.checked = true;
    field("embed-state-label").textContent = fits
      ? `this network as it is now (step ${store.snapshot().step})`
      : `this network as it is now: too large for a link (${code.length} characters, at most ${maxState})`;
    field("embed-preset-label").textContent = store.preset
      ? `${store.title || store.preset}, from its first step`
      : "a ready-made example (this network is not one)";
    update();
    dialog.showModal();
    dialog.querySelector("[data-copy]").focus();
  });

  form.addEventListener("change", update);
  form.addEventListener("submit", (event) => event.preventDefault());
  field("embed-close").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => opener.focus());

  for (const button of dialog.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", async () => {
      const source = field(button.dataset.copy);
      const status = button.closest(".snippet").querySelector(".copy-status");
      try {
        await navigator.clipboard.writeText(source.value);
        status.textContent = "Copied to the clipboard.";
      } catch {
        source.focus();
        source.select();
        status.textContent = "Selected: press Ctrl+C (or ⌘C) to copy.";
      }
    });
  }
}
