// SessionRoom participant page (/join/{token}): consent, join, then the live session over the hub.
// Plain ES2020, no build step. Every write goes through a localStorage outbox first and leaves it
// only when the hub acknowledges it, so answers survive flaky networks and reloads; replays reuse
// the same clientEventId, which the server deduplicates. All text is rendered with textContent.
(() => {
  "use strict";

  const RECONNECT_DELAYS = [0, 1000, 2000, 5000, 10000, 10000, 30000];
  const RESTART_DELAYS = [1000, 2000, 5000, 10000, 15000, 30000];
  const MAX_TEXT = 4000;
  const IMAGE_URL = /\.(png|jpe?g|gif|webp|svg)([?#].*)?$/i;

  // Brooke (1986), System Usability Scale, standard wording.
  const SUS_STATEMENTS = [
    "I think that I would like to use this system frequently.",
    "I found the system unnecessarily complex.",
    "I thought the system was easy to use.",
    "I think that I would need the support of a technical person to be able to use this system.",
    "I found the various functions in this system were well integrated.",
    "I thought there was too much inconsistency in this system.",
    "I would imagine that most people would learn to use this system very quickly.",
    "I found the system very cumbersome to use.",
    "I felt very confident using the system.",
    "I needed to learn a lot of things before I could get going with this system.",
  ];
  const SUS_LABELS = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"];

  const KIND_LABELS = {
    question: "Question",
    poll: "Poll",
    rating: "Rating",
    task: "Task",
    stimulus: "Have a look",
    seq: "Quick rating",
    sus: "Questionnaire",
  };

  const CONNECTION_LABELS = {
    idle: "",
    connecting: "Connecting…",
    connected: "Connected",
    reconnecting: "Reconnecting…",
    offline: "Offline",
  };

  // ---------------------------------------------------------------- small helpers

  const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);
  const PROPERTIES = new Set(["checked", "disabled", "value", "maxLength", "rows", "type", "name", "id", "htmlFor"]);

  /** Builds an element. Strings among the children become text nodes (never parsed as HTML). */
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = String(value);
      else if (key === "class") node.className = value;
      else if (key === "testid") node.dataset.testid = value;
      else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
      else if (PROPERTIES.has(key)) node[key] = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined && child !== false) node.append(child);
    }
    return node;
  }

  /** An inline SVG icon from a fixed set of path data (no markup parsing). */
  function icon(name, className) {
    const paths = {
      check: "M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z",
      clock: "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 18a8 8 0 1 1 0-16 8 8 0 0 1 0 16zm.5-13H11v6l5.2 3.2.8-1.3-4.5-2.7z",
      chat: "M20 2H4a2 2 0 0 0-2 2v18l4-4h14a2 2 0 0 0 2-2V4a2 2 0 0 0-2-2zm0 14H5.2L4 17.2V4h16z",
      heart: "M12 21.4 10.6 20C5.4 15.4 2 12.3 2 8.5 2 5.4 4.4 3 7.5 3c1.7 0 3.4.8 4.5 2.1C13.1 3.8 14.8 3 16.5 3 19.6 3 22 5.4 22 8.5c0 3.8-3.4 6.9-8.6 11.5z",
      cloud: "M19.4 10A7.5 7.5 0 0 0 5.4 8 6 6 0 0 0 6 20h13a5 5 0 0 0 .4-10zM19 18H6a4 4 0 0 1-.4-8l1-.1.5-.9a5.5 5.5 0 0 1 10.3 1.5l.3 1.5H19a3 3 0 0 1 0 6z",
      open: "M14 3v2h3.6l-9.8 9.8 1.4 1.4L19 6.4V10h2V3zm5 16H5V5h7V3H5a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2v-7h-2z",
      flag: "M14.4 6 14 4H5v17h2v-7h5.6l.4 2h7V6z",
      help: "M11 18h2v-2h-2zm1-16a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 18a8 8 0 1 1 0-16 8 8 0 0 1 0 16zm0-14a4 4 0 0 0-4 4h2a2 2 0 1 1 4 0c0 2-3 1.75-3 5h2c0-2.25 3-2.5 3-5a4 4 0 0 0-4-4z",
    };
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "icon" + (className ? " " + className : ""));
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", paths[name] || "");
    svg.append(path);
    return svg;
  }

  function newId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    const bytes = new Uint8Array(16);
    if (window.crypto && typeof window.crypto.getRandomValues === "function") {
      window.crypto.getRandomValues(bytes);
    } else {
      for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /** A short, stable, non-secret key for this invite link (FNV-1a, twice with different seeds). */
  function linkKey(text) {
    const fnv = (seed) => {
      let h = seed >>> 0;
      for (let i = 0; i < text.length; i++) {
        h ^= text.charCodeAt(i);
        h = Math.imul(h, 0x01000193) >>> 0;
      }
      return h.toString(16).padStart(8, "0");
    };
    return fnv(0x811c9dc5) + fnv(0x050c5d1f);
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function shorten(text, max) {
    const clean = String(text || "").replace(/\s+/g, " ").trim();
    return clean.length <= max ? clean : clean.slice(0, max - 1) + "…";
  }

  function safeHttpUrl(raw) {
    try {
      const url = new URL(String(raw), location.href);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch {
      return null;
    }
  }

  // ---------------------------------------------------------------- the invite token and storage

  function readToken() {
    const match = /^\/join\/([^/]+)\/?$/.exec(location.pathname);
    if (!match) return "";
    try {
      return decodeURIComponent(match[1]).trim();
    } catch {
      return "";
    }
  }

  const token = readToken();
  const storagePrefix = `sessionroom:join:${linkKey(token)}:`;

  const store = {
    get(name, fallback) {
      try {
        const raw = window.localStorage.getItem(storagePrefix + name);
        return raw === null ? fallback : JSON.parse(raw);
      } catch {
        return fallback;
      }
    },
    set(name, value) {
      try {
        window.localStorage.setItem(storagePrefix + name, JSON.stringify(value));
      } catch {
        // Storage full or disabled (private mode): keep working from memory.
      }
    },
    clear() {
      try {
        for (const name of ["member", "seq", "outbox", "answers", "drafts", "session"]) {
          window.localStorage.removeItem(storagePrefix + name);
        }
      } catch {
        // Nothing to clear.
      }
    },
  };

  // ---------------------------------------------------------------- state

  let member = store.get("member", null);
  let lastSeen = Number(store.get("seq", 0)) || 0;
  /** @type {{id: string, method: string, args: any[], kind: string, promptId?: string, tag?: string, label?: string, at: number}[]} */
  let outbox = store.get("outbox", []);
  /** promptId -> {id, status: "pending"|"sent", summary, input} */
  let answers = store.get("answers", {});
  /** promptId -> draft value (text, or an array of choices / item scores, or a number) */
  let drafts = store.get("drafts", {});
  /** The last known session snapshot, so a reload while offline still shows the prompt. */
  let session = store.get("session", null);

  if (!Array.isArray(outbox)) outbox = [];
  if (!answers || typeof answers !== "object") answers = {};
  if (!drafts || typeof drafts !== "object") drafts = {};

  let connection = null;
  let connState = "idle";
  let everConnected = false;
  let starting = false;
  let restartTimer = 0;
  let restartAttempt = 0;
  let rejoinAttempts = 0;
  let flushing = false;
  let chain = Promise.resolve();
  let renderedKey = "";
  let focusedPromptId = null;
  let reactionsKey = "";
  let finished = false;
  const editing = new Set();

  const saveOutbox = () => store.set("outbox", outbox);
  const saveAnswers = () => store.set("answers", answers);
  const saveDrafts = () => store.set("drafts", drafts);
  const saveSeq = () => store.set("seq", lastSeen);
  const saveSession = () => store.set("session", session);

  const isConnected = () => connection !== null && connection.state === signalR.HubConnectionState.Connected;

  // ---------------------------------------------------------------- sections

  const sections = ["loading", "consent", "ended", "link-error", "observer", "stage"];

  function showSection(name) {
    for (const id of sections) {
      byTestId(id).hidden = id !== name;
    }
    byTestId("footer").hidden = name !== "consent" && name !== "stage";
    if (name !== "stage") {
      byTestId("reactions").hidden = true;
      byTestId("outbox-status").hidden = true;
    }
  }

  function focusHeading(section) {
    const heading = section.querySelector("h1");
    if (heading) heading.focus({ preventScroll: true });
  }

  function showLinkError() {
    showSection("link-error");
    byTestId("member-code").hidden = true;
    byTestId("session-title").textContent = "SessionRoom";
    byTestId("connection").hidden = true;
    byTestId("offline-banner").hidden = true;
    focusHeading(byTestId("link-error"));
  }

  function showMemberInHeader() {
    const me = byTestId("member-code");
    const code = member && member.code ? member.code : "";
    me.textContent = code ? `You are ${code}` : "";
    me.hidden = !code;
  }

  // ---------------------------------------------------------------- notices

  function showNotice(message) {
    byTestId("notice-text").textContent = message;
    byTestId("notice").hidden = false;
  }

  function hideNotice() {
    byTestId("notice").hidden = true;
    byTestId("notice-text").textContent = "";
  }

  // ---------------------------------------------------------------- consent and join

  function post(path, body) {
    return fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
  }

  const postJoin = (body) => post("/api/join", body);

  /** What the invite is for (study, session, consent text), without joining yet. */
  async function loadPreview() {
    let response = null;
    try {
      response = await post("/api/join/preview", { token });
    } catch {
      response = null;
    }
    if (response && (response.status === 401 || response.status === 400)) {
      showLinkError();
      return;
    }
    let preview = null;
    if (response && response.ok) {
      try {
        preview = await response.json();
      } catch {
        preview = null;
      }
    }
    // No preview (offline, or an older server): the default consent; /api/join still checks the link.
    showConsent(preview || {});
  }

  function showConsent(preview) {
    if (preview.sessionStatus === "ended") {
      showSection("ended");
      focusHeading(byTestId("ended"));
      return;
    }
    showSection("consent");
    const observer = preview.role === "observer";
    const studyName = typeof preview.studyName === "string" ? preview.studyName.trim() : "";
    const title = typeof preview.sessionTitle === "string" ? preview.sessionTitle.trim() : "";
    byTestId("session-title").textContent = title || "SessionRoom";
    if (title) document.title = `${title} – SessionRoom`;
    byTestId("study").hidden = !studyName && !title;
    byTestId("study-name").textContent = studyName;
    byTestId("study-name").hidden = !studyName;
    byTestId("consent-session-title").textContent = title;
    byTestId("consent-session-title").hidden = !title;
    if (observer) {
      byTestId("consent-heading").textContent = "You've been invited to observe a research session";
      byTestId("join").textContent = "Join as observer";
    }
    // Consent is the participants' step; observers only pick a name.
    byTestId("consent-block").hidden = observer;
    byTestId("agree-field").hidden = observer;
    const consent = typeof preview.consentText === "string" ? preview.consentText.trim() : "";
    if (consent) {
      const box = byTestId("consent-text");
      box.textContent = consent;
      box.classList.add("consent-custom");
    }
    const form = document.getElementById("join-form");
    form.addEventListener("submit", onJoinSubmit);
    byTestId("agree").addEventListener("change", () => {
      if (byTestId("agree").checked) {
        byTestId("agree-error").hidden = true;
        byTestId("agree").removeAttribute("aria-invalid");
      }
    });
    form.dataset.observer = String(observer);
    focusHeading(byTestId("consent"));
  }

  async function onJoinSubmit(event) {
    event.preventDefault();
    const button = byTestId("join");
    const nameInput = byTestId("display-name");
    const nameError = byTestId("display-name-error");
    const joinError = byTestId("join-error");
    if (button.disabled) return;

    const agree = byTestId("agree");
    if (document.getElementById("join-form").dataset.observer !== "true" && !agree.checked) {
      byTestId("agree-error").hidden = false;
      agree.setAttribute("aria-invalid", "true");
      agree.focus();
      return;
    }
    const label = button.textContent;
    const name = nameInput.value.trim();
    nameError.hidden = true;
    joinError.hidden = true;
    nameInput.removeAttribute("aria-invalid");
    button.disabled = true;
    button.textContent = "Joining…";

    const fail = (message, buttonText) => {
      joinError.textContent = message;
      joinError.hidden = false;
      button.disabled = false;
      button.textContent = buttonText;
    };

    let response;
    try {
      response = await postJoin(name ? { token, displayName: name } : { token });
    } catch {
      fail("We couldn't reach SessionRoom. Check your internet connection and try again.", "Try again");
      return;
    }

    if (response.status === 401 || response.status === 404) {
      showLinkError();
      return;
    }
    if (response.ok) {
      let joined = null;
      try {
        joined = await response.json();
      } catch {
        joined = null;
      }
      if (!joined || !joined.accessToken) {
        fail("Something went wrong while joining. Please try again.", "Try again");
        return;
      }
      member = joined;
      store.set("member", member);
      afterJoin();
      return;
    }
    if (response.status === 400) {
      let problem = null;
      try {
        problem = await response.json();
      } catch {
        problem = null;
      }
      const nameProblems = problem && problem.errors && problem.errors.displayName;
      if (Array.isArray(nameProblems) && nameProblems.length > 0) {
        nameError.textContent = String(nameProblems[0]);
        nameError.hidden = false;
        nameInput.setAttribute("aria-invalid", "true");
        button.disabled = false;
        button.textContent = label;
        nameInput.focus();
        return;
      }
      fail((problem && (problem.detail || problem.title)) || "That didn't work. Please try again.", "Try again");
      return;
    }
    fail("Something went wrong on our side. Please try again in a moment.", "Try again");
  }

  function afterJoin() {
    showMemberInHeader();
    if (member.role !== "participant") {
      showObserver();
      return;
    }
    showSection("stage");
    render();
    startHub();
  }

  function showObserver() {
    // The observer room (a server-rendered page on this origin) reads the access token from here.
    try {
      localStorage.setItem("sessionroom.observer." + member.sessionId, member.accessToken);
    } catch (e) {
      // Private mode without storage: the room will say to open the link again.
    }
    showSection("observer");
    byTestId("session-title").textContent = "SessionRoom";
    const code = member.code || "";
    byTestId("observer-heading").textContent = code ? `You joined as observer ${code}` : "You joined as an observer";
    const link = byTestId("observer-link");
    link.href = "/observe/" + encodeURIComponent(member.sessionId || "");
    focusHeading(byTestId("observer"));
    // Straight on to the observer room; the screen above stays as a fallback if navigation is blocked.
    window.location.assign(link.href);
  }

  // ---------------------------------------------------------------- connection

  function setConn(state) {
    connState = state;
    const pill = byTestId("connection");
    pill.hidden = state === "idle";
    pill.dataset.state = state;
    byTestId("connection-label").textContent = CONNECTION_LABELS[state] || "";

    const banner = byTestId("offline-banner");
    if (state === "offline") {
      banner.textContent = "Offline — answers are saved and sent when you're back.";
      banner.hidden = false;
    } else if (state === "reconnecting") {
      banner.textContent = "Reconnecting… answers are saved and sent when you're back.";
      banner.hidden = false;
    } else {
      banner.hidden = true;
      banner.textContent = "";
    }
    renderOutboxStatus();
    render();
  }

  function buildConnection() {
    const built = new signalR.HubConnectionBuilder()
      .withUrl("/hubs/session", { accessTokenFactory: () => (member ? member.accessToken : "") })
      // The RECONNECT_DELAYS schedule, except that a refused token (revoked invite) stops at once:
      // then start() fails with 401 and rejoin() finds out whether the link still works.
      .withAutomaticReconnect({
        nextRetryDelayInMilliseconds: (retry) =>
          retry.previousRetryCount >= RECONNECT_DELAYS.length || isUnauthorized(retry.retryReason)
            ? null
            : RECONNECT_DELAYS[retry.previousRetryCount],
      })
      .configureLogging(signalR.LogLevel.Warning)
      .build();
    built.on("Event", (sessionEvent) => enqueue(() => onPush(sessionEvent)));
    built.onreconnecting(() => setConn(navigator.onLine === false ? "offline" : "reconnecting"));
    built.onreconnected(() => {
      setConn("connected");
      resync();
    });
    built.onclose(() => {
      if (finished) {
        setConn("idle");
        return;
      }
      if (navigator.onLine === false) {
        setConn("offline");
        return;
      }
      setConn("reconnecting");
      scheduleStart();
    });
    return built;
  }

  function startHub() {
    if (typeof signalR === "undefined") {
      setConn("offline");
      showNotice("Part of this page did not load. Check your connection and reload the page.");
      return;
    }
    connection = buildConnection();
    window.addEventListener("offline", onOffline);
    window.addEventListener("online", onOnline);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") onOnline();
    });
    start();
  }

  async function start() {
    clearTimeout(restartTimer);
    restartTimer = 0;
    if (finished || starting || !connection || connection.state !== signalR.HubConnectionState.Disconnected) return;
    if (navigator.onLine === false) {
      setConn("offline");
      return;
    }
    starting = true;
    setConn(everConnected ? "reconnecting" : "connecting");
    let failure = null;
    try {
      await connection.start();
    } catch (err) {
      failure = err || new Error("start failed");
    }
    starting = false;
    if (failure === null) {
      everConnected = true;
      restartAttempt = 0;
      rejoinAttempts = 0;
      setConn("connected");
      resync();
      return;
    }
    if (isUnauthorized(failure)) {
      await rejoin();
      return;
    }
    if (connection.state === signalR.HubConnectionState.Disconnected) {
      if (navigator.onLine === false) setConn("offline");
      else scheduleStart();
    }
  }

  function scheduleStart() {
    if (finished || restartTimer || starting) return;
    if (navigator.onLine === false) {
      setConn("offline");
      return;
    }
    const base = RESTART_DELAYS[Math.min(restartAttempt, RESTART_DELAYS.length - 1)];
    restartAttempt++;
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    restartTimer = setTimeout(() => {
      restartTimer = 0;
      start();
    }, delay);
  }

  function isUnauthorized(err) {
    if (err && err.statusCode === 401) return true;
    return /\b401\b|Unauthorized/i.test(String((err && err.message) || err));
  }

  /** The access token was refused (revoked, or the server forgot it): exchange the invite token again. */
  async function rejoin() {
    rejoinAttempts++;
    let response;
    try {
      response = await postJoin({ token });
    } catch {
      scheduleStart();
      return;
    }
    if (response.status === 401 || response.status === 404) {
      // The invite was revoked: nothing here can be sent any more.
      finished = true;
      store.clear();
      if (connection) connection.stop().catch(() => {});
      showLinkError();
      return;
    }
    if (!response.ok) {
      scheduleStart();
      return;
    }
    try {
      member = await response.json();
    } catch {
      scheduleStart();
      return;
    }
    store.set("member", member);
    showMemberInHeader();
    if (rejoinAttempts > 2) scheduleStart();
    else start();
  }

  function onOffline() {
    if (finished) return;
    setConn("offline");
    if (connection && connection.state !== signalR.HubConnectionState.Disconnected) {
      // The socket may look open but carries nothing: close it; "online" opens a new one.
      connection.stop().catch(() => {});
    }
  }

  function onOnline() {
    if (finished || !connection || navigator.onLine === false) return;
    restartAttempt = 0;
    if (connection.state === signalR.HubConnectionState.Connected) {
      resync();
    } else if (connection.state === signalR.HubConnectionState.Disconnected) {
      start();
    } else if (connection.state === signalR.HubConnectionState.Reconnecting) {
      // Don't wait for the next back-off step: start over now.
      connection.stop().then(start, start);
    }
  }

  // ---------------------------------------------------------------- events

  /** Runs event handling one step at a time, in arrival order. */
  function enqueue(step) {
    chain = chain.then(step).catch(() => {});
    return chain;
  }

  function resync() {
    enqueue(sync).then(flush).then(finishIfEnded);
  }

  /** An ended session never starts again: once nothing is left to send, let the connection go. */
  function finishIfEnded() {
    if (finished || !session || session.status !== "ended" || outbox.length > 0 || flushing || !connection) return;
    finished = true;
    clearTimeout(restartTimer);
    restartTimer = 0;
    connection.stop().catch(() => {}).then(() => setConn("idle"));
  }

  function refusalOf(err) {
    const message = String((err && err.message) || "");
    const marker = "HubException: ";
    const at = message.indexOf(marker);
    return at >= 0 ? message.slice(at + marker.length).trim() : null;
  }

  const isRateLimited = (refusal) => /^Too many calls/i.test(refusal || "");

  async function sync() {
    if (!isConnected()) return;
    let state;
    let events;
    try {
      state = await connection.invoke("GetState");
      events = await connection.invoke("GetEventsSince", lastSeen);
    } catch (err) {
      const refusal = refusalOf(err);
      if (refusal !== null) {
        if (isRateLimited(refusal)) setTimeout(resync, 1500);
        else showNotice(refusal);
      }
      return;
    }
    session = state.session;
    if (session && Array.isArray(session.prompts)) session.prompts.forEach(forget);
    // The snapshot already reflects everything up to state.lastSeq; apply only what came after.
    for (const sessionEvent of sortBySeq(events)) {
      if (sessionEvent.seq <= lastSeen) continue;
      if (sessionEvent.seq > state.lastSeq) apply(sessionEvent);
      lastSeen = sessionEvent.seq;
    }
    if (state.lastSeq > lastSeen) lastSeen = state.lastSeq;
    saveSeq();
    saveSession();
    render();
  }

  /** Success criteria are the facilitator's unless they chose to show them: otherwise not kept on this device. */
  const forget = (prompt) => {
    if (prompt && prompt.showCriteria !== true) delete prompt.successCriteria;
  };

  const sortBySeq = (events) => (Array.isArray(events) ? events.slice().sort((a, b) => a.seq - b.seq) : []);

  async function onPush(sessionEvent) {
    if (!session || !sessionEvent || sessionEvent.seq <= lastSeen) return;
    if (sessionEvent.seq > lastSeen + 1) {
      // Something was skipped (or it was another audience's event): ask for what we missed.
      try {
        const missed = await connection.invoke("GetEventsSince", lastSeen);
        for (const e of sortBySeq(missed)) {
          if (e.seq <= lastSeen) continue;
          apply(e);
          lastSeen = e.seq;
        }
      } catch {
        // Catch-up failed: the reconnect or a later resync will fill the gap. Don't skip over it.
        setTimeout(() => {
          if (isConnected()) resync();
        }, 2000);
        return;
      }
      if (sessionEvent.seq > lastSeen) {
        apply(sessionEvent);
        lastSeen = sessionEvent.seq;
      }
    } else {
      apply(sessionEvent);
      lastSeen = sessionEvent.seq;
    }
    saveSeq();
    saveSession();
    render();
    if (session.status === "ended") flush().then(finishIfEnded);
  }

  function apply(sessionEvent) {
    if (!session) return;
    switch (sessionEvent.type) {
      case "session-started":
        session.status = "live";
        break;
      case "session-ended":
        session.status = "ended";
        break;
      case "prompt-shown": {
        const prompt = sessionEvent.data && sessionEvent.data.prompt;
        if (prompt && prompt.id) {
          forget(prompt);
          const prompts = Array.isArray(session.prompts) ? session.prompts : [];
          const index = prompts.findIndex((p) => p.id === prompt.id);
          if (index >= 0) prompts[index] = prompt;
          else prompts.push(prompt);
          session.prompts = prompts;
          session.currentPromptId = prompt.id;
        } else if (sessionEvent.promptId) {
          session.currentPromptId = sessionEvent.promptId;
        }
        if (session.status === "draft") session.status = "live";
        break;
      }
      default:
        // Reactions of others and anything new: nothing to show on this page.
        break;
    }
  }

  // ---------------------------------------------------------------- outbox

  function enqueueWrite(item) {
    outbox.push(item);
    saveOutbox();
    renderOutboxStatus();
    flush();
  }

  async function flush() {
    if (flushing) return;
    flushing = true;
    try {
      while (outbox.length > 0 && isConnected()) {
        const item = outbox[0];
        let ack = null;
        let refusal = null;
        try {
          ack = await connection.invoke(item.method, item.id, ...item.args);
        } catch (err) {
          refusal = refusalOf(err);
          if (refusal === null) break; // Network trouble: keep it, try again after reconnecting.
          if (isRateLimited(refusal)) {
            await sleep(1100);
            continue;
          }
        }
        outbox = outbox.filter((o) => o.id !== item.id);
        saveOutbox();
        if (refusal === null) onAck(item, ack);
        else onRefused(item, refusal);
      }
    } finally {
      flushing = false;
      renderOutboxStatus();
      if (session && session.status === "ended") finishIfEnded();
    }
  }

  function onAck(item) {
    if (item.kind === "answer" && item.promptId) {
      const answer = answers[item.promptId];
      if (answer && answer.id === item.id) {
        answer.status = "sent";
        saveAnswers();
      }
    }
    render();
  }

  function onRefused(item, refusal) {
    if (item.kind === "answer" && item.promptId) {
      const answer = answers[item.promptId];
      if (answer && answer.id === item.id) {
        // Give the words back to the person so nothing typed is lost.
        if (answer.draft !== undefined) drafts[item.promptId] = answer.draft;
        delete answers[item.promptId];
        saveAnswers();
        saveDrafts();
      }
      showNotice(`Your answer${item.label ? ` to “${item.label}”` : ""} was not sent: ${refusal}`);
    } else if (item.kind === "reaction") {
      showNotice(`Your reaction “${item.tag}” was not sent: ${refusal}`);
    } else {
      showNotice(refusal);
    }
    render();
  }

  function renderOutboxStatus() {
    const status = byTestId("outbox-status");
    const count = outbox.length;
    status.dataset.count = String(count);
    if (count === 0 || byTestId("stage").hidden) {
      status.hidden = true;
      status.replaceChildren();
      return;
    }
    const answerCount = outbox.filter((o) => o.kind === "answer").length;
    const reactionCount = count - answerCount;
    const parts = [];
    if (answerCount > 0) parts.push(`${answerCount} ${answerCount === 1 ? "answer" : "answers"}`);
    if (reactionCount > 0) parts.push(`${reactionCount} ${reactionCount === 1 ? "reaction" : "reactions"}`);
    const what = parts.join(" and ");
    const text = isConnected() ? `Sending ${what}…` : `${what.charAt(0).toUpperCase()}${what.slice(1)} waiting to be sent`;
    status.replaceChildren(icon("cloud"), el("span", { text }));
    status.hidden = false;
  }

  // ---------------------------------------------------------------- rendering

  function currentPrompt() {
    if (!session || !session.currentPromptId || !Array.isArray(session.prompts)) return null;
    return session.prompts.find((p) => p.id === session.currentPromptId) || null;
  }

  function render() {
    if (!member || member.role !== "participant") return;
    const stage = byTestId("stage");
    if (stage.hidden) return;

    const title = session && session.title ? session.title : "Research session";
    byTestId("session-title").textContent = title;
    document.title = `${title} – SessionRoom`;

    const prompt = session && session.status === "live" ? currentPrompt() : null;
    const answer = prompt ? answers[prompt.id] : null;
    const form = prompt && (!answer || editing.has(prompt.id));
    const key = [
      session ? session.status : "none",
      prompt ? promptKey(prompt) : "",
      form ? "form" : answer ? answer.status + answer.id + (answer.status === "pending" ? connState : "") : "",
    ].join("|");

    if (key !== renderedKey) {
      renderedKey = key;
      // Keep someone who is typing where they were if the card has to be drawn again.
      const active = document.activeElement;
      const typing = prompt && active && active.dataset && active.dataset.testid === "answer-text" && stage.contains(active)
        ? { start: active.selectionStart, end: active.selectionEnd }
        : null;
      stage.replaceChildren(prompt ? promptCard(prompt) : statusCard());
      if (typing) {
        const area = byTestId("answer-text");
        if (area) {
          area.focus({ preventScroll: true });
          area.setSelectionRange(typing.start, typing.end);
        }
      }
      if (!prompt) {
        // Focus stays where it is; screen readers hear the new state from the live region.
        const heading = stage.querySelector("h1");
        byTestId("announcer").textContent = heading ? heading.textContent : "";
      }
      if (prompt && focusedPromptId !== prompt.id) {
        focusedPromptId = prompt.id;
        const heading = stage.querySelector("h1");
        if (heading) {
          heading.focus({ preventScroll: true });
          window.scrollTo({ top: 0, behavior: "smooth" });
        }
      }
    }
    renderReactions();
    renderOutboxStatus();
  }

  /** What the card shows of a prompt; a redraw happens only when this changes. */
  const promptKey = (p) => JSON.stringify([p.id, p.kind, p.text, p.options || null, p.multiple === true, p.scaleMax || null, p.url || null]);

  function statusCard() {
    let iconName = "clock";
    let heading;
    let text;
    let status = session ? session.status : "connecting";
    if (!session) {
      heading = "Connecting to the session…";
      text = "This takes a moment. Keep this page open.";
    } else if (session.status === "draft") {
      heading = "Waiting for the session to start";
      text = "Keep this page open. Questions appear here as soon as the facilitator starts.";
    } else if (session.status === "ended") {
      iconName = "heart";
      heading = "Thank you! The session has ended.";
      text = "Your answers have been recorded. You can close this page now.";
    } else {
      iconName = "chat";
      status = "live-waiting";
      heading = "The facilitator will show the first question soon";
      text = "Keep this page open. New questions appear here by themselves.";
      if (session.currentPromptId) heading = "The facilitator will show the next question soon";
    }
    return el("section", { class: "card card-center status-card", testid: "status", "data-status": status },
      el("div", { class: `big-icon${status === "ended" ? " big-icon-done" : ""}` }, icon(iconName)),
      el("h1", { tabindex: "-1", testid: "status-heading", text: heading }),
      el("p", { class: "lead", text }),
      !session || session.status === "draft" ? el("div", { class: "dots", "aria-hidden": "true" }, el("span"), el("span"), el("span")) : null);
  }

  function promptCard(prompt) {
    const answer = answers[prompt.id];
    const showForm = !answer || editing.has(prompt.id);
    const card = el("article", {
      class: `card prompt prompt-${prompt.kind}`,
      testid: "prompt",
      "data-kind": prompt.kind,
      "data-prompt-id": prompt.id,
      "aria-labelledby": "prompt-heading",
    });
    card.append(
      el("p", { class: "eyebrow", testid: "prompt-kind", text: KIND_LABELS[prompt.kind] || "Question" }),
      el("h1", { id: "prompt-heading", class: "prompt-text", tabindex: "-1", testid: "prompt-text", text: prompt.text }));

    const stimulus = prompt.kind === "stimulus" && stimulusView(prompt);
    if (stimulus) card.append(stimulus);
    if (prompt.kind === "task") {
      // Success criteria only when the facilitator chose to show them (the server sends them only then).
      const criteria = prompt.showCriteria === true && typeof prompt.successCriteria === "string" && prompt.successCriteria;
      card.append(...[
        criteria ? el("div", { class: "task-criteria", testid: "task-criteria" },
          el("p", { class: "eyebrow", text: "You're done when" }), el("p", { text: criteria })) : null,
        el("div", { class: "task-hint", testid: "task-hint" },
          icon("flag"),
          el("p", {}, el("strong", { text: "Take your time and think aloud if you can." }),
            " Tap “I'm done” when you have finished, or “I'm stuck” if you can't go on.")),
        answer ? statusBox(prompt, answer) : null,
        taskActions(prompt, answer),
        answerForm(prompt)].filter(Boolean));
      return card;
    }
    card.append(showForm ? answerForm(prompt) : sentView(prompt, answer));
    return card;
  }

  const TASK_SIGNALS = [
    { what: "done", text: "I'm done", icon: "check", cls: "btn-primary" },
    { what: "stuck", text: "I'm stuck", icon: "help", cls: "btn-secondary" },
  ];

  /** "I'm done" and "I'm stuck": ordinary answers with that text, through the outbox. */
  function taskActions(prompt, answer) {
    return el("div", { class: "task-actions", role: "group", "aria-label": "Tell the facilitator" },
      TASK_SIGNALS.map((signal) => el("button", {
        type: "button",
        class: `btn ${signal.cls}`,
        testid: `task-${signal.what}`,
        "aria-pressed": String(!!answer && answer.task === signal.what),
        onclick: () => {
          const last = answers[prompt.id];
          if (last && last.task === signal.what && last.status === "pending") return;
          submitAnswer(prompt, { text: signal.text }, signal.text, undefined, { task: signal.what });
        },
      }, icon(signal.icon), signal.text)));
  }

  function stimulusView(prompt) {
    const url = safeHttpUrl(prompt.url);
    if (!url) return null;
    const link = el("a", {
      class: "btn btn-secondary stimulus-link",
      href: url,
      target: "_blank",
      rel: "noopener noreferrer",
      testid: "stimulus-link",
    }, icon("open"), IMAGE_URL.test(new URL(url).pathname) ? "Open full size" : "Open the stimulus", el("span", { class: "sr-only", text: " (opens in a new tab)" }));
    if (!IMAGE_URL.test(new URL(url).pathname)) {
      return el("div", { class: "stimulus" }, link, el("p", { class: "hint", text: "Opens in a new tab. Come back here to answer." }));
    }
    const image = el("img", {
      class: "stimulus-image",
      src: url,
      alt: `Image to look at: ${shorten(prompt.text, 120)}`,
      testid: "stimulus-image",
      referrerpolicy: "no-referrer",
      decoding: "async",
    });
    image.addEventListener("error", () => image.replaceWith(el("p", { class: "hint", text: "The image could not be loaded here; use the link below." })));
    return el("div", { class: "stimulus" }, el("figure", { class: "stimulus-figure" }, image), link);
  }

  const TASK_SENT = {
    done: ["Thanks — the facilitator knows you're done", "Wait for the next step."],
    stuck: ["The facilitator knows you're stuck", "They will help you. Keep trying if you like."],
  };

  function statusBox(prompt, answer) {
    const sent = answer.status === "sent";
    const task = sent && TASK_SENT[answer.task];
    const heading = task ? task[0]
      : sent ? (prompt.kind === "task" ? "Thanks — your comment was sent" : "Thanks — your answer was sent")
      : isConnected() ? "Sending…" : "Saved on this device";
    const detail = task ? task[1]
      : sent ? (prompt.kind === "task" ? "" : "You can change it if you like.")
      : isConnected() ? "One moment." : "It will be sent automatically when you're back online.";
    const box = el("div", {
      class: `sent ${sent ? "sent-ok" : "sent-pending"}`,
      testid: sent ? "answer-sent" : "answer-pending",
      tabindex: "-1",
    },
    el("div", { class: "sent-icon" }, icon(sent ? "check" : "cloud")),
    el("div", { class: "sent-body" },
      el("p", { class: "sent-title", text: heading }),
      answer.summary && !task ? el("p", { class: "sent-summary", testid: "answer-summary" }, el("span", { class: "muted", text: "You sent: " }), answer.summary) : null,
      detail ? el("p", { class: "muted small", text: detail }) : null));
    // Announce the confirmation and keep keyboard users on it.
    setTimeout(() => {
      if (document.activeElement === document.body || document.activeElement === null || !document.contains(document.activeElement)) box.focus({ preventScroll: true });
    }, 0);
    return box;
  }

  function sentView(prompt, answer) {
    const box = statusBox(prompt, answer);
    const change = el("button", {
      type: "button",
      class: "btn btn-secondary",
      testid: "change-answer",
      text: "Change answer",
      onclick: () => {
        if (drafts[prompt.id] === undefined && answer.draft !== undefined) drafts[prompt.id] = answer.draft;
        editing.add(prompt.id);
        renderedKey = "";
        render();
        const first = byTestId("stage").querySelector("textarea, input:checked, input");
        if (first) first.focus();
      },
    });
    return el("div", { class: "sent-wrap" }, box, change);
  }

  // ---------------------------------------------------------------- answer forms

  function answerForm(prompt) {
    const parts = formParts(prompt);
    const task = prompt.kind === "task";
    const send = el("button", { type: "submit", class: `btn ${task ? "btn-secondary" : "btn-primary"} btn-block`, testid: "send-answer", text: task ? "Send comment" : "Send" });
    const form = el("form", { class: `answer-form stack${task ? " task-comment" : ""}`, testid: "answer-form", novalidate: true });
    const update = () => {
      const ready = parts.read() !== null;
      send.disabled = !ready;
      send.setAttribute("aria-disabled", String(!ready));
      if (parts.progress) parts.progress();
    };
    form.addEventListener("input", () => {
      drafts[prompt.id] = parts.draft();
      saveDrafts();
      update();
    });
    form.addEventListener("change", update);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const input = parts.read();
      if (input === null) return;
      submitAnswer(prompt, input, parts.summary(), parts.draft());
    });
    const actions = el("div", { class: "form-actions" }, send);
    if (editing.has(prompt.id) && answers[prompt.id]) {
      actions.append(el("button", {
        type: "button",
        class: "btn btn-link",
        testid: "cancel-change",
        text: "Keep my earlier answer",
        onclick: () => {
          editing.delete(prompt.id);
          renderedKey = "";
          render();
        },
      }));
    }
    form.append(parts.node, actions);
    update();
    return form;
  }

  function formParts(prompt) {
    switch (prompt.kind) {
      case "poll":
        return pollParts(prompt);
      case "rating":
        return scaleParts(prompt, Math.max(2, Math.min(10, Number(prompt.scaleMax) || 10)), "Lowest", "Highest");
      case "seq":
        return scaleParts(prompt, 7, "Very difficult", "Very easy");
      case "sus":
        return susParts(prompt);
      default:
        return textParts(prompt);
    }
  }

  function textParts(prompt) {
    const label = prompt.kind === "task"
      ? ["Anything to add? ", el("span", { class: "optional", text: "(optional)" })]
      : prompt.kind === "stimulus" ? "What do you think?" : "Your answer";
    const draft = typeof drafts[prompt.id] === "string" ? drafts[prompt.id] : "";
    const area = el("textarea", {
      id: "answer-text",
      class: "textarea",
      rows: prompt.kind === "task" ? 3 : 5,
      maxLength: MAX_TEXT,
      testid: "answer-text",
      value: draft,
      placeholder: prompt.kind === "task" ? "Optional notes for the facilitator" : "Type your answer here",
    });
    const counter = el("p", { class: "hint counter", testid: "answer-counter", "aria-live": "polite" });
    const updateCounter = () => {
      const left = MAX_TEXT - area.value.length;
      counter.textContent = left < 500 ? `${left} characters left` : "";
    };
    area.addEventListener("input", updateCounter);
    updateCounter();
    return {
      node: el("div", { class: "field" }, el("label", { htmlFor: "answer-text" }, label), area, counter),
      read: () => (area.value.trim() ? { text: area.value.trim() } : null),
      draft: () => area.value,
      summary: () => `“${shorten(area.value, 160)}”`,
    };
  }

  function pollParts(prompt) {
    const options = Array.isArray(prompt.options) ? prompt.options : [];
    const multiple = prompt.multiple === true;
    const draft = Array.isArray(drafts[prompt.id]) ? drafts[prompt.id] : [];
    const inputs = options.map((option, index) => el("input", {
      type: multiple ? "checkbox" : "radio",
      name: "poll-choice",
      value: String(index),
      checked: draft.includes(index),
      testid: "poll-input",
    }));
    const list = el("div", { class: "choices" }, options.map((option, index) =>
      el("label", { class: "choice", testid: "poll-option", "data-index": String(index) }, inputs[index], el("span", { class: "choice-text", text: option }))));
    const chosen = () => inputs.filter((i) => i.checked).map((i) => Number(i.value));
    return {
      node: el("fieldset", { class: "fieldset" },
        el("legend", { class: "legend", text: multiple ? "Choose all that apply" : "Choose one" }), list),
      read: () => (chosen().length > 0 ? { choices: chosen() } : null),
      draft: chosen,
      summary: () => chosen().map((i) => options[i]).join(", "),
    };
  }

  function scaleParts(prompt, max, lowLabel, highLabel) {
    const draft = Number.isInteger(drafts[prompt.id]) ? drafts[prompt.id] : null;
    const isSeq = prompt.kind === "seq";
    const inputs = [];
    const buttons = [];
    for (let n = 1; n <= max; n++) {
      const input = el("input", {
        type: "radio",
        name: "scale",
        value: String(n),
        class: "sr-input",
        checked: draft === n,
        "aria-label": n === 1 ? `1, ${lowLabel.toLowerCase()}` : n === max ? `${max}, ${highLabel.toLowerCase()}` : String(n),
      });
      inputs.push(input);
      buttons.push(el("label", { class: "scale-btn", testid: isSeq ? "seq-option" : "rating-option", "data-value": String(n) },
        input, el("span", { class: "scale-face", "aria-hidden": "true", text: String(n) })));
    }
    const columns = max <= 7 ? max : Math.ceil(max / 2);
    const grid = el("div", { class: "scale", testid: "scale" }, buttons);
    grid.style.gridTemplateColumns = `repeat(${columns}, minmax(0, 1fr))`;
    const value = () => {
      const checked = inputs.find((i) => i.checked);
      return checked ? Number(checked.value) : null;
    };
    return {
      node: el("fieldset", { class: "fieldset" },
        el("legend", { class: "legend", text: `Pick a number from 1 (${lowLabel.toLowerCase()}) to ${max} (${highLabel.toLowerCase()})` }),
        grid,
        el("div", { class: "scale-ends", "aria-hidden": "true" },
          el("span", { text: `1 · ${lowLabel}` }), el("span", { text: `${highLabel} · ${max}` }))),
      read: () => (value() !== null ? { rating: value() } : null),
      draft: value,
      summary: () => `${value()} of ${max}${value() === 1 ? ` (${lowLabel.toLowerCase()})` : value() === max ? ` (${highLabel.toLowerCase()})` : ""}`,
    };
  }

  function susParts(prompt) {
    const draft = Array.isArray(drafts[prompt.id]) && drafts[prompt.id].length === 10 ? drafts[prompt.id] : new Array(10).fill(null);
    const groups = SUS_STATEMENTS.map((statement, index) => {
      const inputs = [];
      const buttons = SUS_LABELS.map((label, k) => {
        const score = k + 1;
        const input = el("input", {
          type: "radio",
          name: `sus-${index}`,
          value: String(score),
          class: "sr-input",
          checked: draft[index] === score,
          "aria-label": `${score}, ${label.toLowerCase()}`,
        });
        inputs.push(input);
        return el("label", { class: "scale-btn", testid: "sus-option", "data-item": String(index), "data-value": String(score), title: label },
          input, el("span", { class: "scale-face", "aria-hidden": "true", text: String(score) }));
      });
      const grid = el("div", { class: "scale scale-5" }, buttons);
      const value = () => {
        const checked = inputs.find((i) => i.checked);
        return checked ? Number(checked.value) : null;
      };
      const node = el("fieldset", { class: "fieldset sus-item", testid: "sus-item", "data-item": String(index) },
        el("legend", { class: "sus-statement" }, el("span", { class: "sus-number", text: `${index + 1}` }), el("span", { text: statement })),
        grid,
        el("div", { class: "scale-ends", "aria-hidden": "true" }, el("span", { text: "Strongly disagree" }), el("span", { text: "Strongly agree" })));
      return { node, value };
    });
    const values = () => groups.map((g) => g.value());
    const progress = el("p", { class: "sus-progress", testid: "sus-progress", "aria-live": "polite" });
    const updateProgress = () => {
      const done = values().filter((v) => v !== null).length;
      progress.textContent = done === 10 ? "All ten answered. Ready to send." : `${done} of 10 answered`;
      progress.classList.toggle("done", done === 10);
    };
    updateProgress();
    return {
      node: el("div", { class: "sus" },
        el("p", { class: "hint sus-intro", text: "For each statement, pick how much you agree, from 1 (strongly disagree) to 5 (strongly agree). Go with your first reaction." }),
        groups.map((g) => g.node),
        progress),
      read: () => (values().every((v) => v !== null) ? { items: values() } : null),
      draft: values,
      summary: () => "All ten statements answered",
      progress: updateProgress,
    };
  }

  function submitAnswer(prompt, input, summary, draft, extra) {
    hideNotice();
    const id = newId();
    answers[prompt.id] = { id, status: "pending", summary, draft, ...extra };
    saveAnswers();
    if (draft !== undefined) {
      // A task's "I'm done" leaves a comment being typed where it is.
      delete drafts[prompt.id];
      saveDrafts();
    }
    editing.delete(prompt.id);
    renderedKey = "";
    // Stored before it is sent: it leaves the outbox only with the server's Ack.
    enqueueWrite({ id, method: "Answer", args: [prompt.id, input], kind: "answer", promptId: prompt.id, label: shorten(prompt.text, 60), at: Date.now() });
    render();
    const box = byTestId("answer-sent") || byTestId("answer-pending");
    if (box) box.focus({ preventScroll: true });
  }

  // ---------------------------------------------------------------- reactions

  function renderReactions() {
    const section = byTestId("reactions");
    const tags = session && session.status === "live" && Array.isArray(session.tags) ? session.tags : [];
    if (tags.length === 0) {
      section.hidden = true;
      reactionsKey = "";
      return;
    }
    section.hidden = false;
    const key = JSON.stringify(tags);
    if (key === reactionsKey) return;
    reactionsKey = key;
    byTestId("reaction-row").replaceChildren(...tags.map((tag) => el("button", {
      type: "button",
      class: "reaction",
      testid: "reaction",
      "data-tag": tag,
      text: tag,
      onclick: (event) => react(event.currentTarget, tag),
    })));
  }

  function react(button, tag) {
    if (button.classList.contains("reacted")) return;
    enqueueWrite({ id: newId(), method: "React", args: [tag], kind: "reaction", tag, at: Date.now() });
    button.classList.add("reacted");
    button.setAttribute("aria-label", `${tag}, sent`);
    setTimeout(() => {
      button.classList.remove("reacted");
      button.removeAttribute("aria-label");
    }, 1200);
  }

  // ---------------------------------------------------------------- start

  function main() {
    byTestId("notice-dismiss").addEventListener("click", hideNotice);
    if (!token) {
      showLinkError();
      return;
    }
    if (member && member.accessToken && member.role) {
      afterJoin();
    } else {
      loadPreview();
    }
  }

  // A small hook for tests and support: never exposes the access token.
  window.sessionRoomParticipant = Object.freeze({
    disconnect: () => (connection ? connection.stop() : Promise.resolve()),
    connect: () => start(),
    status: () => ({ connection: connState, lastSeen, outbox: outbox.length, status: session ? session.status : null }),
  });

  main();
})();
