// The lessons published from this browser, each with its edit token (DELETE needs it and the
// server shows it only once), kept in localStorage by id; and the last one published from
// this tab, which the Embed dialog offers.

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
