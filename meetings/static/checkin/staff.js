/* Staff sign-in page: every sign-in goes through a queue kept in
   localStorage, with a client nonce and the time of the tap. The queue is
   uploaded in order whenever the network allows; the server's unique nonce
   makes a re-sent item land exactly once, so nothing is lost when the
   network drops and nothing is doubled when it comes back. */
(function () {
  "use strict";
  var root = document.getElementById("signin");
  if (!root) return;
  var cfg = root.dataset;
  var csrf = document.querySelector("meta[name=csrf-token]").content;
  var KEY = "checkin-queue:" + cfg.meeting;
  var busy = false;

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY)) || []; } catch (e) { return []; }
  }
  function save(queue) { localStorage.setItem(KEY, JSON.stringify(queue)); }
  function nonce() { // crypto.getRandomValues works on plain-HTTP intranets too (randomUUID does not)
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function hhmm(iso) {
    // the server sends times in the meeting's zone (…T09:05:00+08:00): show them as they are
    var local = /T(\d\d:\d\d).*[+-]\d\d:\d\d$/.exec(iso);
    if (local) return local[1];
    var d = new Date(iso); // a queued tap: this device's clock and zone
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }
  function status(text) {
    var box = document.getElementById("net-status");
    box.textContent = text || "";
    box.hidden = !text;
  }

  function enqueue(item) {
    item.nonce = nonce();
    item.checked_in_at = new Date().toISOString(); // the original time travels with the item
    item.source = "staff";
    var queue = load();
    queue.push(item);
    save(queue);
    render();
    flush();
  }

  function row(doctorId) {
    return root.querySelector('.invitee[data-doctor-id="' + doctorId + '"]');
  }

  function render() {
    var queue = load();
    queue.forEach(function (item) {
      if (item.doctor_id) {
        var li = row(item.doctor_id);
        if (li && !li.classList.contains("signed")) {
          li.classList.add("pending");
          li.querySelector(".tap").disabled = true;
          li.querySelector(".state").textContent = "… " + hhmm(item.checked_in_at) + " " + cfg.msgWaiting;
        }
      }
    });
    var note = document.getElementById("queue-note");
    note.hidden = queue.length === 0;
    note.textContent = queue.length ? "+" + queue.length + " " + cfg.msgWaiting : "";
  }

  function applyState(state) {
    var f = state.attendance;
    document.getElementById("present").textContent = f.present;
    document.getElementById("expected").textContent = f.expected;
    document.getElementById("attended-invited").textContent = f.attended_invited;
    document.getElementById("key-present").textContent = f.key_present;
    document.getElementById("key-expected").textContent = f.key_expected;
    var others = document.getElementById("walk-ins");
    others.textContent = "";
    state.checkins.forEach(function (c) {
      var li = c.doctor_id && row(c.doctor_id);
      if (li) {
        li.classList.remove("pending");
        li.classList.add("signed");
        li.querySelector(".tap").disabled = true;
        li.querySelector(".state").textContent = "✓ " + cfg.msgSigned + " " + hhmm(c.checked_in_at);
      }
      if (!c.invited) {
        var item = document.createElement("li");
        item.textContent = c.name + " · " + hhmm(c.checked_in_at);
        others.appendChild(item);
      }
    });
  }

  function refused(item, body) {
    var li = item.doctor_id && row(item.doctor_id);
    if (li) {
      li.classList.remove("pending");
      li.querySelector(".tap").disabled = false;
      li.querySelector(".state").textContent = "";
    }
    status(cfg.msgRefused + ((body && body.message) || ""));  // "被拒绝：" with the reader's colon
  }

  function flush() {
    if (busy) return;
    var queue = load();
    if (!queue.length) { render(); return; }
    busy = true;
    var item = queue[0];
    fetch(cfg.post, {
      method: "POST", credentials: "same-origin", redirect: "manual",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(item)
    }).then(function (res) {
      var json = (res.headers.get("content-type") || "").indexOf("json") >= 0;
      return (json ? res.json() : Promise.resolve(null)).then(function (body) {
        if (body && (res.status === 200 || res.status === 201)) {
          drop(item);
          status("");
          applyState(body);
          return true;
        }
        if (body && res.status === 409 && body.reason === "duplicate_walk_in" && !item.same_name_ok) {
          // SPEC §5: someone with this name and title is already counted; staff confirm it is
          // another person (the queued item keeps its nonce's place and its original time)
          drop(item);
          if (window.confirm(body.message + "\n\n" + cfg.msgSameName)) {
            var again = Object.assign({}, item, { same_name_ok: true, nonce: nonce() });
            var queue = load();
            queue.unshift(again);
            save(queue);
          } else {
            status("");
          }
          return true;
        }
        if (body && (res.status === 409 || res.status === 422 || res.status === 403 || res.status === 404)) {
          drop(item); // the server will never take it: say so instead of retrying forever
          refused(item, body);
          return true;
        }
        // a login redirect, an expired CSRF token, a server error: keep it, retry later
        status(res.type === "opaqueredirect" || res.status === 400 ? cfg.msgLogin : cfg.msgOffline);
        return false;
      });
    }).catch(function () {
      status(cfg.msgOffline);
      return false;
    }).then(function (goOn) {
      busy = false;
      render();
      if (goOn) flush();
    });
  }

  function drop(item) {
    save(load().filter(function (i) { return i.nonce !== item.nonce; }));
  }

  function refresh() {
    if (busy || load().length) return flush();
    fetch(cfg.state, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (state) { if (state) { applyState(state); status(""); } })
      .catch(function () { status(cfg.msgOffline); });
  }

  root.addEventListener("click", function (event) {
    var button = event.target.closest(".tap");
    if (!button) return;
    button.disabled = true;
    enqueue({ doctor_id: parseInt(button.closest(".invitee").dataset.doctorId, 10) });
  });

  document.getElementById("walk-in").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    if (!form.reportValidity()) return;
    var f = form.elements;
    enqueue({ name: f.namedItem("name").value.trim(), title: f.namedItem("title").value,
              meal_opt_in: f.namedItem("meal_opt_in").checked });
    form.reset();
    form.elements.namedItem("name").focus();
  });

  document.getElementById("filter").addEventListener("input", function (event) {
    var needle = event.target.value.trim().toLowerCase();
    root.querySelectorAll(".invitee").forEach(function (li) {
      li.hidden = needle && li.dataset.name.toLowerCase().indexOf(needle) < 0;
    });
  });

  window.addEventListener("online", flush);
  setInterval(refresh, 15000);
  render();
  flush();
})();
