// The web chat: draws the shop's messages and sends the customer's. No framework, no build step.
// Every piece of text goes in with textContent; links and pictures come pre-checked by the server.
(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var statusLine = document.getElementById("status");
  var modeSelect = document.getElementById("mode");
  var notice = document.getElementById("notice");
  var chat = document.getElementById("chat");
  var texts = JSON.parse(document.getElementById("texts").textContent);

  function t(key, values) {
    return (texts[key] || key).replace(/\{(\w+)\}/g, function (_, name) { return values[name]; });
  }

  var socket = null;
  var lastSeq = 0;
  var entries = [];          // what the server sent, in order (the web chat view)
  var unacked = [];          // frames sent but not acknowledged: sent again after a reconnect
  var retryDelay = 500;
  var mode = "webchat";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) {
      node.textContent = text;
      node.dir = "auto";  // Arabic or Hebrew runs from the right, whatever the page's language
    }
    return node;
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  // --- sending -----------------------------------------------------------------------------
  function send(frame) {
    unacked.push(frame);
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
    drawPending(frame);
  }

  function say(text) {
    send({ type: "text", id: newId(), text: text });
  }

  // What the customer sent shows at once, faded, until the shop has it (its entry comes back with the
  // same id): on a slow or broken connection nothing showed, and people sent it again.
  var pending = {};          // frame id -> its faded bubble

  function drawPending(frame) {
    var wrap = el("div", "entry customer pending");
    wrap.appendChild(el("div", "bubble customer", frame.text || frame.title || ""));
    pending[frame.id] = wrap;
    if (mode === "webchat") { log.appendChild(wrap); scrollDown(); }
  }

  function settle(id) {
    var wrap = pending[id];
    if (!wrap) return;
    delete pending[id];
    if (wrap.parentNode) wrap.parentNode.removeChild(wrap);
  }

  // With a keyboard at hand the composer takes the focus back after a choice, so that what comes
  // next (an address after "Checkout") is typed where it belongs; a phone keeps its keyboard closed.
  var keyboardAtHand = !window.matchMedia || window.matchMedia("(hover: hover) and (pointer: fine)").matches;

  function choose(choice) {
    if (mode !== "webchat") setMode("webchat");
    send({ type: "choice", id: newId(), choice_id: choice.id, title: choice.title });
    if (keyboardAtHand) input.focus({ preventScroll: true });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    if (mode !== "webchat") setMode("webchat");
    say(text);
    input.value = "";
    input.focus();
  });

  // --- drawing -------------------------------------------------------------------------------
  function link(url, label, className) {
    var a = el("a", className, label);
    a.href = url;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  function picture(url, alt) {
    var img = el("img", "picture");
    img.alt = alt || "";
    img.addEventListener("error", function () {
      var stand = el("div", "picture placeholder", Array.from(alt || "?")[0]);  // a whole emoji, not half
      img.replaceWith(stand);
    });
    img.addEventListener("load", function () { if (nearBottom()) scrollDown(); });
    img.src = url;
    return img;
  }

  function choiceButtons(choices, className) {
    var row = el("div", className || "choices");
    choices.forEach(function (choice) {
      var b = el("button", "choice", choice.title);
      b.type = "button";
      b.dataset.choice = choice.id;
      b.addEventListener("click", function () { choose(choice); });
      row.appendChild(b);
    });
    return row;
  }

  function listRows(message) {
    var box = el("div", "list");
    box.appendChild(el("div", "list-button", message.button));
    message.sections.forEach(function (section) {
      if (section.title) box.appendChild(el("div", "list-section", section.title));
      section.choices.forEach(function (choice) {
        var row = el("button", "list-row");
        row.type = "button";
        row.dataset.choice = choice.id;
        row.appendChild(el("span", "row-title", choice.title));
        if (choice.description) row.appendChild(el("span", "row-description", choice.description));
        row.addEventListener("click", function () { choose(choice); });
        box.appendChild(row);
      });
    });
    return box;
  }

  function orderSummary(order) {
    var table = el("table", "summary");
    function row(label, amount, className) {
      var tr = el("tr", className);
      tr.appendChild(el("td", null, label));
      tr.appendChild(el("td", "amount", amount));
      table.appendChild(tr);
    }
    order.lines.forEach(function (line) { row(line.quantity + " × " + line.title, line.amount); });
    order.adjustments.forEach(function (adj) { row(adj.label, adj.amount); });
    row(t("total"), order.total, "total");
    return table;
  }

  function body(text, className) {
    return el("div", className || "body", text);
  }

  function shopMessage(m) {
    var bubble = el("div", "bubble shop kind-" + m.kind);
    switch (m.kind) {
      case "text":
        bubble.appendChild(body(m.body));
        break;
      case "buttons":
        if (m.image_url) bubble.appendChild(picture(m.image_url, m.header || ""));
        if (m.header) bubble.appendChild(body(m.header, "header"));
        bubble.appendChild(body(m.body));
        if (m.footer) bubble.appendChild(body(m.footer, "footer"));
        bubble.appendChild(choiceButtons(m.choices));
        break;
      case "list":
        if (m.header) bubble.appendChild(body(m.header, "header"));
        bubble.appendChild(body(m.body));
        if (m.footer) bubble.appendChild(body(m.footer, "footer"));
        bubble.appendChild(listRows(m));
        break;
      case "product":
        bubble.classList.add("card");
        if (m.image_url) bubble.appendChild(picture(m.image_url, m.title));
        var head = el("div", "card-head");
        head.appendChild(el("strong", "card-title", m.title));
        head.appendChild(el("span", "price", m.price));
        bubble.appendChild(head);
        bubble.appendChild(body(m.body));
        if (m.url) bubble.appendChild(link(m.url, t("more"), "more"));
        if (m.choices.length) bubble.appendChild(choiceButtons(m.choices));
        break;
      case "image":
        bubble.appendChild(picture(m.url, m.caption || ""));
        if (m.caption) bubble.appendChild(body(m.caption));
        break;
      case "payment_request":
        bubble.appendChild(body(m.body));
        bubble.appendChild(orderSummary(m.order));
        if (m.url) bubble.appendChild(link(m.url, t("pay", { total: m.order.total }), "pay"));
        if (m.choices && m.choices.length) bubble.appendChild(choiceButtons(m.choices));
        break;
      case "order_status":
        var badge = el("div", "badge status-" + m.status, t("order", { number: m.order_number }) + " · " + (m.status_label || m.status));
        bubble.appendChild(badge);
        bubble.appendChild(body(m.body));
        break;
      default:
        bubble.appendChild(body(m.body || ""));
    }
    return bubble;
  }

  function draw(entry) {
    if (entry.id) settle(entry.id);
    var wrap = el("div", "entry " + entry.who);
    wrap.dataset.seq = entry.seq;
    if (entry.who === "customer") wrap.appendChild(el("div", "bubble customer", entry.text));
    else wrap.appendChild(shopMessage(entry.message));
    log.appendChild(wrap);
  }

  function redraw(list) {
    log.textContent = "";
    list.forEach(draw);
    if (mode === "webchat") {
      Object.keys(pending).forEach(function (id) { log.appendChild(pending[id]); });
    }
    scrollDown();
  }

  function nearBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 320;
  }

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  // --- preview ---------------------------------------------------------------------------------
  function setMode(next) {
    mode = next;
    if (modeSelect) modeSelect.value = next;
    chat.dataset.mode = next;
    notice.hidden = next === "webchat";
    if (next === "webchat") redraw(entries);
    else loadPreview();
  }

  function loadPreview() {
    var wanted = mode;
    fetch("/chat/preview?as=" + encodeURIComponent(wanted), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) { if (mode === wanted) redraw(data.entries); })
      .catch(function () { statusLine.textContent = t("preview_unavailable"); });
  }

  if (modeSelect) modeSelect.addEventListener("change", function () { setMode(modeSelect.value); });

  // --- the socket ------------------------------------------------------------------------------
  function received(frame) {
    if (frame.type === "entries") {
      // A reset starts the count again: a conversation that is new (a restart voided the cookie) or
      // was erased numbers its entries from 1, and none of them may pass for one already seen.
      if (frame.reset) { entries = []; lastSeq = 0; log.textContent = ""; }
      frame.entries.forEach(function (entry) {
        if (entry.seq <= lastSeq) return;
        entries.push(entry);
        lastSeq = entry.seq;
        if (mode === "webchat") draw(entry); else if (entry.id) settle(entry.id);
      });
      if (frame.reset && mode === "webchat") {
        Object.keys(pending).forEach(function (id) { log.appendChild(pending[id]); });
      }
      if (mode === "webchat") scrollDown(); else if (frame.entries.length) loadPreview();
      // An empty conversation is greeted, unless what the customer typed meanwhile is on its way.
      if (frame.reset && entries.length === 0 && unacked.length === 0) say("hi");
    } else if (frame.type === "ack") {
      unacked = unacked.filter(function (f) { return f.id !== frame.id; });
    } else if (frame.type === "error") {
      if (frame.id) {
        // Refused (too many at once, too long): the words go back into the composer to send again.
        var refused = unacked.filter(function (f) { return f.id === frame.id; })[0];
        unacked = unacked.filter(function (f) { return f.id !== frame.id; });
        settle(frame.id);
        if (refused && refused.type === "text" && !input.value) input.value = refused.text;
      }
      statusLine.textContent = frame.code && texts[frame.code] ? t(frame.code) : frame.error;
    }
  }

  // A socket refused before it opened may be the cookie: a shop restarted without a fixed secret no
  // longer knows it (the browser hides the refusal's status). Asking for the page again renews a void
  // cookie and leaves a good one alone.
  function renewCookie() {
    return fetch(location.pathname, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.body && r.body.cancel(); })
      .catch(function () { /* the shop is still down: try again later */ });
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var opened = false;
    socket = new WebSocket(scheme + location.host + "/chat/ws");
    socket.addEventListener("open", function () {
      opened = true;
      retryDelay = 500;
      statusLine.textContent = t("online");
      chat.classList.remove("offline");
      socket.send(JSON.stringify({ type: "hello", after: lastSeq }));
      unacked.forEach(function (frame) { socket.send(JSON.stringify(frame)); });
    });
    socket.addEventListener("message", function (event) {
      try { received(JSON.parse(event.data)); } catch (e) { /* a frame we do not understand */ }
    });
    socket.addEventListener("close", function () {
      chat.classList.add("offline");
      statusLine.textContent = t("reconnecting");
      setTimeout(function () {
        if (opened) connect(); else renewCookie().then(connect);
      }, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 10000);
    });
  }

  connect();
  input.focus();
})();
