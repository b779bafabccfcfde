// The login page: sends the password to POST /api/login as JSON and, once
// logged in, goes to the page it came from (data-next) or the IDE.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("login");
  const input = document.getElementById("password");
  const error = document.getElementById("login-error");
  const submit = document.getElementById("login-submit");

  function show(message) {
    error.textContent = message;
    error.hidden = !message;
  }

  // next is a same-origin path only, never another site.
  function next() {
    const n = form.dataset.next || "/";
    return n.startsWith("/") && !n.startsWith("//") ? n : "/";
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    show("");
    submit.disabled = true;
    try {
      const res = await fetch("/api/login", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ password: input.value }),
        credentials: "same-origin",
      });
      if (res.ok) {
        location.assign(next());
        return;
      }
      let body = {};
      try {
        body = await res.json();
      } catch {
        // not JSON
      }
      if (res.status === 429) {
        const wait = res.headers.get("Retry-After");
        show(`Too many failed attempts: try again in ${wait || "a few"} seconds.`);
      } else if (res.status === 401) {
        show("Wrong password.");
        input.select();
      } else {
        show(body.error || `Login failed (HTTP ${res.status}).`);
      }
    } catch (err) {
      show(`Cannot reach the server: ${err.message}`);
    } finally {
      submit.disabled = false;
    }
  });
});
