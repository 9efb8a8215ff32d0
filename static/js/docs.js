// The embedding guide's live example: this page's buttons send commands, the log shows events.

const demo = document.getElementById("drive-demo");
const log = document.getElementById("event-log");
const MAX_LINES = 60;

demo.addEventListener("backprop-viz", (event) => {
  const line = document.createElement("li");
  const message = { ...event.detail };
  if (typeof message.state === "string" && message.state.length > 48) message.state = `${message.state.slice(0, 48)}...`;
  line.textContent = JSON.stringify(message);
  log.prepend(line);
  while (log.children.length > MAX_LINES) log.lastElementChild.remove();
});

for (const button of document.querySelectorAll("[data-command]")) {
  button.addEventListener("click", () => {
    const frame = demo.querySelector("iframe");
    frame?.contentWindow.postMessage({ target: "backprop-viz", type: button.dataset.command }, location.origin);
  });
}
