// The embedding guide's live examples: this page's buttons send commands to one embed, and
// each log shows the events of its embed (data-for names it; data-type keeps one type only).

const MAX_LINES = 60;

function logEvents(log, demo, type) {
  demo.addEventListener("backprop-viz", (event) => {
    if (type && event.detail.type !== type) return;
    const line = document.createElement("li");
    const message = { ...event.detail };
    if (typeof message.state === "string" && message.state.length > 48) message.state = `${message.state.slice(0, 48)}...`;
    line.textContent = JSON.stringify(message);
    log.prepend(line);
    while (log.children.length > MAX_LINES) log.lastElementChild.remove();
  });
}

const demo = document.getElementById("drive-demo");
logEvents(document.getElementById("event-log"), demo, null);
for (const log of document.querySelectorAll(".event-log[data-for]")) {
  logEvents(log, document.getElementById(log.dataset.for), log.dataset.type || null);
}

for (const button of document.querySelectorAll("[data-command]")) {
  button.addEventListener("click", () => {
    const frame = demo.querySelector("iframe");
    frame?.contentWindow.postMessage({ target: "backprop-viz", type: button.dataset.command }, location.origin);
  });
}
