/* caredesk live workspace: pages that follow changes (polling a change stamp), presence on a ticket, the
   notifications bell, and keyboard shortcuts with their help overlay ("?"). See docs/workspace.md. */
(function () {
  "use strict";

  var body = document.body;
  var csrf = "";
  try { csrf = JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { csrf = ""; }

  // --- live updates ------------------------------------------------------------------------------------
  // Every page of an agent polls /live/ with If-None-Match: the server answers 304 until the watched ticket
  // (data-live-ticket), any ticket (data-live-list: the element to refresh) or the agent's unread count changes.
  var liveUrl = body.dataset.live;
  var seconds = parseFloat(body.dataset.liveSeconds) || 1;
  var ticket = body.dataset.liveTicket || "";
  var list = body.dataset.liveList || "";
  // The state the page was rendered with: a change made while it loads shows on the first poll.
  var last = null, etag = body.dataset.liveEtag || "", timer = null, listPending = false;
  // The agent's own changes (requests other than GET that succeeded), counted: a refresh started before one of
  // them ended may be older than what that change's own refresh shows, so it is fetched again rather than
  // written over it.
  var ownChanges = 0;
  var hiddenTicket = false;
  try { last = JSON.parse(body.dataset.liveState || "null"); } catch (e) { last = null; }

  function pollUrl() {
    return liveUrl + "?token=" + encodeURIComponent(body.dataset.liveToken || "");
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(poll, delay);
  }

  // absorb: the poll that follows the agent's own change takes the new stamp without refreshing (the change's
  // response refreshed its panels already); a poll sent before that change answers for itself.
  function poll(absorb) {
    var headers = etag ? { "If-None-Match": etag } : {};
    fetch(pollUrl(), { headers: headers, cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 200) {
          etag = response.headers.get("ETag") || "";
          return response.json();
        }
        if (response.status === 403) { liveUrl = ""; return null; }  // a day old: a reload follows again
        if (response.status !== 304) throw new Error("poll answered " + response.status);
        return null;
      })
      .then(function (state) {
        if (state) apply(state, absorb === true);
        if (!liveUrl) return;
        schedule(document.hidden ? seconds * 5000 : seconds * 1000);
      })
      .catch(function () { schedule(seconds * 5000); });
  }

  function setUnread(count) {
    var badge = document.getElementById("bell-count");
    var summary = badge && badge.closest("summary");
    if (!badge) return;
    badge.textContent = String(count);
    badge.hidden = !count;
    if (summary) summary.setAttribute("aria-label", "Notifications, " + count + " unread");
  }

  function busy(element) {
    // An agent in the middle of something there: a field with focus, or rows selected.
    var active = document.activeElement;
    return element.contains(active) && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName) ||
      !!element.querySelector("input[type=checkbox]:checked");
  }

  // Any ticket changed: the page comes again and each part named by data-live-list ("#view-results, #view-total")
  // is replaced from it, unless the agent is busy in it (then when they leave it).
  function refreshList() {
    var parts = list.split(",").map(function (selector) { return selector.trim(); });
    if (parts.some(function (selector) {
      var part = document.querySelector(selector);
      return part && busy(part);
    })) { listPending = true; return; }
    listPending = false;
    var changesBefore = ownChanges;
    fetch(location.href, { cache: "no-store", credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) return;
        if (ownChanges !== changesBefore) { refreshList(); return; }  // older than the agent's change: again
        var fresh = new DOMParser().parseFromString(html, "text/html");
        parts.forEach(function (selector) {
          var current = document.querySelector(selector), replacement = fresh.querySelector(selector);
          if (!current || !replacement || busy(current)) return;
          replacement = document.importNode(replacement, true);
          current.replaceWith(replacement);
          htmx.process(replacement);
        });
      })
      .catch(function () { /* the next change refreshes again */ });
  }

  // A ticket changed elsewhere: one request for its panels (/tickets/<n>/live/), then each panel of the page that
  // follows the ticket's changes (hx-trigger on ticketChanged) is replaced from it, except one the agent is
  // working in; a panel the answer lacks refreshes itself. The composer follows nothing and keeps its draft.
  function refreshTicket() {
    var changesBefore = ownChanges;
    fetch(liveUrl.replace(/live\/$/, "") + "tickets/" + encodeURIComponent(ticket) + "/live/",
          { cache: "no-store", credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) return;
        if (ownChanges !== changesBefore) { refreshTicket(); return; }  // older than the agent's change: again
        var fresh = document.createElement("template");
        fresh.innerHTML = html;
        document.querySelectorAll("[hx-trigger*=ticketChanged][id]").forEach(function (panel) {
          if (busy(panel)) return;
          var replacement = fresh.content.getElementById(panel.id);
          if (!replacement) {
            if (panel.getAttribute("hx-get")) {
              htmx.ajax("GET", panel.getAttribute("hx-get"), { target: panel, swap: "outerHTML" });
            }
            return;
          }
          panel.replaceWith(replacement);
          htmx.process(replacement);
        });
        htmx.trigger(body, "ticketRefreshed");
      })
      .catch(function () { /* the next change refreshes again */ });
  }

  function apply(state, absorbing) {
    var previous = last;
    last = state;
    setUnread(state.unread);
    if (!previous) return;
    var bell = document.getElementById("bell");
    if (previous.unread !== state.unread && bell && bell.open) htmx.trigger(bell.querySelector(".bell-panel"), "notificationsChanged");
    if (absorbing) return;  // the agent's own change: its panels refreshed already
    // A tab in the background refreshes when it comes back: the server renders nothing nobody sees.
    if (ticket && previous.ticket !== state.ticket) { if (document.hidden) hiddenTicket = true; else refreshTicket(); }
    if (list && previous.tickets !== state.tickets) { if (document.hidden) listPending = true; else refreshList(); }
  }

  if (liveUrl) {
    poll(false);
    // After the agent's own change the page refreshed what it changed: take the new stamp without refreshing.
    body.addEventListener("htmx:afterRequest", function (event) {
      var config = event.detail && event.detail.requestConfig;
      if (config && config.verb && config.verb !== "get" && event.detail.successful) {
        ownChanges += 1;
        poll(true);
      }
    });
    body.addEventListener("focusout", function () {
      if (listPending) setTimeout(refreshList, 0);
    });
    body.addEventListener("change", function () {
      if (listPending) setTimeout(refreshList, 0);
    });
    document.addEventListener("visibilitychange", function () {
      if (document.hidden) return;
      if (hiddenTicket) { hiddenTicket = false; refreshTicket(); }
      if (listPending) refreshList();
      poll();
    });
  }

  // --- presence ----------------------------------------------------------------------------------------
  // A ticket page beats every third of CAREDESK_PRESENCE_SECONDS (and at once when the agent starts or stops
  // writing); the answer is the strip of the other agents on the ticket.
  var strip = document.getElementById("presence");
  if (strip) {
    var presenceUrl = strip.dataset.presenceUrl;
    var beatSeconds = parseFloat(strip.dataset.presenceSeconds) || 15;
    var lastState = "";

    var writingState = function () {
      var composer = document.getElementById("composer");
      var writing = composer && Array.prototype.some.call(
        composer.querySelectorAll("textarea"), function (box) { return box.value.trim() !== ""; });
      return writing ? "replying" : "viewing";
    };

    var beat = function () {
      var data = new FormData();
      lastState = writingState();
      data.append("state", lastState);
      fetch(presenceUrl, { method: "POST", body: data, headers: { "X-CSRFToken": csrf }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null) return;
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var fresh = holder.firstElementChild;
          var current = document.getElementById("presence");
          if (fresh && current) current.replaceChildren.apply(current, Array.prototype.slice.call(fresh.childNodes));
        })
        .catch(function () { /* the next beat tries again */ });
    };

    beat();
    setInterval(beat, beatSeconds * 1000);
    body.addEventListener("input", function (event) {
      if (event.target.closest && event.target.closest("#composer") && writingState() !== lastState) beat();
    });
    body.addEventListener("htmx:afterSettle", function (event) {
      if (event.target && event.target.id === "composer" && writingState() !== lastState) beat();
    });
    window.addEventListener("pagehide", function () {
      var data = new FormData();
      data.append("leave", "1");
      data.append("csrfmiddlewaretoken", csrf);
      navigator.sendBeacon(presenceUrl, data);
    });
  }

  // --- keyboard shortcuts --------------------------------------------------------------------------------
  // Single keys outside text fields; "g" then a key goes somewhere. "?" lists them (the overlay's table).
  var overlay = document.getElementById("shortcuts");
  var pendingG = false, pendingTimer = null;

  function go(selector) {
    var link = document.querySelector(selector);
    if (link) { link.click(); return true; }
    return false;
  }

  function openTab(name) {
    var tab = document.getElementById("tab-" + name);
    if (!tab) return false;
    tab.click();
    var box = document.getElementById("id_" + name + "-body");
    if (box) box.focus();
    return true;
  }

  function focusField(id) {
    var field = document.getElementById(id);
    if (!field) return false;
    field.focus();
    return true;
  }

  function moveInList(step) {
    var links = Array.prototype.slice.call(document.querySelectorAll("table.tickets td.subject a"));
    if (!links.length) return false;
    var index = links.indexOf(document.activeElement);
    var next = links[Math.max(0, Math.min(links.length - 1, index < 0 ? 0 : index + step))];
    next.focus();
    return true;
  }

  var GO = { h: "[data-shortcut=home]", v: "[data-shortcut=views]", n: "[data-shortcut=new-ticket]",
             s: "[data-shortcut=settings]" };
  var KEYS = {
    "?": function () { if (!overlay) return false; overlay.showModal(); return true; },
    "r": function () { return openTab("reply"); },
    "n": function () { return openTab("note"); },
    "c": function () { return openTab("call"); },
    "t": function () { return openTab("text"); },
    "s": function () { return focusField("id_prop-status-status"); },
    "a": function () { return focusField("id_prop-assignee-assignee"); },
    "b": function () {
      var bell = document.getElementById("bell");
      if (!bell) return false;
      bell.open = !bell.open;
      if (bell.open) bell.querySelector("summary").focus();
      return true;
    },
    "j": function () { return moveInList(1); },
    "k": function () { return moveInList(-1); },
  };

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    var target = event.target;
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable) return;
    if (overlay && overlay.open) return;  // the dialog closes with Escape by itself
    if (pendingG) {
      pendingG = false;
      clearTimeout(pendingTimer);
      if (GO[event.key] && go(GO[event.key])) event.preventDefault();
      return;
    }
    if (event.key === "g") {
      pendingG = true;
      pendingTimer = setTimeout(function () { pendingG = false; }, 1500);
      return;
    }
    var action = KEYS[event.key];
    if (action && action()) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-close-shortcuts]") && overlay) overlay.close();
  });
})();
