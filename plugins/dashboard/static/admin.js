// The dashboard's only script: refresh the orders table and the inbox when they change, and an
// open conversation's transcript (polling, so it works with any number of workers), and ask
// before cancelling or refunding.
(function () {
  "use strict";
  var rows = document.getElementById("rows");
  var live = document.getElementById("live");
  var INTERVAL = 2000;

  function numbers(tbody) {
    return Array.prototype.map.call(tbody.querySelectorAll("tr[data-number]"), function (tr) {
      return tr.dataset.number;
    });
  }

  // The session ended (logged out elsewhere, or its hours are up): the table would silently stop
  // showing new orders, so say so and stop asking.
  function sessionEnded(what) {
    if (!live) return;
    live.textContent = "Your session ended, so " + (what || "new orders no longer appear here") + ": ";
    var again = document.createElement("a");
    again.href = "/admin/login";
    again.textContent = "log in again";
    live.appendChild(again);
    live.classList.add("error");
    live.setAttribute("role", "alert");
    live.hidden = false;
  }

  function refresh() {
    fetch(rows.dataset.refresh, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) {
        if (r.redirected && new URL(r.url).pathname === "/admin/login") {
          sessionEnded(rows.dataset.ended);
          return null;
        }
        if (!r.ok) throw new Error("not now");
        return r.text();
      })
      .then(function (html) {
        if (html === null) return "stop";
        var scratch = document.createElement("tbody");
        scratch.innerHTML = html; // our own server-rendered, autoescaped rows
        var before = numbers(rows);
        if (scratch.innerHTML.trim() === rows.innerHTML.trim()) return;
        // An older page only follows changes: a row new to it slid down from the page before, it is
        // no new order.
        var fresh = rows.dataset.quiet ? [] : numbers(scratch).filter(function (n) { return before.indexOf(n) < 0; });
        rows.replaceChildren.apply(rows, Array.prototype.slice.call(scratch.childNodes));
        fresh.forEach(function (n) {
          var tr = rows.querySelector('tr[data-number="' + n + '"]');
          if (tr) tr.classList.add("fresh");
        });
        if (fresh.length && live) {
          // The inbox names no customer here (their number is the row itself); orders say which one.
          if (rows.dataset.newOne) {
            live.textContent = fresh.length === 1 ? rows.dataset.newOne : fresh.length + " " + rows.dataset.newMany;
          } else {
            live.textContent = fresh.length === 1 ? "New order " + fresh[0] : fresh.length + " new orders";
          }
          live.hidden = false;
        }
      })
      .catch(function () { /* try again at the next tick */ })
      .then(function (stop) { if (stop !== "stop") setTimeout(refresh, INTERVAL); });
  }

  if (rows && rows.dataset.refresh) setTimeout(refresh, INTERVAL);

  // A conversation's transcript follows new messages (the customer's, the assistant's, a
  // colleague's), keeping the view at the bottom when it was there.
  var transcript = document.getElementById("transcript");

  function follow() {
    fetch(transcript.dataset.refresh, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) {
        if (r.redirected && new URL(r.url).pathname === "/admin/login") {
          live = live || document.getElementById("handover");
          sessionEnded("new messages no longer appear here");
          return null;
        }
        if (!r.ok) throw new Error("not now");
        return r.text();
      })
      .then(function (html) {
        if (html === null) return "stop";
        var scratch = document.createElement("ol");
        scratch.innerHTML = html; // our own server-rendered, autoescaped lines
        if (scratch.innerHTML.trim() === transcript.innerHTML.trim()) return;
        var atBottom = transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 40;
        transcript.replaceChildren.apply(transcript, Array.prototype.slice.call(scratch.childNodes));
        if (atBottom) transcript.scrollTop = transcript.scrollHeight;
      })
      .catch(function () { /* try again at the next tick */ })
      .then(function (stop) { if (stop !== "stop") setTimeout(follow, INTERVAL); });
  }

  if (transcript && transcript.dataset.refresh) {
    transcript.scrollTop = transcript.scrollHeight;
    setTimeout(follow, INTERVAL);
  }

  document.querySelectorAll("button.danger").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.textContent.trim() + "?")) event.preventDefault();
    });
  });
})();
