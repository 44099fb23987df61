/*
 * Virtual Secretary staff dashboard: plain JavaScript, no build step.
 *
 * The page carries its configuration as JSON (#dashboard-config). Data comes
 * from the REST API with the session cookie and the CSRF token; changes
 * arrive over /ws/notifications/ as {type, data} events. Every time the
 * socket (re)opens, the lists are fetched again, so nothing that happened
 * while it was down is missed. Times are read from the API's ISO strings,
 * which carry the company's offset, so the timeline shows the company's
 * wall clock whatever the browser's zone is.
 */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("dashboard-config").textContent);
  const text = config.strings;
  const TIMELINE_STATUSES = new Set(["pending", "confirmed", "completed", "no_show"]);
  const RETRY_FIRST_MS = 500;
  const RETRY_MAX_MS = 5000;
  const NOTIFICATIONS_SHOWN = 30;
  const UNAUTHENTICATED = 4401;

  const state = {
    appointments: new Map(),
    notifications: [],
    unread: 0,
    retries: 0,
    loadedAt: Date.now(),
  };
  const dayKeys = config.days.map((day) => day.date);

  // --- REST API -----------------------------------------------------------

  async function api(path, options) {
    const method = (options && options.method) || "GET";
    const headers = { Accept: "application/json", "Accept-Language": config.language };
    if (method !== "GET") {
      headers["Content-Type"] = "application/json";
      headers["X-CSRFToken"] = config.csrfToken;
    }
    const response = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: options && options.body ? JSON.stringify(options.body) : undefined,
    });
    if (response.status === 401) goToLogin();
    if (response.status === 204) return null;
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      const error = new Error((body && body.detail) || text.failed);
      error.status = response.status;
      throw error;
    }
    return body;
  }

  async function everyPage(path) {
    const results = [];
    let next = path;
    while (next) {
      const page = await api(next);
      results.push(...page.results);
      next = page.next;
    }
    return results;
  }

  function query(params) {
    return new URLSearchParams({ company: config.company.id, page_size: 200, ...params });
  }

  // --- State --------------------------------------------------------------

  function upsert(appointment) {
    const known = state.appointments.get(appointment.id);
    if (known && Date.parse(known.updated_at) > Date.parse(appointment.updated_at)) {
      return false;
    }
    state.appointments.set(appointment.id, appointment);
    return true;
  }

  async function resync() {
    const last = dayKeys[dayKeys.length - 1];
    const [shown, pending, notifications, unread] = await Promise.all([
      everyPage(`${config.api.appointments}?${query({ date_from: config.today, date_to: last })}`),
      everyPage(`${config.api.appointments}?${query({ date_from: config.today, status: "pending" })}`),
      api(`${config.api.notifications}?page_size=${NOTIFICATIONS_SHOWN}`),
      api(`${config.api.notifications}?unread=true&page_size=1`),
    ]);
    const fresh = new Map();
    for (const appointment of [...shown, ...pending]) fresh.set(appointment.id, appointment);
    // An event that arrived while the lists were loading may be newer than
    // what the lists say; keep whichever changed last.
    for (const [id, appointment] of fresh) {
      const known = state.appointments.get(id);
      if (known && Date.parse(known.updated_at) > Date.parse(appointment.updated_at)) {
        fresh.set(id, known);
      }
    }
    state.appointments = fresh;
    state.notifications = notifications.results;
    state.unread = unread.count;
    renderAppointments();
    renderNotifications();
  }

  // --- Rendering ----------------------------------------------------------

  function element(tag, className, content) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  }

  function wallClock(iso) {
    return { date: iso.slice(0, 10), minute: Number(iso.slice(11, 13)) * 60 + Number(iso.slice(14, 16)) };
  }

  function rowFor(dayNode, appointment) {
    let row = dayNode.querySelector(`.row[data-actor="${appointment.actor}"]`);
    if (row) return row;
    // An actor the page did not know when it loaded (added since).
    row = element("div", "row");
    row.dataset.actor = appointment.actor;
    row.append(element("span", "row-name", appointment.actor_name), element("div", "track"));
    dayNode.querySelector(".day-grid").append(row);
    return row;
  }

  function renderAppointments() {
    for (const day of config.days) {
      const dayNode = document.querySelector(`.day[data-date="${day.date}"]`);
      dayNode.querySelectorAll(".appt").forEach((node) => node.remove());
      const span = day.end - day.start;
      dayNode.style.setProperty("--hour-width", `${(60 / span) * 100}%`);
      const appointments = [...state.appointments.values()]
        .filter((a) => TIMELINE_STATUSES.has(a.status) && wallClock(a.start).date === day.date)
        .sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
      for (const appointment of appointments) {
        const start = wallClock(appointment.start);
        const end = wallClock(appointment.end);
        const endMinute = end.date === day.date ? end.minute : 24 * 60;
        const from = Math.max(start.minute, day.start);
        const to = Math.min(Math.max(endMinute, from + 1), day.end);
        const block = element("div", `appt status-${appointment.status}`);
        block.dataset.id = appointment.id;
        block.dataset.status = appointment.status;
        block.style.left = `${((from - day.start) / span) * 100}%`;
        block.style.width = `${(Math.max(to - from, 10) / span) * 100}%`;
        const actor = config.actors.find((a) => a.id === appointment.actor);
        if (actor) block.style.setProperty("--actor-color", actor.color);
        const time = appointment.start.slice(11, 16);
        block.title = `${time}–${appointment.end.slice(11, 16)} ${appointment.customer_name} · ` +
          `${appointment.service_name} (${config.statuses[appointment.status]})`;
        block.append(
          element("span", "appt-time", `${time} `),
          element("span", "appt-customer", appointment.customer_name),
          element("span", "appt-service", appointment.service_name),
        );
        if (state.arrived && state.arrived.has(appointment.id)) block.classList.add("is-new");
        rowFor(dayNode, appointment).querySelector(".track").append(block);
      }
    }
    renderNowLine();
    renderPending();
  }

  function renderNowLine() {
    const today = config.days.find((day) => day.date === config.today);
    if (!today) return;
    const dayNode = document.querySelector(`.day[data-date="${today.date}"]`);
    dayNode.querySelectorAll(".now-line").forEach((node) => node.remove());
    const minute = config.nowMinute + (Date.now() - state.loadedAt) / 60000;
    if (minute < today.start || minute > today.end) return;
    const left = `${((minute - today.start) / (today.end - today.start)) * 100}%`;
    dayNode.querySelectorAll(".track").forEach((track) => {
      const line = element("div", "now-line");
      line.style.left = left;
      track.append(line);
    });
  }

  const whenFormat = new Intl.DateTimeFormat(config.language, {
    weekday: "short",
    day: "2-digit",
    month: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    timeZone: config.company.timezone,
  });

  function renderPending() {
    const list = document.getElementById("pending-list");
    const pending = [...state.appointments.values()]
      .filter((a) => a.status === "pending" && wallClock(a.start).date >= config.today)
      .sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
    document.getElementById("pending-count").textContent = pending.length;
    list.replaceChildren();
    if (!pending.length) {
      list.append(element("li", "empty", text.noPending));
      return;
    }
    for (const appointment of pending) {
      const item = element("li");
      item.dataset.id = appointment.id;
      item.append(
        element("div", "pending-when", whenFormat.format(new Date(appointment.start))),
        element(
          "div",
          "pending-what",
          `${appointment.customer_name} · ${appointment.service_name} · ${appointment.actor_name}`,
        ),
      );
      const actions = element("div", "actions");
      const confirm = element("button", "confirm", text.confirm);
      const reject = element("button", "reject", text.reject);
      confirm.type = reject.type = "button";
      confirm.addEventListener("click", () => transition(appointment.id, "confirm", [confirm, reject]));
      reject.addEventListener("click", () => transition(appointment.id, "reject", [confirm, reject]));
      actions.append(confirm, reject);
      item.append(actions);
      list.append(item);
    }
  }

  async function transition(id, action, buttons) {
    buttons.forEach((button) => { button.disabled = true; });
    try {
      const appointment = await api(`${config.api.appointments}${id}/${action}/`, {
        method: "POST",
        body: {},
      });
      upsert(appointment);
      renderAppointments();
      toast(action === "confirm" ? text.confirmed : text.rejected);
    } catch (error) {
      buttons.forEach((button) => { button.disabled = false; });
      toast(error.message, true);
    }
  }

  const timeFormat = new Intl.DateTimeFormat(config.language, {
    day: "2-digit",
    month: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    timeZone: config.company.timezone,
  });

  function renderNotifications() {
    const badge = document.getElementById("unread-count");
    badge.textContent = state.unread;
    badge.classList.toggle("has-unread", state.unread > 0);
    document.title = document.title.replace(/^\(\d+\) /, "");
    if (state.unread > 0) document.title = `(${state.unread}) ${document.title}`;
    const list = document.getElementById("notification-list");
    list.replaceChildren();
    if (!state.notifications.length) {
      list.append(element("li", "empty", text.noNotifications));
      return;
    }
    for (const notification of state.notifications) {
      const item = element("li", notification.read_at ? "read" : "unread");
      item.dataset.id = notification.id;
      item.append(
        element("div", "notification-title", notification.title),
        element("div", "notification-body", notification.body),
        element("div", "notification-time", timeFormat.format(new Date(notification.created_at))),
      );
      item.addEventListener("click", () => markRead(notification));
      list.append(item);
    }
  }

  async function markRead(notification) {
    if (notification.read_at) return;
    try {
      await api(`${config.api.notifications}${notification.id}/read/`, { method: "POST" });
      notification.read_at = new Date().toISOString();
      state.unread = Math.max(0, state.unread - 1);
      renderNotifications();
    } catch (error) {
      toast(error.message, true);
    }
  }

  async function markAllRead() {
    try {
      await api(`${config.api.notifications}read-all/`, { method: "POST" });
      const now = new Date().toISOString();
      state.notifications.forEach((notification) => { notification.read_at = notification.read_at || now; });
      state.unread = 0;
      renderNotifications();
    } catch (error) {
      toast(error.message, true);
    }
  }

  let toastTimer = null;
  function toast(message, isError) {
    const node = document.getElementById("toast");
    node.textContent = message;
    node.classList.toggle("error", Boolean(isError));
    node.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { node.hidden = true; }, 4000);
  }

  // --- Live events --------------------------------------------------------

  function handle(event) {
    const data = event.data;
    if (event.type === "appointment.created" || event.type === "appointment.updated") {
      if (data.company !== config.company.id) return;
      if (!upsert(data)) return;
      if (event.type === "appointment.created") {
        state.arrived = state.arrived || new Set();
        state.arrived.add(data.id);
      }
      renderAppointments();
    } else if (event.type === "notification.created") {
      if (state.notifications.some((n) => n.id === data.id)) return;
      state.notifications.unshift(data);
      state.notifications.length = Math.min(state.notifications.length, NOTIFICATIONS_SHOWN);
      if (!data.read_at) state.unread += 1;
      renderNotifications();
    }
    // availability.changed concerns booking pages' free slots; the
    // timeline already follows the appointments themselves.
  }

  function setConnection(name) {
    const node = document.getElementById("connection");
    node.dataset.state = name;
    node.textContent = text[name];
    document.body.dataset.connection = name;
  }

  function goToLogin() {
    const next = encodeURIComponent(window.location.pathname + window.location.search);
    window.location.assign(`${config.loginUrl}?next=${next}`);
  }

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${window.location.host}${config.socket}`);
    socket.addEventListener("open", () => {
      state.retries = 0;
      resync()
        .catch((error) => toast(error.message, true))
        .finally(() => setConnection("live"));
    });
    socket.addEventListener("message", (message) => {
      try {
        handle(JSON.parse(message.data));
      } catch (error) {
        console.error(error);
      }
    });
    socket.addEventListener("close", (event) => {
      if (event.code === UNAUTHENTICATED) {
        goToLogin();
        return;
      }
      setConnection("reconnecting");
      // Backoff with jitter, so that clients of a restarted server do not
      // all come back in the same instant.
      const delay = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** state.retries);
      state.retries += 1;
      setTimeout(connect, delay * (0.75 + Math.random() / 2));
    });
  }

  document.getElementById("mark-all-read").addEventListener("click", markAllRead);
  setInterval(renderNowLine, 60000);
  renderAppointments();
  renderNotifications();
  connect();
})();
