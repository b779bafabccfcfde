// The Services view: connection parameters, instance parameters, software
// type, state, processes and promises of slappart0 (GET /api/instance).

import { api } from "./api.js";
import { h, toast, copyButton, confirmDialog, formatTime, formatDuration, setChildren } from "./ui.js";

function isURL(v) {
  return /^(https?|wss?|ftp):\/\/\S+$/.test(v) || /^\[[0-9a-f:]+\]:\d+$/i.test(v);
}

// Services is the Services view.
export class Services {
  constructor(app) {
    this.app = app;
    this.el = document.getElementById("services");
    this.data = null;
    this.editing = false; // parameters edited and not saved
    this.loading = null;
  }

  // refresh reloads the instance (at most one request at a time).
  async refresh() {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = (async () => {
      try {
        this.data = await api("GET", "/api/instance");
        this.error = null;
      } catch (err) {
        this.error = err.message;
      }
      this.render();
    })();
    await this.loading;
    this.loading = null;
    if (this.again) {
      this.again = false;
      await this.refresh();
    }
  }

  // render shows the instance. A card whose data did not change keeps its
  // element (and the focus in it); the parameters being edited are kept.
  render() {
    const d = this.data;
    const sections = [];
    if (this.error) sections.push(h("div.alert.error", `Cannot read the instance: ${this.error}`));
    if (!d) {
      this.el.replaceChildren(...sections, h("p.muted", "Loading…"));
      return;
    }
    const old = this.cards || {};
    const cards = {};
    const card = (name, data, make) => {
      const sig = JSON.stringify(data);
      const keep = old[name] && (old[name].sig === sig || (name === "params" && this.editing));
      cards[name] = keep ? old[name] : { sig, el: make() };
      sections.push(cards[name].el);
    };
    card("summary", [d.state, d.software_type], () => this.renderSummary(d));
    card("connection", d.connection || {}, () => this.renderConnection(d));
    card("params", d.parameters || {}, () => this.renderParameters(d));
    card("processes", [d.processes || [], Math.floor(Date.now() / 60000)], () => this.renderProcesses(d));
    card("promises", d.promises || [], () => this.renderPromises(d));
    this.cards = cards;
    setChildren(this.el, sections);
  }

  renderSummary(d) {
    const btn = (state, label, danger) => h("button.btn" + (danger ? ".danger" : ""), {
      type: "button",
      disabled: d.state === state,
      dataset: { state },
      onclick: () => this.setState(state),
    }, label);
    return h("section.card.summary-card", { "aria-labelledby": "svc-summary" },
      h("h2#svc-summary", "Instance slappart0"),
      h("dl.summary",
        h("dt", "State"), h("dd", h("span.badge.state-" + d.state, d.state)),
        h("dt", "Software type"), h("dd", h("code", d.software_type || "default"))),
      h("div.button-row", btn("started", "Start"), btn("stopped", "Stop"), btn("destroyed", "Destroy", true)));
  }

