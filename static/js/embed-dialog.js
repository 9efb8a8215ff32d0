// The Embed dialog: ready-to-paste snippets (loader and iframe) for the current state, and a
// live preview of the embed they make.

import { encodeState } from "./codec.js";
import { phasesOf } from "./layout.js";
import { KIND_LABELS, KINDS } from "./questions.js";
import { embedUrl, iframeSnippet, loaderSnippet, PANELS } from "./snippets.js";

const PREVIEW_DELAY = 400; // ms after the last change before the preview reloads

export function bindEmbedDialog(root, store) {
  const dialog = root.getElementById("embed-dialog");
  const opener = root.getElementById("embed-open");
  const form = dialog.querySelector("form");
  const field = (id) => root.getElementById(id);
  const maxState = Number(dialog.dataset.maxState);
  let code = null;
  let preview = null; // the preview's iframe while the dialog is open
  let timer = null;
  let shortLink = null; // the short link's part of the dialog (lessons-kept.js), bound at the first opening

  const options = () => {
    const useState = field("embed-start-state").checked;
    const lesson = field("embed-start-lesson").checked ? shortLink?.lesson() : null;
    return {
      lesson: lesson?.id ?? null,
      preset: store.preset,
      state: useState ? code : null,
      controls: field("embed-controls").value,
      theme: field("embed-theme").value,
      phase: field("embed-phase").value,
      speed: field("embed-speed").value,
      autoplay: field("embed-autoplay").checked,
      show: PANELS.filter((p) => field(`embed-show-${p}`).checked),
      quiz: field("embed-quiz").checked ? store.quiz.kinds : [],
    };
  };

  const update = () => {
    const chosen = options();
    const base = location.origin;
    const title = `Backpropagation, step by step: ${store.title || "a shared network"}`;
    field("embed-loader").value = loaderSnippet(base, chosen);
    field("embed-iframe").value = iframeSnippet(base, chosen, title);
    field("embed-preview").href = embedUrl(base, chosen);
    field("embed-phase").disabled = Boolean(chosen.lesson); // a lesson's first stop says where it opens
    field("embed-short-box").hidden = !chosen.lesson; // the short link beside the snippets it agrees with
    for (const status of dialog.querySelectorAll(".copy-status")) status.textContent = "";
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (preview) preview.src = embedUrl(base, chosen);
    }, PREVIEW_DELAY);
  };

  /** The phases the embed may open at, for the network as it is now. */
  const fillPhases = () => {
    const select = field("embed-phase");
    const kept = select.value || "idle";
    select.replaceChildren();
    for (const phase of ["idle", ...phasesOf(store.layerCount)]) {
      select.append(new Option(phase === "idle" ? "idle (before the first step)" : phase, phase));
    }
    select.value = [...select.options].some((o) => o.value === kept) ? kept : "idle";
  };

  opener.addEventListener("click", async () => {
    const links = shortLink ? null : import("./lessons-kept.js").then((m) => m.bindShortLink(root, store, update)).catch(() => null);
    [code, shortLink] = await Promise.all([encodeState(store.saved()), shortLink ?? links]);
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
    fillPhases();
    shortLink?.show(false);
    // the quiz as on this page: its questions, asked when the Quiz is on
    field("embed-quiz").checked = store.quiz.on && store.quiz.kinds.length > 0;
    field("embed-quiz").disabled = store.quiz.kinds.length === 0;
    field("embed-quiz-label").textContent = `Ask questions (the quiz): ${quizWords(store.quiz.kinds)}`;
    preview = document.createElement("iframe");
    preview.title = "Preview of the embed";
    preview.className = "embed-preview-frame";
    field("embed-preview-box").append(preview);
    update();
    clearTimeout(timer);
    preview.src = field("embed-preview").href; // at once, the first time
    dialog.showModal();
    dialog.querySelector('[data-copy="embed-loader"]').focus();
  });

  form.addEventListener("change", update);
  form.addEventListener("submit", (event) => event.preventDefault());
  field("embed-close").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    clearTimeout(timer);
    preview?.remove(); // a closed dialog plays nothing
    preview = null;
    opener.focus();
  });

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

function quizWords(kinds) {
  if (kinds.length === 0) return "none chosen (tick some under Questions to ask)";
  return kinds.length === KINDS.length ? "every kind" : kinds.map((k) => KIND_LABELS[k]).join("; ");
}
