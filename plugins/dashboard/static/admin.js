// The dashboard's only script: refresh the orders table when orders change (polling, so it works
// with any number of workers), and ask before cancelling or refunding.
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

  function refresh() {
    fetch(rows.dataset.refresh, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) {
        if (r.redirected || !r.ok) throw new Error("session ended");
        return r.text();
      })
      .then(function (html) {
        var scratch = document.createElement("tbody");
        scratch.innerHTML = html; // our own server-rendered, autoescaped rows
        var before = numbers(rows);
        if (scratch.innerHTML.trim() === rows.innerHTML.trim()) return;
        var fresh = numbers(scratch).filter(function (n) { return before.indexOf(n) < 0; });
        rows.replaceChildren.apply(rows, Array.prototype.slice.call(scratch.childNodes));
        fresh.forEach(function (n) {
          var tr = rows.querySelector('tr[data-number="' + n + '"]');
          if (tr) tr.classList.add("fresh");
        });
        if (fresh.length && live) {
          live.textContent = fresh.length === 1 ? "New order " + fresh[0] : fresh.length + " new orders";
          live.hidden = false;
        }
      })
      .catch(function () { /* try again at the next tick */ })
      .then(function () { setTimeout(refresh, INTERVAL); });
  }

  if (rows && rows.dataset.refresh) setTimeout(refresh, INTERVAL);

  document.querySelectorAll("button.danger").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.textContent.trim() + "?")) event.preventDefault();
    });
  });
})();
