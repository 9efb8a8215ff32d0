// The embed's side of the postMessage protocol: events to the parent page, its commands in.

import { openState } from "./checks.js";
import { encodeState } from "./codec.js";
import { answerFields, canvasResize, event, eventTargets, originAllowed, parseCommand } from "./protocol.js";

export class Bridge {
  constructor({ id, allowed, store, session, player, answers = null, root, limits, win = window }) {
    Object.assign(this, { id, allowed, store, session, player, answers, root, limits, win });
    this.parent = win.parent !== win ? win.parent : null;
    this.own = win.location.origin;
    this.queue = Promise.resolve(); // commands run one after another, in the order sent
    this.started = new Promise((resolve) => (this.start = resolve));
    this.phase = null;
    this.lastStep = 0; // the step count of the network shown, as the events last told it
    this.height = 0;
    this.lesson = null; // a LessonPlayer, when the embed plays a lesson
    // a cross-origin frame out of view gets no animation frames: its commands jump instead
    this.visible = false;
    new IntersectionObserver(([entry]) => (this.visible = entry.isIntersecting)).observe(root);
  }

  /** Post an event to the parent, only to origins allowed to see it. */
  send(type, fields = {}) {
    this.post(event(this.id, type, fields));
  }

  post(message) {
    if (!this.parent) return;
    const parentOrigin = this.win.location.ancestorOrigins?.[0] ?? null;
    for (const target of eventTargets(this.allowed, this.own, parentOrigin)) this.parent.postMessage(message, target);
  }

  /** Listen for commands at once; they run after ready(). */
  listen() {
    this.win.addEventListener("message", (message) => this.receive(message));
    this.store.addEventListener("change", (change) => this.changed(change.detail.reason));
    this.player.addEventListener("busy", () => this.changed("busy"));
    this.session.addEventListener("stepping", () => this.changed("stepping"));
    this.session.runner.addEventListener("running", () => {
      const { running } = this.session;
      if (this.phase !== null) this.send("running", { running, step: this.store.snapshot().step });
      this.changed("running"); // at Stop, a step event for the step shown
    });
    this.answers?.addEventListener("answer", ({ detail }) => {
      const lesson = this.root.dataset.lesson || null;
      this.send("answer", answerFields({ ...detail, base: this.own, preset: this.store.preset, lesson }));
    });
  }

  /** A lesson playing in the embed: its stop events go out, nextStop and previousStop drive it. */
  attachLesson(lesson) {
    this.lesson = lesson;
    lesson.addEventListener("stop", ({ detail }) => {
      if (this.phase !== null) this.send("stop", detail); // after ready, which sends the first
    });
  }

  receive(message) {
    if (!this.parent || message.source !== this.parent) return; // only the page that embeds us
    const command = parseCommand(message.data);
    if (command === null) return;
    if (!originAllowed(message.origin, this.allowed, this.own)) {
      console.warn(`backprop-viz: ignored a command from ${message.origin}, which is not an allowed origin`);
      return;
    }
    if (command.invalid) {
      this.send("error", { message: command.invalid });
      return;
    }
    this.queue = this.queue
      .then(() => this.started)
      .then(() => this.run(command))
      .catch((error) => this.send("error", { message: `${command.type}: ${error.message}` }));
  }

  async run(command) {
    const { session, store } = this;
    switch (command.type) {
      case "step": return this.visible ? session.step("step") : this.jump("step");
      case "next": return this.visible ? session.next("next") : this.jump("next");
      case "previous": return session.previous();
      case "play": if (!session.playing) session.play(); return true;
      case "pause": return session.pause();
      case "reset": return session.reset();
      case "run": if (!session.running) session.run(); return true;
      case "stop": return session.stopRun();
      case "getState": return this.send("state", { state: await encodeState(store.saved()) });
      case "setState": return this.setState(command.state);
      case "nextStop": return this.stops().next();
      case "previousStop": return this.stops().previous();
    }
  }

  stops() {
    if (!this.lesson) throw new Error("this embed plays no lesson (give it a lesson parameter)");
    return this.lesson;
  }

  /** Step or Next without animation, straight to where it ends. */
  async jump(kind) {
    const { session, store, player } = this;
    session.stopRun(); // the step goes on from the weights Run showed last
    if (player.busy || session.stepping) return false;
    if (!(await session.ensureNext(kind))) return false;
    do {
      if (session.guard?.(store.position + 1, kind)) break; // a quiz question comes first
      store.moveTo(store.position + 1);
    } while (kind === "step" && store.phase !== "update");
    player.show();
    this.changed("jump");
    return true;
  }

  async setState(code) {
    const opened = await openState(code, await this.limits.catch(() => null));
    if (opened.damaged) throw new Error("this state does not decode to a backprop-viz state");
    if (!opened.saved) throw new Error(`this state cannot be opened: ${opened.problem}`);
    this.session.pause();
    await this.session.idle();
    this.store.load(opened.saved);
    if (!this.store.losses.some((p) => p.step === this.store.step)) this.session.refreshLoss();
  }

  /** The embed has its start state: announce it, its size and its phase, then obey commands. */
  ready() {
    this.lastStep = this.store.snapshot().step;
    this.send("ready");
    new ResizeObserver(() => this.resized()).observe(this.root);
    this.resized();
    this.changed("ready");
    if (this.lesson && this.lesson.index !== null) this.send("stop", this.lesson.where());
    this.start();
  }

  resized() {
    const height = Math.ceil(this.root.getBoundingClientRect().height);
    if (height === this.height) return;
    this.height = height;
    this.send("resize", { height });
    this.post(canvasResize(height));
  }

  changed(reason) {
    if (reason === "ready" || this.phase !== null) this.announce(reason);
  }

  announce(reason) {
    const store = this.store;
    if (store.phase !== this.phase) {
      this.phase = store.phase;
      this.send("phase", { phase: store.phase });
    }
    if (reason === "load" || reason === "reset") this.lastStep = store.snapshot().step;
    if (reason === "message" && store.message?.kind === "error") this.send("error", { message: store.message.text });
    if (reason === "errors" && store.errors) {
      this.send("error", { message: store.errors.problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join("; ") });
    }
    // a step event once the network shows a new step count, drawn, and its loss is known:
    // at a step's update phase (again after going back before it), after Train or setState
    const now = store.snapshot();
    if (now.step < this.lastStep) this.lastStep = now.step; // went back: the step is undone on screen
    const shown = !this.player.busy && !this.session.stepping && !this.session.running;
    if (shown && (store.phase === "update" || store.position === 0) && now.step > this.lastStep) {
      const loss = store.losses.find((p) => p.step === now.step);
      if (loss) {
        this.lastStep = now.step;
        this.send("step", { step: now.step, loss: loss.loss });
      }
    }
  }
}
