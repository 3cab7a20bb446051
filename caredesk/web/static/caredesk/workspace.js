/* caredesk agent workspace: small progressive enhancements on top of htmx. No build step. */
(function () {
  "use strict";

  function selectTab(tab, focus) {
    var list = tab.closest("[role=tablist]");
    var composer = tab.closest(".composer");
    list.querySelectorAll("[role=tab]").forEach(function (other) {
      var selected = other === tab;
      other.setAttribute("aria-selected", selected ? "true" : "false");
      other.tabIndex = selected ? 0 : -1;
      var panel = composer.querySelector("#" + other.getAttribute("aria-controls"));
      if (panel) panel.hidden = !selected;
    });
    if (focus) tab.focus();
  }

  // A view's bulk bar: "select all" ticks every row of the page; the bar counts the selected rows.
  document.addEventListener("change", function (event) {
    var all = event.target.closest("[data-select-all]");
    if (all) {
      document.querySelectorAll("input[type=checkbox][name=" + all.dataset.selectAll + "]").forEach(function (box) {
        box.checked = all.checked;
      });
    }
    if (all || (event.target.name === "tickets" && event.target.type === "checkbox")) {
      var count = document.querySelectorAll("input[type=checkbox][name=tickets]:checked").length;
      var label = document.querySelector("[data-selected-count]");
      if (label) label.textContent = count ? count + " selected" : "Select tickets to change several at once.";
    }
  });

  document.addEventListener("click", function (event) {
    var tab = event.target.closest("[role=tab]");
    if (tab) { selectTab(tab, true); return; }

    var pick = event.target.closest("[data-pick-customer]");
    if (pick) {
      var hidden = document.getElementById("id_customer");
      hidden.value = pick.dataset.pickCustomer;
      var chosen = document.getElementById("chosen-customer");
      chosen.innerHTML = "";
      var box = document.createElement("div");
      box.className = "chosen";
      box.setAttribute("data-chosen", "");
      var name = document.createElement("strong");
      name.textContent = pick.dataset.name;
      var contacts = document.createElement("span");
      contacts.className = "muted";
      contacts.textContent = " " + pick.dataset.contacts;
      var change = document.createElement("button");
      change.type = "button";
      change.className = "button subtle small";
      change.setAttribute("data-clear-customer", "");
      change.textContent = "Change";
      box.append(name, contacts, change);
      chosen.append(box);
      var suggestions = document.getElementById("order-suggestions");
      if (suggestions) {
        suggestions.innerHTML = "";
        (pick.dataset.orders || "").split("|").filter(Boolean).forEach(function (reference) {
          var option = document.createElement("option");
          option.value = reference;
          suggestions.append(option);
        });
      }
      document.getElementById("customer-matches").innerHTML = "";
      document.getElementById("customer-lookup").value = "";
      var fresh = document.querySelector(".new-customer");
      if (fresh) fresh.hidden = true;
      change.focus();
      return;
    }
    if (event.target.closest("[data-clear-customer]")) {
      document.getElementById("id_customer").value = "";
      document.getElementById("chosen-customer").innerHTML = "";
      var fieldset = document.querySelector(".new-customer");
      if (fieldset) fieldset.hidden = false;
      document.getElementById("customer-lookup").focus();
    }
  });

  document.addEventListener("keydown", function (event) {
    var tab = event.target.closest && event.target.closest("[role=tab]");
    if (tab) {
      var tabs = Array.prototype.slice.call(tab.closest("[role=tablist]").querySelectorAll("[role=tab]"));
      var index = tabs.indexOf(tab), next = null;
      if (event.key === "ArrowRight") next = tabs[(index + 1) % tabs.length];
      else if (event.key === "ArrowLeft") next = tabs[(index - 1 + tabs.length) % tabs.length];
      else if (event.key === "Home") next = tabs[0];
      else if (event.key === "End") next = tabs[tabs.length - 1];
      if (next) { event.preventDefault(); selectTab(next, true); }
      return;
    }
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      var form = event.target.closest && event.target.closest(".composer form");
      if (form) { event.preventDefault(); form.requestSubmit(); }
      return;
    }
    if (event.key === "Enter" && event.target.id === "customer-lookup") { event.preventDefault(); return; }
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName) || event.target.isContentEditable;
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey) {
      var search = document.getElementById("top-search");
      if (search) { event.preventDefault(); search.focus(); }
    }
  });

  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-canned-into]");
    if (!select || !select.value) return;
    var data = document.getElementById("canned-responses");
    var responses = data ? JSON.parse(data.textContent) : [];
    var response = responses.find(function (r) { return String(r.id) === select.value; });
    var target = document.getElementById(select.dataset.cannedInto);
    select.value = "";
    if (!response || !target) return;
    var start = target.selectionStart || 0, end = target.selectionEnd || 0, text = target.value;
    var before = text.slice(0, start), glue = before && !before.endsWith("\n") ? "\n" : "";
    target.value = before + glue + response.body + text.slice(end);
    var caret = (before + glue + response.body).length;
    target.focus();
    target.setSelectionRange(caret, caret);
  });

  // After the composer comes back, put focus where the agent needs it: the first field in error, else the tab.
  document.addEventListener("htmx:load", function (event) {
    var composer = event.target;
    if (!composer || composer.id !== "composer") return;
    var invalid = composer.querySelector("[aria-invalid=true]");
    if (invalid) { invalid.focus(); return; }
    var selected = composer.querySelector("[role=tab][aria-selected=true]");
    if (selected) selected.focus();
  });

  // After the Follow-up panel or a section of the customer page comes back from a POST: the first field
  // in error, else the confirmation.
  var REFOCUSED = ["follow-up", "customer-details", "customer-contacts", "customer-orders"];
  document.addEventListener("htmx:load", function (event) {
    var panel = event.target;
    if (!panel || REFOCUSED.indexOf(panel.id) < 0) return;
    var invalid = panel.querySelector(".has-error input, .has-error textarea, .has-error select");
    var done = panel.querySelector("[role=status]");
    if (invalid) invalid.focus();
    else if (done) done.focus();
  });

  // A panel marked data-changed-by refreshes when the ticket changed, unless the change came from the panel
  // itself (ticketChanged's detail.source). htmx's event filters would say this in the attribute, but they
  // run through eval, which the Content-Security-Policy forbids.
  document.body.addEventListener("ticketChanged", function (event) {
    var source = (event.detail && event.detail.source) || "";
    document.querySelectorAll("[data-changed-by]").forEach(function (panel) {
      if (panel.getAttribute("data-changed-by") !== source) htmx.trigger(panel, "ticketChangedElsewhere");
    });
  });
})();
