// The lessons published from this browser, each with its edit token (DELETE needs it and the
// server shows it only once), kept in localStorage by id; and the last one published from
// this tab, which the Embed dialog offers (its short link part is bound here, when the dialog
// first opens).

const KEY = "backprop-viz:lessons";
const LAST = "backprop-viz:lesson-last";

/** [{id, url, title, edit_token, created}], the newest first. */
export function keptLessons() {
  try {
    const list = JSON.parse(localStorage.getItem(KEY));
    return Array.isArray(list) ? list.filter((l) => l && typeof l.id === "string" && typeof l.edit_token === "string") : [];
  } catch {
    return [];
  }
}

/** Keep a lesson just published (and remember it as this tab's last). */
export function keepLesson(entry) {
  write([entry, ...keptLessons().filter((l) => l.id !== entry.id)]);
  try {
    sessionStorage.setItem(LAST, entry.id);
  } catch {
    // no session storage: the Embed dialog then offers none
  }
}

export function forgetLesson(id) {
  write(keptLessons().filter((l) => l.id !== id));
}

/** The lesson last published from this tab, if this browser still keeps it. */
export function lastPublished() {
  let id = null;
  try {
    id = sessionStorage.getItem(LAST);
  } catch {
    return null;
  }
  return keptLessons().find((l) => l.id === id) ?? null;
}

function write(list) {
  try {
    localStorage.setItem(KEY, JSON.stringify(list));
    return true;
  } catch {
    return false; // full or disabled storage: the token is still shown on the page
  }
}

/**
 * The Embed dialog's short link: the lesson last published from this tab (its link, and the
 * choice to embed it), or a button that publishes the page as it is as a one-stop lesson.
 * {lesson(), show(choose)}; `update` redraws the dialog's snippets.
 */
export function bindShortLink(doc, store, update) {
  const field = (id) => doc.getElementById(id);
  const show = (choose) => {
    const lesson = lastPublished();
    const choice = field("embed-start-lesson");
    choice.disabled = !lesson;
    if (choose && lesson) choice.checked = true;
    else if (!lesson && choice.checked) field(store.preset ? "embed-start-preset" : "embed-start-state").checked = true;
    field("embed-lesson-label").textContent = lesson ? `the lesson \u201c${lesson.title}\u201d, by its short link` : "a lesson's short link (none published from this page yet)";
    field("embed-short-box").hidden = !lesson;
    field("embed-publish-box").hidden = Boolean(lesson);
    if (lesson) field("embed-short-link").value = lesson.url;
  };
  // a short link instead of a long state: fits any LMS link field
  field("embed-publish").addEventListener("click", async () => {
    const status = field("embed-publish-status");
    status.textContent = "Publishing\u2026";
    let tools = null;
    try {
      tools = await import("./lesson-editor.js");
      const lesson = await tools.publishNetwork(store);
      status.textContent = `Published: ${lesson.url}`;
      show(true);
      update();
      field("embed-short-link").focus();
      field("embed-short-link").select();
    } catch (error) {
      status.textContent = tools ? tools.refusal(error) : "The lesson tools could not be loaded; reload the page to try again.";
    }
  });
  return { lesson: lastPublished, show };
}