  renderConnection(d) {
    const entries = Object.entries(d.connection || {}).sort((a, b) => a[0].localeCompare(b[0]));
    return h("section.card.connection-card", { "aria-labelledby": "svc-conn" },
      h("h2#svc-conn", "Connection parameters"),
      entries.length === 0
        ? h("p.muted", "Nothing published yet. Build the instance with ▶ to publish its connection parameters.")
        : h("table.table.kv",
          h("thead", h("tr", h("th", "Name"), h("th", "Value"), h("th.narrow", h("span.sr-only", "Copy")))),
          h("tbody", entries.map(([k, v]) => h("tr", { dataset: { key: k } },
            h("th", { scope: "row" }, k),
            h("td.value", isURL(String(v)) ? h("a", { href: /^\[/.test(v) ? "http://" + v : v, target: "_blank", rel: "noopener noreferrer" }, String(v)) : h("code", String(v))),
            h("td.narrow", copyButton(String(v), `Copy ${k}`)))))));
  }

  renderParameters(d) {
    const rows = h("tbody");
    const addRow = (k = "", v = "") => {
      const row = h("tr.param-row",
        h("td", h("input.input.param-key", { type: "text", value: k, "aria-label": "Parameter name", spellcheck: "false" })),
        h("td", h("textarea.input.param-value", { rows: String(Math.min(6, Math.max(1, String(v).split("\n").length))), "aria-label": "Parameter value", spellcheck: "false" }, String(v))),
        h("td.narrow", h("button.btn.icon", { type: "button", title: "Remove", "aria-label": "Remove parameter", onclick: () => {
          row.remove();
          this.editing = true;
        } }, "✕")));
      rows.append(row);
      return row;
    };
    for (const [k, v] of Object.entries(d.parameters || {}).sort((a, b) => a[0].localeCompare(b[0]))) addRow(k, typeof v === "string" ? v : JSON.stringify(v));
    const card = h("section.card.params-card", { "aria-labelledby": "svc-params", oninput: () => {
      this.editing = true;
    } },
    h("h2#svc-params", "Instance parameters"),
    h("p.hint", "Saved parameters are applied by the next instance build (▶ or “Save and rebuild”). A parameter title is seen by the profile as configuration.title."),
    h("table.table.params", h("thead", h("tr", h("th", "Name"), h("th", "Value"), h("th.narrow", h("span.sr-only", "Remove")))), rows),
    h("div.button-row",
      h("button.btn", { type: "button", onclick: () => {
        const r = addRow();
        r.querySelector("input").focus();
        this.editing = true;
      } }, "+ Add parameter"),
      h("span.spacer"),
      h("button.btn", { type: "button", id: "params-save", onclick: () => this.saveParams(card, false) }, "Save"),
      h("button.btn.primary", { type: "button", id: "params-save-rebuild", onclick: () => this.saveParams(card, true) }, "Save and rebuild")));
    return card;
  }

  async saveParams(card, rebuild) {
    const params = {};
    for (const row of card.querySelectorAll(".param-row")) {
      const k = row.querySelector(".param-key").value.trim();
      if (!k) continue;
      if (k in params) {
        toast(`Parameter ${k} is defined twice`, "error");
        return;
      }
      params[k] = row.querySelector(".param-value").value;
    }
    try {
      await api("PUT", "/api/instance/parameters", { parameters: params });
    } catch (err) {
      toast(`Cannot save the parameters: ${err.message}`, "error");
      return;
    }
    this.editing = false;
    toast(rebuild ? "Parameters saved; rebuilding" : "Parameters saved; rebuild to apply them", "ok");
    await this.refresh();
    if (rebuild) this.app.build.start("all");
  }

  async setState(state) {
    const verbs = { started: "Start", stopped: "Stop", destroyed: "Destroy" };
    const msg = state === "destroyed"
      ? "Destroy the instance? Its processes are stopped and its data is removed."
      : `${verbs[state]} the instance's processes?`;
    if (!(await confirmDialog(`${verbs[state]} instance`, msg, verbs[state], state === "destroyed"))) return;
    try {
      await api("POST", "/api/instance/state", { state });
      toast(`Instance ${state}`, "ok");
    } catch (err) {
      toast(`Cannot change the state: ${err.message}`, "error");
    }
    this.refresh();
  }

  renderProcesses(d) {
    const procs = d.processes || [];
    return h("section.card.processes-card", { "aria-labelledby": "svc-procs" },
      h("h2#svc-procs", "Processes"),
      procs.length === 0 ? h("p.muted", "No process.") : h("table.table",
        h("thead", h("tr", h("th", "Name"), h("th", "Kind"), h("th", "State"), h("th", "PID"), h("th", "Uptime"))),
        h("tbody", procs.map((p) => h("tr", { dataset: { name: p.name } },
          h("td", h("code", p.name)), h("td", p.kind),
          h("td", h("span.badge.proc-" + String(p.state).toLowerCase(), p.state)),
          h("td", p.pid === null || p.pid === undefined ? "—" : String(p.pid)),
          h("td", { title: formatTime(p.since) }, p.since && p.pid ? formatDuration(Date.now() - Date.parse(p.since)) : "—"))))));
  }

  renderPromises(d) {
    const ps = d.promises || [];
    return h("section.card.promises-card", { "aria-labelledby": "svc-promises" },
      h("div.card-head", h("h2#svc-promises", "Promises"),
        h("button.btn", { type: "button", id: "run-promises", onclick: (ev) => this.runPromises(ev.target) }, "Run promises now")),
      ps.length === 0 ? h("p.muted", "No promise.") : h("table.table",
        h("thead", h("tr", h("th", "Name"), h("th", "Status"), h("th", "Message"), h("th", "Last run"))),
        h("tbody", ps.map((p) => h("tr", { dataset: { name: p.name } },
          h("td", h("code", p.name)),
          h("td", h("span.badge.promise-" + String(p.status).toLowerCase(), p.status)),
          h("td.message", p.message || ""),
          h("td", formatTime(p.checked)))))));
  }

  async runPromises(btn) {
    btn.disabled = true;
    btn.textContent = "Running…";
    try {
      const res = await api("POST", "/api/instance/promises");
      if (this.data) this.data.promises = res.promises || [];
      const failed = (res.promises || []).filter((p) => p.status !== "OK").length;
      toast(failed ? `${failed} promise(s) failing` : "Every promise is OK", failed ? "error" : "ok");
    } catch (err) {
      toast(`Cannot run the promises: ${err.message}`, "error");
    }
    btn.disabled = false;
    btn.textContent = "Run promises now";
    this.render();
  }
}
